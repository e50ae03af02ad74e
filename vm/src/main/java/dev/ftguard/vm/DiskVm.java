package dev.ftguard.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Boots a whole system from a disk image: a distribution's kernel and initramfs, its root file
 * system on a virtio disk, its own init (systemd). Unlike {@link Vm}'s initramfs guests, the guest
 * may reboot itself (QEMU resets it and boots the same disk again) and ends when it powers off. The
 * console is the first serial port ({@code ttyS0}, where a login prompt may take it over); what the
 * guest's own programs report goes to the second ({@code ttyS1}), which nothing else uses.
 */
public final class DiskVm {
  private DiskVm() {}

  private static final long POLL_MILLIS = 100;

  /**
   * One boot: what to start and how long to wait.
   *
   * @param kernel the kernel image (bzImage) QEMU loads
   * @param initrd its initramfs
   * @param disk a raw disk image holding the root file system
   * @param cmdline the kernel command line (the console must be ttyS0)
   * @param work a directory for the serial log, QEMU's log and its command line
   * @param progressPrefix serial lines starting with it are passed to {@code progress} as they
   *     arrive
   * @param progress receives those lines and the harness's own steps
   */
  public record Spec(
      Path kernel,
      Path initrd,
      Path disk,
      String cmdline,
      int memoryMib,
      Duration timeout,
      Path work,
      String progressPrefix,
      Consumer<String> progress) {}

  /** What the guest printed on its console and its report port, and how it ended. */
  public record Result(
      String console, String report, boolean timedOut, boolean panicked, Duration took) {
    /** The report port's lines. */
    public List<String> lines() {
      return report.lines().toList();
    }
  }

  /** Boots and waits until QEMU exits (the guest powered off), the guest panics or time is up. */
  public static Result run(Spec spec) {
    Accel.Choice accel = Accel.detect();
    Path serial = spec.work().resolve("console.log");
    Path report = spec.work().resolve("report.log");
    Path qemuLog = spec.work().resolve("qemu.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Tools.find("qemu-system-x86_64", "qemu-system-x86"));
    cmd.addAll(List.of("-machine", "q35", "-m", Integer.toString(spec.memoryMib()), "-smp", "1"));
    cmd.addAll(accel.accel().qemuArgs());
    cmd.addAll(
        List.of(
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-monitor",
            "none",
            "-serial",
            "file:" + serial,
            "-serial",
            "file:" + report,
            "-kernel",
            spec.kernel().toString(),
            "-initrd",
            spec.initrd().toString(),
            "-append",
            spec.cmdline(),
            "-drive",
            "file=" + spec.disk() + ",if=virtio,format=raw"));
    try {
      Files.createDirectories(spec.work());
      Files.deleteIfExists(serial);
      Files.deleteIfExists(report);
      Files.writeString(spec.work().resolve("qemu.cmd"), String.join(" ", cmd) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + spec.work(), e);
    }
    spec.progress()
        .accept(
            "booting "
                + spec.disk().getFileName()
                + " with "
                + accel.accel()
                + " ("
                + accel.reason()
                + "), timeout "
                + spec.timeout().toSeconds()
                + " s; logs in "
                + spec.work());
    long start = System.nanoTime();
    Process qemu;
    try {
      qemu =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectErrorStream(true)
              .redirectOutput(qemuLog.toFile())
              .start();
    } catch (IOException e) {
      throw new VmException("cannot start QEMU: " + e.getMessage(), e);
    }
    Thread killer = new Thread(qemu::destroyForcibly, "ftguard-diskvm-kill-qemu");
    Runtime.getRuntime().addShutdownHook(killer);
    LineTail console = new LineTail(serial);
    LineTail tail = new LineTail(report);
    boolean timedOut = false;
    boolean panicked = false;
    try {
      while (!qemu.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        for (String line : tail.newLines()) {
          if (line.startsWith(spec.progressPrefix())) {
            spec.progress().accept(line);
          }
        }
        for (String line : console.newLines()) {
          panicked |= line.contains("Kernel panic - not syncing");
        }
        if (panicked || System.nanoTime() - start > spec.timeout().toNanos()) {
          timedOut = !panicked;
          spec.progress().accept(panicked ? "guest panicked; stopping QEMU" : "timeout; stopping");
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmException("interrupted while the guest ran", e);
    } finally {
      Vm.stop(qemu, killer);
    }
    for (String line : tail.newLines()) {
      if (line.startsWith(spec.progressPrefix())) {
        spec.progress().accept(line);
      }
    }
    console.newLines();
    String text = console.all();
    if (text.isBlank()) {
      throw new VmException(
          "QEMU exited before the guest printed anything: "
              + readQuietly(qemuLog).strip()
              + " (command in "
              + spec.work().resolve("qemu.cmd")
              + ")");
    }
    return new Result(
        text, tail.all(), timedOut, panicked, Duration.ofNanos(System.nanoTime() - start));
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The complete lines appended to a growing file since the last call. */
  private static final class LineTail {
    private final Path file;
    private long read;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder all = new StringBuilder();

    LineTail(Path file) {
      this.file = file;
    }

    List<String> newLines() {
      List<String> lines = new ArrayList<>();
      if (!Files.exists(file)) {
        return lines;
      }
      try (var in = Files.newInputStream(file)) {
        in.skipNBytes(read);
        byte[] b = in.readAllBytes();
        read += b.length;
        // serial output is ASCII with the odd control byte; ISO-8859-1 never splits a character
        String s = new String(b, StandardCharsets.ISO_8859_1).replace("\r", "");
        all.append(s);
        pending.append(s);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the serial log " + file, e);
      }
      int nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        lines.add(pending.substring(0, nl));
        pending.delete(0, nl + 1);
      }
      return lines;
    }

    String all() {
      return all.toString();
    }
  }
}
