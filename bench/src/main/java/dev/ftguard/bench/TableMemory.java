package dev.ftguard.bench;

import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.agent.process.BootClock;
import dev.ftguard.agent.process.ProcFs;
import dev.ftguard.agent.process.ProcessTable;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Retained heap of the process table holding {@code N} live processes (default 100,000): fills a
 * table through fork and exec events (100 services, each with its workers; every worker with its
 * own arguments), looks every process up once (so exec ids are built, as the enrichment does), and
 * reports the used heap after full collections minus the used heap before, per process. Runs {@code
 * R} rounds (default 7) in one JVM and prints each and their median. With {@code bare} the workers
 * have no arguments: what the table itself costs per process.
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx2g -cp bench/target/benchmarks.jar dev.ftguard.bench.TableMemory [N [R [bare]]]
 * </pre>
 */
public final class TableMemory {
  private TableMemory() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    boolean bare = args.length > 2 && args[2].equals("bare");
    Path emptyProc = Files.createTempDirectory("ftguard-proc");
    List<Long> bytes = new ArrayList<>();
    try {
      fill(emptyProc, Math.min(n, 1000), bare); // warm up the code paths
      for (int r = 0; r < rounds; r++) {
        long before = usedAfterGc();
        ProcessTable table = fill(emptyProc, n, bare);
        long after = usedAfterGc();
        if (table.counters().live() < n) {
          throw new IllegalStateException(
              "table holds " + table.counters().live() + " live images");
        }
        Reference.reachabilityFence(table);
        bytes.add(after - before);
        System.out.printf(
            "round %d: %,d images, %,d bytes retained, %.1f bytes per process%n",
            r + 1, table.size(), after - before, (after - before) / (double) n);
      }
    } finally {
      Files.deleteIfExists(emptyProc);
    }
    List<Long> sorted = new ArrayList<>(bytes);
    Collections.sort(sorted);
    long median = sorted.get(sorted.size() / 2);
    System.out.printf(
        "median of %d rounds: %,d bytes for %,d live processes%s = %.1f bytes per process (%.1f MiB)%n",
        rounds,
        median,
        n,
        bare ? " without arguments" : "",
        median / (double) n,
        median / 1048576.0);
  }

  /** A table with {@code n} live workers under 100 services under init. */
  static ProcessTable fill(Path procRoot, int n, boolean bare) {
    ProcessTable t =
        new ProcessTable(
            ProcessTable.Config.defaults().withMaxEntries(n + 1024).withGrace(Duration.ofMillis(1)),
            new ProcFs(procRoot),
            BootClock.fixed(7));
    long time = 1_000_000_000_000L;
    int services = 100;
    for (int s = 0; s < services; s++) {
      int pid = 1000 + s;
      t.apply(new ForkEvent(hdr(time += 1000, 1, 0), 0, pid));
      t.apply(
          new ExecEvent(
              hdr(time += 1000, pid, 1),
              0,
              0,
              3,
              decoded("/usr/bin/python3"),
              List.of(decoded("python3"), "/srv/service-" + s + "/main.py", decoded("--workers")),
              0,
              0));
    }
    for (int i = 0; i < n; i++) {
      int parent = 1000 + i % services;
      int pid = 10_000 + i;
      t.apply(new ForkEvent(hdr(time += 1000, parent, 1), 0, pid));
      List<String> argv =
          bare
              ? List.of()
              : List.of(
                  decoded("python3"),
                  "/srv/service-" + (i % services) + "/worker.py",
                  decoded("--worker"),
                  Integer.toString(i),
                  decoded("--queue"),
                  "jobs-" + (i % 10));
      t.apply(
          new ExecEvent(
              hdr(time += 1000, pid, parent),
              0,
              0,
              argv.size(),
              decoded("/usr/bin/python3"),
              argv,
              0,
              0));
    }
    t.maintain(time + 2_000_000, 0); // the fork images replaced by the execs expire
    for (int i = 0; i < n; i++) {
      t.lookup(10_000 + i, time);
    }
    return t;
  }

  /** A copy of {@code s} with its own bytes, as the decoder makes one per record. */
  private static String decoded(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static Header hdr(long mono, long tgid, long ppid) {
    return new Header(0, 0, 0, 0, 0, mono, mono, 1, tgid, tgid, ppid, 1000, 1000, 1000, "python3");
  }

  private static long usedAfterGc() throws InterruptedException {
    var mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
