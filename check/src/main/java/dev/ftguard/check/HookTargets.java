package dev.ftguard.check;

import java.util.List;
import java.util.Optional;

/**
 * The kernel functions the module hooks: a mirror of the hook families' tables ({@code struct
 * ftg_hook} arrays in {@code kmod/exec.c}, {@code kmod/file.c}, ...), in the order {@code
 * kmod/main.c} adds them, which is the order they attach in and are numbered by. A unit test reads
 * those tables (and {@code FTG_SYSCALL} in {@code kmod/compat.h}) and fails when the two disagree.
 */
public final class HookTargets {
  private HookTargets() {}

  /** The macro of a table entry. */
  public enum Kind {
    /** {@code FTG_HOOK_PROBE}: sees the arguments, never redirects (no IPMODIFY). */
    PROBE,
    /** {@code FTG_HOOK_WRAP}: redirects the call to a wrapper, which calls the original. */
    WRAP,
    /** {@code FTG_HOOK_GUARD}: decides in the callback; may redirect to a wrapper or a return. */
    GUARD
  }

  /**
   * One entry of the table.
   *
   * @param name the function name, or for a system call ({@code syscall}) the name given to {@code
   *     FTG_SYSCALL}
   * @param syscall whether the name goes through {@code FTG_SYSCALL}
   * @param wrapped whether a wrapper calls the original through a pointer (every {@code WRAP}, and
   *     a {@code GUARD} whose wrapper is not {@code NULL})
   * @param needs kernel options without which the function does not exist (it is compiled out or a
   *     static inline stub); not part of kmod/, a hint for the report
   */
  public record Entry(
      String name, boolean syscall, Kind kind, boolean wrapped, List<String> needs) {
    public Entry {
      needs = List.copyOf(needs);
    }

    /** The symbol this entry hooks on a kernel of {@code version} (unknown: a current one). */
    public String symbol(Optional<KernelVersion> version) {
      if (!syscall) {
        return name;
      }
      boolean ptregs = version.map(v -> v.atLeast(KernelVersion.PTREGS_SYSCALLS)).orElse(true);
      return (ptregs ? SYSCALL_PREFIX : OLD_SYSCALL_PREFIX) + name;
    }
  }

  /**
   * A hook target on one kernel.
   *
   * @param symbol the kernel symbol
   * @param ipModify whether the hook's ftrace_ops has FTRACE_OPS_FL_IPMODIFY (wrap and guard)
   */
  public record Target(
      String symbol, Kind kind, boolean ipModify, boolean wrapped, List<String> needs) {
    public Target {
      needs = List.copyOf(needs);
    }
  }

  /** {@code FTG_SYSCALL(name)} from 4.17 on. */
  public static final String SYSCALL_PREFIX = "__x64_sys_";

  /** {@code FTG_SYSCALL(name)} before 4.17. */
  public static final String OLD_SYSCALL_PREFIX = "sys_";

  private static final List<String> SECURITY = List.of("CONFIG_SECURITY");

  private static final List<String> SECURITY_PATH =
      List.of("CONFIG_SECURITY", "CONFIG_SECURITY_PATH");

  /** The module's hooks, in attach order. */
  public static final List<Entry> TABLE =
      List.of(
          new Entry("wake_up_new_task", false, Kind.PROBE, false, List.of()),
          new Entry("acct_collect", false, Kind.PROBE, false, List.of("CONFIG_BSD_PROCESS_ACCT")),
          new Entry("execve", true, Kind.WRAP, true, List.of()),
          new Entry("execveat", true, Kind.WRAP, true, List.of()),
          new Entry("security_bprm_check", false, Kind.GUARD, true, SECURITY),
          new Entry("security_mmap_file", false, Kind.GUARD, true, SECURITY),
          new Entry("security_file_mprotect", false, Kind.GUARD, false, SECURITY),
          new Entry("security_file_open", false, Kind.GUARD, false, SECURITY),
          new Entry("security_path_truncate", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("security_inode_setattr", false, Kind.GUARD, false, SECURITY),
          new Entry("security_path_unlink", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("security_path_rename", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("security_path_link", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("security_path_chmod", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("security_path_chown", false, Kind.GUARD, false, SECURITY_PATH),
          new Entry("vfs_utimes", false, Kind.GUARD, false, List.of()),
          new Entry("security_inode_setxattr", false, Kind.GUARD, false, SECURITY),
          new Entry("security_inode_removexattr", false, Kind.GUARD, false, SECURITY),
          new Entry(
              "security_socket_connect",
              false,
              Kind.GUARD,
              false,
              List.of("CONFIG_SECURITY", "CONFIG_SECURITY_NETWORK")),
          new Entry("security_kernel_post_read_file", false, Kind.GUARD, false, SECURITY),
          new Entry("security_kernel_post_load_data", false, Kind.GUARD, false, SECURITY),
          new Entry("security_ptrace_access_check", false, Kind.GUARD, false, SECURITY),
          new Entry("commit_creds", false, Kind.GUARD, false, List.of()),
          // CONFIG_PROC_SYSCTL and CONFIG_MODULE_UNLOAD: every kernel that can host the module
          new Entry("proc_sys_write", false, Kind.PROBE, false, List.of()),
          new Entry("delete_module", true, Kind.GUARD, false, List.of()));

  /** The targets on a kernel of {@code version} (unknown: a current one), in table order. */
  public static List<Target> forVersion(Optional<KernelVersion> version) {
    return TABLE.stream()
        .map(
            e ->
                new Target(
                    e.symbol(version), e.kind(), e.kind() != Kind.PROBE, e.wrapped(), e.needs()))
        .toList();
  }
}
