package dev.ftguard.check;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The numeric part of a kernel release ({@code 6.1.0-13-amd64} is 6.1.0). */
public record KernelVersion(int major, int minor, int patch) implements Comparable<KernelVersion> {
  private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  /** Linux 3.19: FTRACE_OPS_FL_IPMODIFY. */
  public static final KernelVersion IPMODIFY = new KernelVersion(3, 19, 0);

  /** Linux 4.17: x86_64 system calls are entered through {@code __x64_sys_NAME(regs)} stubs. */
  public static final KernelVersion PTREGS_SYSCALLS = new KernelVersion(4, 17, 0);

  /** Linux 5.7: kallsyms_lookup_name is no longer exported; the module finds it via a kprobe. */
  public static final KernelVersion KALLSYMS_VIA_KPROBE = new KernelVersion(5, 7, 0);

  public static Optional<KernelVersion> parse(String release) {
    Matcher m = RELEASE.matcher(release.trim());
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new KernelVersion(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  public boolean atLeast(KernelVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(KernelVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(patch, o.patch);
  }

  /** {@code 3.19}, or {@code 6.1.55} when the patch level is not 0. */
  @Override
  public String toString() {
    return patch == 0 ? major + "." + minor : major + "." + minor + "." + patch;
  }
}
