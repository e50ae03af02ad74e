package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GuestProtocolTest {

  private static final String SERIAL =
      """
            ==ftguard-vm== stage init
            ==ftguard-vm== stage payload
            payload| hello
            payload| ==ftguard-vm== exit 0
            payload|
            [    2.5] ftguard: WARNING: this is payload-free kernel text
            ==ftguard-vm== exit 7
            [    2.8] reboot: Power down
            """;

  @Test
  void exitMarkerGivesTheStatusAndPayloadCannotFakeIt() {
    assertThat(GuestProtocol.exitStatus(SERIAL)).isEqualTo(OptionalInt.of(7));
    assertThat(GuestProtocol.exitStatus("payload| ==ftguard-vm== exit 0\n")).isEmpty();
    assertThat(
            GuestProtocol.exitStatus("[ 1.0] Kernel panic - not syncing: sysrq triggered crash\n"))
        .isEmpty();
  }

  @Test
  void markerIsFoundBehindConsoleNoiseAndWithCarriageReturns() {
    // kernel printk can land on the same console line before the marker
    assertThat(GuestProtocol.exitStatus("[ 3.1] random: crng init done==ftguard-vm== exit 3\r\n"))
        .isEqualTo(OptionalInt.of(3));
    assertThat(GuestProtocol.exitStatusOf("==ftguard-vm== exit 255"))
        .isEqualTo(OptionalInt.of(255));
    assertThat(GuestProtocol.exitStatusOf("==ftguard-vm== exit ")).isEmpty();
  }

  @Test
  void stagesAndPayloadLines() {
    assertThat(GuestProtocol.stageOf("==ftguard-vm== stage payload"))
        .isEqualTo(Optional.of("payload"));
    assertThat(GuestProtocol.stageOf("payload| ==ftguard-vm== stage payload")).isEmpty();
    assertThat(GuestProtocol.payloadLines(SERIAL))
        .containsExactly("hello", "==ftguard-vm== exit 0", "");
  }

  @Test
  void kernelLinesDropPayloadOutputAndMarkersButKeepLineNumbers() {
    String kernel = GuestProtocol.kernelLines(SERIAL);
    assertThat(kernel.lines().toList()).hasSize(8);
    assertThat(kernel)
        .doesNotContain("hello")
        .doesNotContain("==ftguard-vm==")
        .contains("reboot: Power down");
    assertThat(DmesgChecker.check(kernel, "serial"))
        .extracting(Finding::lineNumber)
        .containsExactly(6);
  }

  @Test
  void initScriptMountsSharesAndRunsThePayload() {
    String init =
        GuestProtocol.initScript(
            List.of(
                new GuestProtocol.Mount("share0", "/ftguard", false),
                new GuestProtocol.Mount("share1", "/data", true)),
            false);

    assertThat(init)
        .startsWith("#!/bin/sh\n")
        .contains("m9p usr $R/usr ro,cache=loose")
        .contains("m9p etc $R/etc ro,cache=loose")
        .contains("m9p out $R/out rw,cache=none")
        .contains("m9p share0 \"$R/ftguard\" ro,cache=loose")
        .contains("m9p share1 \"$R/data\" rw,cache=none")
        .contains("mount -t tracefs tracefs /sys/kernel/tracing")
        .contains("mount --rbind /sys $R/sys")
        .contains("exec /bin/sh /run/ftguard-vm/payload")
        .contains("tee $R/out/payload.log")
        .contains("dmesg >$R/out/dmesg.txt")
        .contains("echo \"==ftguard-vm== exit $st\"")
        .contains("poweroff -f");
    assertThat(init.indexOf("dmesg >$R/out/dmesg.txt")).isLessThan(init.indexOf("exit $st"));
    assertThat(GuestProtocol.initScript(List.of(), true)).contains("exec /run/ftguard-vm/payload'");
  }
}
