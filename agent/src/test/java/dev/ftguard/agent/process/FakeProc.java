package dev.ftguard.agent.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fake {@code /proc} tree in a directory, laid out as the kernel's (for tests). {@link #close}
 * removes the processes (their links point outside the directory).
 */
public final class FakeProc implements AutoCloseable {
  public static final String BOOT_ID = "9f0c2e7a-51d8-4b3c-a1e2-0123456789ab";

  private final Path root;

  public FakeProc(Path root) {
    this.root = root;
    write(root.resolve("sys/kernel/random/boot_id"), BOOT_ID + "\n");
  }

  public Path root() {
    return root;
  }

  public ProcFs procfs() {
    return new ProcFs(root);
  }

  /** A clock with this tree's boot id and equal clocks. */
  public static BootClock clock() {
    return new BootClock(BOOT_ID, 0, BootClock.USER_HZ);
  }

  /** A process being added: call {@link #add()} at the end. */
  public final class Proc {
    final int pid;
    int ppid;
    String comm = "proc";
    char state = 'S';
    long flags = 0x400100;
    long startTicks;
    long layout;
    String exe;
    List<String> cmdline = List.of();
    String cwd;
    String cgroup = "0::/\n";

    Proc(int pid) {
      this.pid = pid;
    }

    public Proc ppid(int ppid) {
      this.ppid = ppid;
      return this;
    }

    public Proc comm(String comm) {
      this.comm = comm;
      return this;
    }

    public Proc state(char state) {
      this.state = state;
      return this;
    }

    public Proc kernelThread() {
      this.flags |= ProcStat.PF_KTHREAD;
      this.layout = 0;
      this.exe = null;
      this.cmdline = List.of();
      return this;
    }

    /** Start time in clock ticks since boot. */
    public Proc start(long ticks) {
      this.startTicks = ticks;
      return this;
    }

    /** A memory layout: equal values for a fork that has not exec'd, 0 unreadable. */
    public Proc layout(long base) {
      this.layout = base;
      return this;
    }

    public Proc exe(String exe) {
      this.exe = exe;
      return this;
    }

    public Proc cmdline(String... args) {
      this.cmdline = List.of(args);
      return this;
    }

    public Proc cwd(String cwd) {
      this.cwd = cwd;
      return this;
    }

    /** The whole content of the cgroup file. */
    public Proc cgroupFile(String content) {
      this.cgroup = content;
      return this;
    }

    public FakeProc add() {
      Path dir = root.resolve(Integer.toString(pid));
      remove(pid);
      write(dir.resolve("stat"), statLine());
      var args = new StringBuilder();
      for (String a : cmdline) {
        args.append(a).append('\0');
      }
      write(dir.resolve("cmdline"), args.toString());
      write(dir.resolve("cgroup"), cgroup);
      try {
        if (exe != null) {
          Files.createSymbolicLink(dir.resolve("exe"), Path.of(exe));
        }
        if (cwd != null) {
          Files.createSymbolicLink(dir.resolve("cwd"), Path.of(cwd));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return FakeProc.this;
    }

    String statLine() {
      long[] f = new long[53];
      f[4] = ppid;
      f[5] = pid;
      f[6] = pid;
      f[9] = flags;
      f[20] = 1;
      f[22] = startTicks;
      if (layout != 0) {
        f[26] = layout;
        f[27] = layout + 0x1000;
        f[28] = layout + 0x7000_0000_0000L;
        f[45] = layout + 0x2000;
        f[46] = layout + 0x3000;
        f[47] = layout + 0x10_0000;
        f[48] = layout + 0x7000_0000_1000L;
        f[49] = layout + 0x7000_0000_1100L;
        f[50] = layout + 0x7000_0000_1100L;
        f[51] = layout + 0x7000_0000_1f00L;
      }
      var sb = new StringBuilder().append(pid).append(" (").append(comm).append(") ").append(state);
      for (int i = 4; i <= 52; i++) {
        sb.append(' ').append(f[i]);
      }
      return sb.append('\n').toString();
    }
  }

  public Proc proc(int pid) {
    return new Proc(pid);
  }

  /** Removes {@code /proc/PID} (the process was reaped). */
  public FakeProc remove(int pid) {
    Path dir = root.resolve(Integer.toString(pid));
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return this;
  }

  static void write(Path p, String content) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A typical host: init (1), kthreadd (2) and a kernel thread, sshd, a login shell. */
  public FakeProc typicalHost() {
    proc(1)
        .ppid(0)
        .comm("systemd")
        .start(1)
        .layout(0x5500_0000_0000L)
        .exe("/usr/lib/systemd/systemd")
        .cmdline("/sbin/init")
        .cwd("/")
        .add();
    proc(2).ppid(0).comm("kthreadd").start(1).kernelThread().add();
    proc(15).ppid(2).comm("ksoftirqd/0").start(2).kernelThread().add();
    proc(500)
        .ppid(1)
        .comm("sshd")
        .start(300)
        .layout(0x5600_0000_0000L)
        .exe("/usr/sbin/sshd")
        .cmdline("sshd: /usr/sbin/sshd -D")
        .cwd("/")
        .add();
    proc(900)
        .ppid(500)
        .comm("bash")
        .start(5000)
        .layout(0x5700_0000_0000L)
        .exe("/usr/bin/bash")
        .cmdline("-bash")
        .cwd("/home/u")
        .add();
    return this;
  }

  /** Removes every process. */
  @Override
  public void close() {
    for (int pid : pids()) {
      remove(pid);
    }
  }

  /** Pids present. */
  public List<Integer> pids() {
    List<Integer> pids = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.length() < 10 && n.chars().allMatch(Character::isDigit))
          .forEach(n -> pids.add(Integer.parseInt(n)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }
}
