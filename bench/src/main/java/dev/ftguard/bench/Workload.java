package dev.ftguard.bench;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.agent.enrich.BinaryHasher;
import dev.ftguard.agent.enrich.Enricher;
import dev.ftguard.agent.enrich.NameCache;
import dev.ftguard.agent.process.BootClock;
import dev.ftguard.agent.process.ProcFs;
import dev.ftguard.agent.process.ProcessTable;
import dev.ftguard.nativeio.PathCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A host and its event stream for the pipeline benchmarks: a fake {@code /proc} with long-lived
 * services and shells (half of them in containers), a pool of child pids with their {@code /proc}
 * entries, a few binaries, and the kernel-format bytes of a realistic stream: each job is a fork by
 * a long-lived process, an exec of the child (3 to 6 arguments), for some a thread that comes and
 * goes and a rule decision, and the child's exit.
 *
 * <p>{@link #nextPass} returns the same records with their times moved past the previous pass, so a
 * table fed pass after pass sees time advance and pids reused, as on a busy host.
 */
final class Workload implements AutoCloseable {
  static final int PARENTS = 32;
  static final int CHILDREN = 1500;
  static final int CONTAINERS = 8;
  static final long SPACING_NS = 50_000; // 20,000 events per second of event time
  static final long FIRST_PID = 1000;
  static final long FIRST_CHILD = 20_000;
  static final long FIRST_TID = 60_000;
  static final String[] BINARIES = {
    "usr/bin/python3",
    "usr/bin/curl",
    "usr/bin/git",
    "usr/bin/sh",
    "usr/bin/ls",
    "usr/bin/grep",
    "usr/bin/cat",
    "usr/local/bin/app"
  };
  static final long[] UIDS = {0, 1000, 33, 65534};

  final Path dir;
  final Path procRoot;
  final byte[] records;
  final int events;
  final int[] offsets;
  final long passSpan;
  final BootClock clock = BootClock.fixed(0x5eed);
  private final List<ExecEvent.ExecFile> files = new ArrayList<>();
  private int pass;

  private Workload(Path dir, int events) throws IOException {
    this.dir = dir;
    this.procRoot = dir.resolve("proc");
    writeProc();
    for (String b : BINARIES) {
      files.add(execFile(dir.resolve("fs").resolve(b)));
    }
    List<Event> stream = stream(events);
    this.events = stream.size();
    this.offsets = new int[stream.size()];
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < stream.size(); i++) {
      offsets[i] = out.size();
      out.writeBytes(RecordEncoder.encode(stream.get(i)));
    }
    this.records = out.toByteArray();
    this.passSpan = SPACING_NS * (stream.size() + 1);
  }

  /** A workload of {@code events} events in a new temporary directory. */
  static Workload create(int events) {
    try {
      return new Workload(Files.createTempDirectory("ftguard-bench"), events);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The records of the next pass: times follow the previous pass's. */
  byte[] nextPass() {
    pass++;
    ByteBuffer b = ByteBuffer.wrap(records).order(ByteOrder.nativeOrder());
    for (int off : offsets) {
      int at = off + (int) Abi.Hdr.MONO_NS;
      b.putLong(at, b.getLong(at) + passSpan);
    }
    return records;
  }

  /** The table, filled by the start-up scan of this host. */
  ProcessTable table() {
    ProcessTable t = new ProcessTable(ProcessTable.Config.defaults(), new ProcFs(procRoot), clock);
    t.scan(0);
    return t;
  }

  /** An enricher with its own hasher and name lookups; cgroup paths taken as read. */
  Enricher enricher(ProcessTable table) {
    return new Enricher(
        Enricher.Config.defaults().withCgroupRoot(Optional.empty()),
        table,
        BinaryHasher.create(BinaryHasher.Config.defaults()),
        NameCache.create(NameCache.Config.defaults()));
  }

  static String cgroup(int i) {
    int c = i % (2 * CONTAINERS);
    return c < CONTAINERS
        ? "/system.slice/docker-" + "%064x".formatted(0xc0ffeeL + c) + ".scope"
        : "/system.slice/svc" + c + ".service";
  }

  static long cgroupId(int i) {
    return 100 + i % (2 * CONTAINERS);
  }

  private List<Event> stream(int events) {
    List<Event> out = new ArrayList<>(events);
    long t = 1_000_000_000_000L;
    long seq = 0;
    for (int job = 0; out.size() < events; job++) {
      int p = job % PARENTS;
      long parent = FIRST_PID + p;
      long child = FIRST_CHILD + job % CHILDREN;
      long uid = UIDS[p % UIDS.length];
      long cg = cgroupId(p);
      int b = job % BINARIES.length;
      List<String> argv = argv(job, b);
      out.add(
          new ForkEvent(
              hdr(++seq, t += SPACING_NS, parent, parent, 1, uid, cg, "bash"), 0, (int) child));
      out.add(
          new ExecEvent(
              hdr(++seq, t += SPACING_NS, child, child, parent, uid, cg, name(b)),
              0,
              0,
              argv.size(),
              "/" + BINARIES[b],
              argv,
              0,
              0,
              Optional.of(files.get(b)),
              Optional.of(cwd(child))));
      if (job % 4 == 0) {
        long tid = FIRST_TID + job % CHILDREN;
        out.add(
            new ForkEvent(
                hdr(++seq, t += SPACING_NS, child, child, parent, uid, cg, name(b)),
                0x3d0f00L,
                (int) tid));
        out.add(
            new ExitEvent(hdr(++seq, t += SPACING_NS, tid, child, parent, uid, cg, name(b)), 0, 0));
      }
      if (job % 8 == 0) {
        out.add(
            new DecisionEvent(
                hdr(++seq, t += SPACING_NS, child, child, parent, uid, cg, name(b)),
                7,
                1,
                DecisionEvent.Kind.CONNECT,
                DecisionEvent.Action.AUDIT,
                DecisionEvent.Mode.ENFORCE,
                0,
                0,
                0,
                "egress",
                "metadata",
                Abi.AF_INET,
                Optional.of(InetAddress.ofLiteral("169.254.169.254")),
                80,
                0,
                0,
                0,
                argv.size(),
                "/" + BINARIES[b],
                "",
                argv,
                0,
                ""));
      }
      out.add(
          new ExitEvent(
              hdr(++seq, t += SPACING_NS, child, child, parent, uid, cg, name(b)),
              0,
              Abi.EXIT_GROUP_DEAD));
    }
    return out.subList(0, events);
  }

  /** A process's working directory, as its exec record and its {@code /proc} link give it. */
  private static String cwd(long pid) {
    return "/srv/app/" + (pid % 10);
  }

  /** What an exec record says of {@code binary}: its statx identity, as the kernel takes it. */
  private static ExecEvent.ExecFile execFile(Path binary) throws IOException {
    PathCalls.Info st = PathCalls.stat(binary.toString());
    return new ExecEvent.ExecFile(
        PathCalls.major(st.dev()),
        PathCalls.minor(st.dev()),
        st.ino(),
        Math.floorDiv(st.ctimeNs(), 1_000_000_000L),
        (int) Math.floorMod(st.ctimeNs(), 1_000_000_000L),
        st.size());
  }

  private static String name(int b) {
    String n = BINARIES[b];
    return n.substring(n.lastIndexOf('/') + 1);
  }

  private static List<String> argv(int job, int b) {
    String n = name(b);
    return switch (job % 4) {
      case 0 -> List.of(n, "--version");
      case 1 -> List.of(n, "-c", "/etc/app/config.yaml", "--job", Integer.toString(job));
      case 2 -> List.of(n, "-s", "https://example.com/api/v1/items?page=" + (job % 100));
      default -> List.of(n, "-l", "-a", "/var/log/app-" + (job % 7) + ".log", "--color=never");
    };
  }

  private static Header hdr(
      long seq, long mono, long pid, long tgid, long ppid, long uid, long cgroup, String comm) {
    return new Header(
        0,
        0,
        0,
        (int) (seq % 2),
        seq,
        mono,
        1_764_157_740_000_000_000L + mono,
        cgroup,
        pid,
        tgid,
        ppid,
        uid,
        uid,
        uid,
        comm);
  }

  private void writeProc() throws IOException {
    write(procRoot.resolve("sys/kernel/random/boot_id"), clock.bootId() + "\n");
    for (String b : BINARIES) {
      Path f = dir.resolve("fs").resolve(b);
      byte[] content = new byte[64 * 1024 + b.length()];
      for (int i = 0; i < content.length; i++) {
        content[i] = (byte) (i * 131 + b.length());
      }
      Files.createDirectories(f.getParent());
      Files.write(f, content);
    }
    String shell = dir.resolve("fs/usr/bin/sh").toString();
    proc(1, 0, 1, shell, List.of("/sbin/init"), "/init.scope");
    for (int p = 0; p < PARENTS; p++) {
      proc(FIRST_PID + p, 1, 100 + p, shell, List.of("bash", "-l"), cgroup(p));
    }
    for (int c = 0; c < CHILDREN; c++) {
      int p = c % PARENTS;
      proc(
          FIRST_CHILD + c,
          FIRST_PID + p,
          10_000 + c,
          dir.resolve("fs").resolve(BINARIES[c % BINARIES.length]).toString(),
          List.of(),
          cgroup(p));
    }
  }

  private void proc(long pid, long ppid, long start, String exe, List<String> argv, String cgroup)
      throws IOException {
    Path d = procRoot.resolve(Long.toString(pid));
    long layout = 0x5500_0000_0000L + pid * 0x1000_0000L;
    write(
        d.resolve("stat"),
        pid
            + " (proc) S "
            + ppid
            + " "
            + pid
            + " "
            + pid
            + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
            + start
            + " 0 0 0 "
            + layout
            + " "
            + (layout + 4096)
            + " "
            + (layout + 0x7000_0000_0000L)
            + " 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
            + (layout + 8192)
            + " "
            + (layout + 12288)
            + " "
            + (layout + 0x100000)
            + " "
            + (layout + 0x7000_0000_1000L)
            + " "
            + (layout + 0x7000_0000_1100L)
            + " "
            + (layout + 0x7000_0000_1100L)
            + " "
            + (layout + 0x7000_0000_1f00L)
            + " 0\n");
    var args = new StringBuilder();
    argv.forEach(a -> args.append(a).append('\0'));
    write(d.resolve("cmdline"), args.toString());
    write(d.resolve("cgroup"), "0::" + cgroup + "\n");
    Files.createSymbolicLink(d.resolve("exe"), Path.of(exe));
    Files.createSymbolicLink(d.resolve("cwd"), Path.of(cwd(pid)));
  }

  private static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
