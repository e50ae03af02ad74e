package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A full ring buffer drops new records and counts every one: with the smallest buffer and no
 * reader, a burst of execs overflows it; produced + dropped accounts for every record the hooks
 * made, and draining delivers exactly what was produced.
 */
class DropAccountingIT {

  /** 3 records each: several times what 64 KiB per CPU holds. */
  private static final int EXECS = 1000;

  @Test
  void everyLostRecordIsCountedAndEveryKeptOneDelivered() throws Exception {
    String f = FtguardGuest.FTGUARD;
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("drop-accounting", Duration.ofMinutes(6))
                .payload(
                    """
                        set -u
                        %s load --ko %s --buffer-kb 64
                        i=0
                        while [ $i -lt %d ]; do /bin/true; i=$((i + 1)); done
                        %s status --json > /out/before.json
                        %s events > /out/events.jsonl 2> /out/events.err
                        %s status --json > /out/after.json
                        %s unload
                        """
                        .formatted(f, FtguardGuest.MODULE, EXECS, f, f, f, f)));
    JsonNode before = FtguardGuest.readJson(r, "before.json");
    JsonNode after = FtguardGuest.readJson(r, "after.json");
    List<JsonNode> events = FtguardGuest.readJsonLines(r, "events.jsonl");

    long full = before.findValue("buffer_full").asLong();
    long produced = before.findValue("produced").asLong();
    // each /bin/true is a fork, an exec and an exit: at least 3 records per loop turn
    assertThat(full).as("buffer_full drops in %s", before).isPositive();
    assertThat(produced + full)
        .as("records made, kept or dropped")
        .isGreaterThanOrEqualTo(3L * EXECS);

    // the drain delivered every record that was in the buffer before it started ...
    long delivered = after.findValue("delivered").asLong();
    long drained = events.stream().filter(e -> !e.get("type").asString().equals("drop")).count();
    assertThat(drained).as(r.readOutFile("events.err")).isEqualTo(delivered);
    assertThat(delivered).isGreaterThanOrEqualTo(produced);
    assertThat(after.findValue("produced").asLong()).isGreaterThanOrEqualTo(delivered);
    // ... and nothing else went missing on the way
    assertThat(after.findValue("reader_fault").asLong()).isZero();
    assertThat(after.findValue("nomem").asLong()).isZero();
  }
}
