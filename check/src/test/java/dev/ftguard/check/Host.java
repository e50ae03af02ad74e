package dev.ftguard.check;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * A fake machine under a directory: the files the checks read, written as a healthy Debian 12
 * x86_64 host (6.1, every option set, every target present and free, no lockdown, no Secure Boot,
 * no IBT, headers installed). Tests change one thing and look at the checks.
 */
final class Host {
  static final String RELEASE = "6.1.0-13-amd64";
  static final String SECURE_BOOT = "/sys/firmware/efi/efivars/" + LiveSystem.SECURE_BOOT_VAR;

  final Path root;
  final Map<String, String> config = new LinkedHashMap<>();
  String configHeader = "# Linux/x86 6.1.55 Kernel Configuration";

  /** Paths (absolute, as on the host) that only root may read; this user is not root. */
  final List<String> rootOnly = new ArrayList<>();

  /** Paths the kernel refuses to open even to root (EPERM: lockdown, a security module). */
  final List<String> refused = new ArrayList<>();

  GivenFiles.Given given = GivenFiles.Given.nothing();

  Host(Path root) {
    this.root = root;
    for (String o :
        List.of(
            "CONFIG_64BIT",
            "CONFIG_X86_64",
            "CONFIG_MODULES",
            "CONFIG_MODULE_UNLOAD",
            "CONFIG_MODULE_SIG",
            "CONFIG_KALLSYMS",
            "CONFIG_KPROBES",
            "CONFIG_FTRACE",
            "CONFIG_FUNCTION_TRACER",
            "CONFIG_DYNAMIC_FTRACE",
            "CONFIG_DYNAMIC_FTRACE_WITH_REGS",
            "CONFIG_DYNAMIC_FTRACE_WITH_ARGS",
            "CONFIG_HAVE_FENTRY",
            "CONFIG_SECURITY",
            "CONFIG_SECURITY_NETWORK",
            "CONFIG_SECURITY_PATH",
            "CONFIG_SECURITY_LOCKDOWN_LSM",
            "CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT",
            "CONFIG_BSD_PROCESS_ACCT")) {
      config.put(o, "y");
    }
    config.put("CONFIG_LSM", "\"landlock,lockdown,yama,integrity,apparmor\"");
    config.put("CONFIG_MODULE_SIG_FORCE", null);
    config.put("CONFIG_X86_KERNEL_IBT", null);
    writeConfig();
    write("/proc/sys/kernel/osrelease", RELEASE + "\n");
    write("/proc/sys/kernel/arch", "x86_64\n");
    write("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-" + RELEASE + " root=/dev/sda1 ro quiet\n");
    StringBuilder syms = new StringBuilder();
    StringBuilder funcs = new StringBuilder();
    syms.append("0000000000000000 T _stext\n0000000000000000 t do_one_initcall\n");
    funcs.append("do_one_initcall\n");
    for (HookTargets.Target t : HookTargets.forVersion(KernelVersion.parse(RELEASE))) {
      syms.append("0000000000000000 T ").append(t.symbol()).append('\n');
      funcs.append(t.symbol()).append('\n');
    }
    syms.append("0000000000000000 t ext4_fill_super\t[ext4]\n");
    funcs.append("ext4_fill_super [ext4]\n");
    write("/proc/kallsyms", syms.toString());
    write("/sys/kernel/tracing/available_filter_functions", funcs.toString());
    write("/sys/kernel/tracing/enabled_functions", "");
    write("/proc/sys/kernel/ftrace_enabled", "1\n");
    write("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
    write("/sys/module/module/parameters/sig_enforce", "N\n");
    writeBytes(SECURE_BOOT, new byte[] {6, 0, 0, 0, 0});
    write(
        "/proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae mce"
            + " cx8 apic sep lm constant_tsc nopl xtopology\n\nprocessor\t: 1\nflags\t\t: fpu vme\n");
    write("/lib/modules/" + RELEASE + "/build/Makefile", "# kernel build\n");
  }

  Path path(String abs) {
    return root.resolve(abs.substring(1));
  }

  Host write(String abs, String text) {
    return writeBytes(abs, text.getBytes(StandardCharsets.UTF_8));
  }

  Host writeBytes(String abs, byte[] bytes) {
    try {
      Path p = path(abs);
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  Host delete(String abs) {
    try {
      Path p = path(abs);
      if (Files.isDirectory(p)) {
        try (var s = Files.walk(p)) {
          for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(x);
          }
        }
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Sets an option ({@code null}: not set) and rewrites /proc/config.gz. */
  Host option(String name, String value) {
    config.put(name, value);
    writeConfig();
    return this;
  }

  String configText() {
    StringBuilder sb = new StringBuilder("#\n# Automatically generated file; DO NOT EDIT.\n");
    sb.append(configHeader).append("\n#\n");
    config.forEach(
        (k, v) -> sb.append(v == null ? "# " + k + " is not set" : k + "=" + v).append('\n'));
    return sb.toString();
  }

  Host writeConfig() {
    try {
      Path p = path("/proc/config.gz");
      Files.createDirectories(p.getParent());
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
        out.write(configText().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  Host enabled(String... lines) {
    return write("/sys/kernel/tracing/enabled_functions", String.join("\n", lines) + "\n");
  }

  Host secureBoot(boolean on) {
    return writeBytes(SECURE_BOOT, new byte[] {6, 0, 0, 0, (byte) (on ? 1 : 0)});
  }

  Host given(GivenFiles.Given g) {
    this.given = g;
    return this;
  }

  LiveSystem live() {
    return new LiveSystem(
        root,
        "",
        p -> {
          for (String r : rootOnly) {
            if (p.startsWith(path(r))) {
              throw new AccessDeniedException(p.toString());
            }
          }
          for (String r : refused) {
            if (p.startsWith(path(r))) {
              throw new java.nio.file.FileSystemException(
                  p.toString(), null, "Operation not permitted");
            }
          }
          return Files.newInputStream(p);
        });
  }

  ReadingSource source() {
    return new GivenFiles(live(), given);
  }

  KernelReadings facts() {
    return KernelReadings.gather(source());
  }

  Report report() {
    return Report.of(source());
  }

  Check check(String id) {
    Optional<Check> c = report().checks().stream().filter(x -> x.id().equals(id)).findFirst();
    return c.orElseThrow(() -> new AssertionError("no check " + id));
  }
}
