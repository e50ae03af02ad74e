package dev.ftguard.check;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Where the facts come from: the running kernel ({@link LiveSystem}) or files given on the command
 * line ({@link GivenFiles}). Every method reads what it needs when called and says why a fact is
 * unknown instead of throwing.
 */
public interface ReadingSource {
  /** The release of the kernel checked ({@code uname -r}). */
  Reading<String> release();

  /** Its machine ({@code uname -m}). */
  Reading<String> machine();

  /** Its configuration. */
  Reading<KernelConfig> config();

  /** Which of {@code wanted} are in its symbol table (kallsyms or a System.map). */
  Reading<Set<String>> symbols(Set<String> wanted);

  /** Which of {@code wanted} ftrace can attach to (tracefs {@code available_filter_functions}). */
  Reading<Set<String>> traceable(Set<String> wanted);

  /** The {@code enabled_functions} lines of {@code wanted}: functions ftrace users hold now. */
  Reading<Map<String, EnabledFunction>> enabled(Set<String> wanted);

  /** Whether the ftguard module is loaded now. */
  boolean ftguardLoaded();

  /**
   * The {@code kernel.ftrace_enabled} sysctl ({@code /proc/sys/kernel/ftrace_enabled}): false when
   * function tracing is switched off globally.
   */
  Reading<Boolean> ftraceEnabled();

  /** The lockdown mode: {@code none}, {@code integrity} or {@code confidentiality}. */
  Reading<String> lockdown();

  /** The kernel command line ({@code /proc/cmdline}). */
  Reading<String> cmdline();

  /** Whether module signatures are enforced ({@code module.sig_enforce}). */
  Reading<Boolean> sigEnforce();

  /** Whether the firmware booted with Secure Boot on. */
  Reading<Boolean> secureBoot();

  /** The CPU flags the kernel reports ({@code /proc/cpuinfo}). */
  Reading<Set<String>> cpuFlags();

  /** The kernel build directory to build the module against (it has a Makefile). */
  Reading<Path> headers();
}
