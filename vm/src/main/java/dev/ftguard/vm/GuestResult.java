package dev.ftguard.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a guest run ended and what it left behind.
 *
 * @param exitStatus the payload's exit status from the guest's exit marker; empty if the marker
 *     never came
 * @param timedOut the host-side timeout killed QEMU
 * @param findings kernel trouble in the serial log and dmesg ({@link DmesgChecker})
 * @param serialLog the whole serial console output
 * @param outDir host directory that was {@code /out} in the guest ({@code payload.log}, {@code
 *     dmesg.txt}, payload files)
 * @param dmesg the guest's {@code dmesg} after the payload; empty if the guest never got there
 * @param payloadOutput the payload's stdout+stderr lines as seen on the serial console
 * @param accel how the guest ran
 * @param timings where the time went
 * @param workDir host directory with {@code serial.log}, {@code qemu.log}, {@code initrd.img}
 */
public record GuestResult(
    OptionalInt exitStatus,
    boolean timedOut,
    List<Finding> findings,
    String serialLog,
    Path outDir,
    String dmesg,
    List<String> payloadOutput,
    Accel accel,
    Timings timings,
    Path workDir) {

  public GuestResult {
    findings = List.copyOf(findings);
    payloadOutput = List.copyOf(payloadOutput);
  }

  /**
   * @param prepare initramfs and work directory, before QEMU starts
   * @param toPayload QEMU start until the guest started the payload
   * @param toMarker QEMU start until the exit marker
   * @param total the whole {@link Vm#run}
   */
  public record Timings(
      Duration prepare,
      Optional<Duration> toPayload,
      Optional<Duration> toMarker,
      Duration total) {}

  /** The three ways a run ends. */
  public sealed interface Outcome {
    /** The payload finished; the guest reported its exit status. */
    record Exited(int status) implements Outcome {}

    /** The guest stopped (panic, triple fault, QEMU died) without reporting an exit status. */
    record Crashed(String reason) implements Outcome {}

    /** QEMU was still running at the timeout and was killed. */
    record TimedOut(Duration after) implements Outcome {}
  }

  public Outcome outcome() {
    if (exitStatus.isPresent()) {
      return new Outcome.Exited(exitStatus.getAsInt());
    }
    if (timedOut) {
      return new Outcome.TimedOut(timings.total());
    }
    return new Outcome.Crashed(
        findings.stream()
            .filter(f -> f.kind().fatal())
            .findFirst()
            .map(f -> f.line())
            .or(() -> findings.stream().findFirst().map(Finding::toString))
            .orElse(
                "guest stopped without the exit marker and without a recognised kernel message"));
  }

  /** The payload exited with status 0 and the kernel reported nothing. */
  public boolean clean() {
    return exitStatus.equals(OptionalInt.of(0)) && findings.isEmpty();
  }

  /** The guest died: no exit marker and no timeout. */
  public boolean crashed() {
    return outcome() instanceof Outcome.Crashed;
  }

  /** A file the payload wrote under {@code /out}. */
  public Path outFile(String name) {
    return outDir.resolve(name);
  }

  /** Text of a file the payload wrote under {@code /out}. */
  public String readOutFile(String name) {
    try {
      return Files.readString(outFile(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("guest left no readable /out/" + name + " in " + outDir, e);
    }
  }

  /**
   * One-paragraph description for logs and assertion messages: outcome, findings, last serial
   * lines.
   */
  public String summary() {
    String head =
        switch (outcome()) {
          case Outcome.Exited(int status) -> "payload exited with status " + status;
          case Outcome.Crashed(String reason) -> "guest crashed: " + reason;
          case Outcome.TimedOut(Duration after) ->
              "guest timed out; QEMU killed after " + after.toMillis() / 1000.0 + " s";
        };
    List<String> lines = serialLog.lines().toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - 30), lines.size());
    return head
        + " ("
        + accel
        + ", "
        + timings.total().toMillis()
        + " ms)\n"
        + DmesgChecker.report(findings)
        + "\n"
        + "serial log tail ("
        + workDir.resolve("serial.log")
        + "):\n  "
        + String.join("\n  ", tail);
  }
}
