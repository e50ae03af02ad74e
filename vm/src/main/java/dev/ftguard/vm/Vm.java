package dev.ftguard.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

/** Boots a guest described by a {@link GuestSpec} and waits until it ends, one way or another. */
public final class Vm {
  private Vm() {}

  /**
   * After the exit marker the guest powers off at once; kill QEMU if it lingers longer than this.
   */
  static final Duration AFTER_MARKER_GRACE = Duration.ofSeconds(5);

  /**
   * After a panic QEMU normally exits (panic=-1, -no-reboot); kill it if it lingers longer than
   * this.
   */
  static final Duration AFTER_PANIC_GRACE = Duration.ofSeconds(3);

  /**
   * {@code no_timer_check}: the kernel's boot-time check that the IO-APIC timer ticks counts ticks
   * in a busy loop; an emulated CPU starved by a loaded host misses it and the kernel panics
   * ("IO-APIC + timer doesn't work"), a failure of the host, not of anything tested.
   */
  static final String BASE_CMDLINE = "console=ttyS0 panic=-1 quiet loglevel=5 no_timer_check";

  private static final long POLL_MILLIS = 25;

  /**
   * Runs the spec's payload in a fresh guest. Always returns once QEMU is gone: the payload exited,
   * the guest crashed, or the timeout killed QEMU.
   *
   * @throws VmException when the host cannot prepare or start the guest (missing tools, QEMU
   *     refuses its arguments)
   */
  public static GuestResult run(GuestSpec spec) {
    long t0 = System.nanoTime();
    Consumer<String> progress = spec.progress() != null ? spec.progress() : line -> {};
    Path work = workDir(spec);
    Path out = spec.outDir() != null ? spec.outDir().toAbsolutePath() : work.resolve("out");
    prepareOut(out);
    Launch launch = prepare(spec, work, out, progress);
    Duration prepare = Duration.ofNanos(System.nanoTime() - t0);
    progress.accept(
        "booting "
            + spec.kernel().abi()
            + " with "
            + launch.accel().accel()
            + " ("
            + launch.accel().reason()
            + "), "
            + spec.memoryMib()
            + " MiB, "
            + spec.cpus()
            + " CPUs, timeout "
            + spec.timeout().toSeconds()
            + " s; logs in "
            + work);
    Process qemu = start(launch);
    SerialTail tail = new SerialTail(launch.serial(), spec.output());
    Watched watched = watch(qemu, spec, tail, progress);
    tail.poll();
    tail.finish();
    return result(spec, launch, qemu, tail, watched, out, work, t0, prepare, progress);
  }

  /** What QEMU is started with, and where its serial console and own messages go. */
  private record Launch(List<String> cmd, Accel.Choice accel, Path serial, Path qemuLog) {}

  /**
   * When the guest reached the payload and its exit marker (nanoTime), and whether it timed out.
   */
  private record Watched(long start, Long payloadAt, Long markerAt, boolean timedOut) {}

  /** The initramfs (cached base plus this spec's overlay), the shares and the QEMU command. */
  private static Launch prepare(GuestSpec spec, Path work, Path out, Consumer<String> progress) {
    progress.accept("building initramfs for " + spec.kernel().abi());
    Initramfs baseFs = GuestImage.base(spec.kernel(), spec.modules());
    boolean cached = Files.isRegularFile(GuestImage.cachePath(spec.kernel(), baseFs));
    Path base = GuestImage.cachedBase(spec.kernel(), baseFs);
    progress.accept(
        "initramfs base "
            + base.getFileName()
            + (cached ? " (cached, " : " (new, ")
            + GuestImage.describe(baseFs)
            + ")");
    List<GuestProtocol.Mount> mounts = new ArrayList<>();
    List<String> fsArgs = new ArrayList<>();
    addShare(fsArgs, "usr", Path.of("/usr"), false);
    addShare(fsArgs, "etc", Path.of("/etc"), false);
    addShare(fsArgs, "out", out, true);
    for (int i = 0; i < spec.shares().size(); i++) {
      Share s = spec.shares().get(i);
      if (!Files.isDirectory(s.host())) {
        throw new VmException(
            "share " + s.host() + " -> " + s.guest() + ": host directory does not exist");
      }
      String tag = "share" + i;
      mounts.add(new GuestProtocol.Mount(tag, s.guest(), s.writable()));
      addShare(fsArgs, tag, s.host(), s.writable());
    }
    Path initrd = work.resolve("initrd.img");
    GuestImage.concatenate(base, GuestImage.overlay(spec, mounts).toBytes(), initrd);

    Accel.Choice accel =
        spec.accel() != null
            ? new Accel.Choice(spec.accel(), "chosen by the caller")
            : Accel.detect();
    Path serial = work.resolve("serial.log");
    Path qemuLog = work.resolve("qemu.log");
    List<String> cmd = qemuCommand(spec, accel.accel(), serial, initrd, fsArgs);
    writeQuietly(work.resolve("qemu.cmd"), String.join(" ", cmd) + "\n");
    return new Launch(cmd, accel, serial, qemuLog);
  }

  private static Process start(Launch launch) {
    try {
      Files.deleteIfExists(launch.serial());
      return new ProcessBuilder(launch.cmd())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(launch.qemuLog().toFile())
          .start();
    } catch (IOException e) {
      throw new VmException(
          "cannot start "
              + launch.cmd().getFirst()
              + ": "
              + e.getMessage()
              + "; install qemu-system-x86 (scripts/setup does)",
          e);
    }
  }

  /**
   * Follows the serial console until QEMU exits, the timeout passes, or the guest lingers after its
   * exit marker or a panic; QEMU is gone when this returns.
   */
  private static Watched watch(
      Process qemu, GuestSpec spec, SerialTail tail, Consumer<String> progress) {
    Thread killer = new Thread(qemu::destroyForcibly, "ftguard-vm-kill-qemu");
    Runtime.getRuntime().addShutdownHook(killer);
    long start = System.nanoTime();
    long deadline = start + spec.timeout().toNanos();
    boolean timedOut = false;
    Long payloadAt = null;
    Long markerAt = null;
    Long panicAt = null;
    try {
      while (true) {
        boolean exited = qemu.waitFor(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        tail.poll();
        long now = System.nanoTime();
        if (payloadAt == null && tail.stages.contains(GuestProtocol.STAGE_PAYLOAD)) {
          payloadAt = now;
          progress.accept("guest running the payload (booted in " + seconds(now - start) + " s)");
        }
        if (markerAt == null && tail.exitStatus.isPresent()) {
          markerAt = now;
        }
        if (panicAt == null && tail.panicked) {
          panicAt = now;
        }
        if (exited) {
          break;
        }
        if (now > deadline) {
          timedOut = markerAt == null;
          progress.accept("timeout of " + spec.timeout().toSeconds() + " s reached; killing QEMU");
          break;
        }
        if (markerAt != null && now - markerAt > AFTER_MARKER_GRACE.toNanos()) {
          progress.accept("guest did not power off after the exit marker; killing QEMU");
          break;
        }
        if (panicAt != null && now - panicAt > AFTER_PANIC_GRACE.toNanos()) {
          progress.accept("guest panicked and QEMU did not exit; killing QEMU");
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmException("interrupted while the guest ran; QEMU killed", e);
    } finally {
      stop(qemu, killer);
    }
    return new Watched(start, payloadAt, markerAt, timedOut);
  }

  /**
   * Kills QEMU if it still runs, waits until it is gone, and drops the shutdown hook that would
   * have killed it had the JVM ended first.
   */
  static void stop(Process qemu, Thread killer) {
    if (qemu.isAlive()) {
      qemu.destroyForcibly();
      try {
        qemu.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  /** The result of the ended guest, from its console, its dmesg and QEMU's exit. */
  private static GuestResult result(
      GuestSpec spec,
      Launch launch,
      Process qemu,
      SerialTail tail,
      Watched watched,
      Path out,
      Path work,
      long t0,
      Duration prepare,
      Consumer<String> progress) {
    String serialText = tail.text();
    int qemuStatus = qemu.exitValue();
    boolean timedOut = watched.timedOut();
    if (serialText.isBlank() && !timedOut) {
      throw new VmException(
          "QEMU exited with status "
              + qemuStatus
              + " before the guest printed anything: "
              + readQuietly(launch.qemuLog()).strip()
              + " (command in "
              + work.resolve("qemu.cmd")
              + ")");
    }
    if (qemuStatus != 0 && !timedOut && tail.exitStatus.isEmpty()) {
      progress.accept(
          "QEMU exited with status " + qemuStatus + ": " + readQuietly(launch.qemuLog()).strip());
    }
    String dmesg = readQuietly(out.resolve("dmesg.txt"));
    List<Finding> findings = findings(serialText, dmesg);
    OptionalInt status = GuestProtocol.exitStatus(serialText);
    long end = System.nanoTime();
    long start = watched.start();
    GuestResult.Timings timings =
        new GuestResult.Timings(
            prepare,
            Optional.ofNullable(watched.payloadAt()).map(t -> Duration.ofNanos(t - start)),
            Optional.ofNullable(watched.markerAt()).map(t -> Duration.ofNanos(t - start)),
            Duration.ofNanos(end - t0));
    GuestResult result =
        new GuestResult(
            status,
            timedOut && status.isEmpty(),
            findings,
            serialText,
            out,
            dmesg,
            GuestProtocol.payloadLines(serialText),
            launch.accel().accel(),
            timings,
            work);
    String how =
        switch (result.outcome()) {
          case GuestResult.Outcome.Exited(int s) -> "payload exited with " + s;
          case GuestResult.Outcome.Crashed(String reason) -> "guest crashed: " + reason;
          case GuestResult.Outcome.TimedOut t -> "timed out";
        };
    progress.accept(
        "done in "
            + seconds(end - t0)
            + " s: "
            + how
            + (findings.isEmpty() ? "" : "; " + findings.size() + " kernel finding(s)"));
    return result;
  }

  /** Serial findings (kernel lines only) plus dmesg findings not already seen on the console. */
  static List<Finding> findings(String serialText, String dmesg) {
    List<Finding> fromSerial = DmesgChecker.check(GuestProtocol.kernelLines(serialText), "serial");
    List<Finding> fromDmesg = DmesgChecker.check(dmesg, "dmesg");
    Set<String> seen = new HashSet<>();
    fromSerial.forEach(f -> seen.add(f.line()));
    List<Finding> all = new ArrayList<>(fromSerial);
    fromDmesg.stream().filter(f -> !seen.contains(f.line())).forEach(all::add);
    return all;
  }

  static List<String> qemuCommand(
      GuestSpec spec, Accel accel, Path serial, Path initrd, List<String> fsArgs) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Tools.find("qemu-system-x86_64", "qemu-system-x86"),
                "-machine",
                "q35",
                "-m",
                spec.memoryMib() + "M",
                "-smp",
                Integer.toString(spec.cpus()),
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
                "-serial",
                "file:" + serial,
                "-monitor",
                "none"));
    cmd.addAll(accel.qemuArgs());
    cmd.addAll(
        List.of("-kernel", spec.kernel().bootImage().toString(), "-initrd", initrd.toString()));
    List<String> append = new ArrayList<>(List.of(BASE_CMDLINE));
    append.addAll(spec.kernelArgs());
    cmd.addAll(List.of("-append", String.join(" ", append)));
    cmd.addAll(fsArgs);
    cmd.addAll(spec.qemuArgs());
    return cmd;
  }

  private static void addShare(List<String> args, String tag, Path host, boolean writable) {
    String id = "fs_" + tag;
    args.addAll(
        List.of(
            "-fsdev",
            "local,id="
                + id
                + ",path="
                + host.toString().replace(",", ",,")
                + ",security_model=none,multidevs=remap"
                + (writable ? "" : ",readonly=on"),
            "-device",
            "virtio-9p-pci,fsdev=" + id + ",mount_tag=" + tag));
  }

  private static Path workDir(GuestSpec spec) {
    try {
      if (spec.workDir() != null) {
        return Files.createDirectories(spec.workDir()).toAbsolutePath();
      }
      return Files.createTempDirectory("ftguard-vm-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the VM work directory", e);
    }
  }

  /** Creates {@code out} and removes files an earlier run left that this run would write. */
  private static void prepareOut(Path out) {
    try {
      Files.createDirectories(out);
      Files.deleteIfExists(out.resolve("payload.log"));
      Files.deleteIfExists(out.resolve("dmesg.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the guest's /out directory " + out, e);
    }
  }

  private static String seconds(long nanos) {
    return String.format("%.1f", nanos / 1e9);
  }

  private static String readQuietly(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void writeQuietly(Path p, String text) {
    try {
      Files.writeString(p, text);
    } catch (IOException ignored) {
      // only a convenience copy of the command line
    }
  }

  /** Follows the serial log file while QEMU writes it, line by line. */
  static final class SerialTail {
    private final Path file;
    private final Consumer<String> output;
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long position;
    final Set<String> stages = new HashSet<>();
    OptionalInt exitStatus = OptionalInt.empty();
    boolean panicked;

    SerialTail(Path file, Consumer<String> output) {
      this.file = file;
      this.output = output;
    }

    void poll() {
      if (!Files.exists(file)) {
        return;
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        ch.position(position);
        int n;
        while ((n = ch.read(buf)) > 0) {
          position += n;
          buf.flip();
          while (buf.hasRemaining()) {
            byte b = buf.get();
            all.write(b);
            if (b == '\n') {
              line();
            } else if (b != '\r') {
              partial.write(b);
            }
          }
          buf.clear();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the serial log " + file, e);
      }
    }

    void finish() {
      if (partial.size() > 0) {
        line();
      }
    }

    private void line() {
      String line = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      if (GuestProtocol.isPayload(line)) {
        if (output != null) {
          output.accept(GuestProtocol.payloadText(line));
        }
        return;
      }
      GuestProtocol.stageOf(line).ifPresent(stages::add);
      OptionalInt s = GuestProtocol.exitStatusOf(line);
      if (s.isPresent()) {
        exitStatus = s;
      }
      if (DmesgChecker.classify(line) == Finding.Kind.PANIC) {
        panicked = true;
      }
    }

    String text() {
      return all.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
  }
}
