package dev.ftguard.bench;

import dev.ftguard.abi.Decoded;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.agent.enrich.BinaryHash;
import dev.ftguard.agent.enrich.Enricher;
import dev.ftguard.agent.enrich.Enrichment;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.agent.json.EventLineWriter;
import dev.ftguard.agent.process.ProcessTable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events per second through the Java pipeline on one thread (one core): decode the kernel's
 * records, apply them to the process table, enrich them, write their JSON lines ({@link
 * EventLineWriter}, as {@code ftguard run} writes to its output). One operation is one event; each
 * invocation handles one read's worth of records ({@link #EVENTS}), a fresh pass of the {@link
 * Workload} stream, and flushes the lines as the daemon does after each read. With {@code -prof
 * gc}, {@code gc.alloc.rate.norm} is bytes allocated per event.
 *
 * <ul>
 *   <li>{@code baseline}: decode and JSON, what {@code ftguard events} did before lineage;
 *   <li>{@code pipeline}: decode, table, enrichment, JSON with the enrichment: the daemon's path;
 *   <li>{@code decode}: decoding alone;
 *   <li>{@code lineage}: decode, table and enrichment, no JSON.
 * </ul>
 *
 * <p>The {@code /proc} the enrichment reads (cwd links, {@code exe} links) is a fake tree in a
 * temporary directory, and the hash cache is warm before measuring: the figure is the Java
 * pipeline's, not the disk's. User names come from the C library (cached after the first).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(PipelineBenchmark.EVENTS)
public class PipelineBenchmark {
  /** Events per invocation: about what one 1 MiB read of the device returns. */
  public static final int EVENTS = 4096;

  private static final EventDecoder DECODER = EventDecoder.nativeOrder();

  private Workload workload;
  private ProcessTable table;
  private Enricher enricher;
  private final Output out = new Output();
  private final EventLineWriter lines = new EventLineWriter(out);

  /**
   * Where the lines go: counted, not kept, as a file or pipe would take them (the writer hands over
   * its buffer when full and at each flush).
   */
  static final class Output extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    workload = Workload.create(EVENTS);
    table = workload.table();
    enricher = workload.enricher(table);
    // warm the caches: every binary hashed, every cgroup and name known
    for (int i = 0; i < 100; i++) {
      boolean pending = false;
      for (Decoded d : DECODER.decode(workload.nextPass()).items()) {
        if (d instanceof Event e) {
          table.apply(e);
          pending |= enricher.enrich(e).binaryHash() instanceof BinaryHash.Pending;
        }
      }
      if (!pending && i > 1) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("binaries still not hashed");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    enricher.close();
    workload.close();
  }

  @Benchmark
  public void baseline(Blackhole bh) throws IOException {
    for (Decoded d : DECODER.decode(workload.nextPass()).items()) {
      if (d instanceof Event e) {
        lines.line(e, CallFieldNames.NONE, null);
      }
    }
    lines.flush();
    bh.consume(out.bytes);
  }

  @Benchmark
  public void pipeline(Blackhole bh) throws IOException {
    for (Decoded d : DECODER.decode(workload.nextPass()).items()) {
      if (d instanceof Event e) {
        table.apply(e);
        Enrichment x = enricher.enrich(e);
        lines.line(e, CallFieldNames.NONE, x);
      }
    }
    lines.flush();
    bh.consume(out.bytes);
  }

  @Benchmark
  public void decode(Blackhole bh) {
    for (Decoded d : DECODER.decode(workload.nextPass()).items()) {
      bh.consume(d);
    }
  }

  @Benchmark
  public void lineage(Blackhole bh) {
    for (Decoded d : DECODER.decode(workload.nextPass()).items()) {
      if (d instanceof Event e) {
        table.apply(e);
        bh.consume(enricher.enrich(e));
      }
    }
  }
}
