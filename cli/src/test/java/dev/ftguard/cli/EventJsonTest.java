package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.abi.RecordEncoder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Golden JSON lines for events decoded from kernel-format bytes. */
class EventJsonTest {
  static String render(Event e) {
    Event decoded = EventDecoder.nativeOrder().decode(RecordEncoder.encode(e)).events().getFirst();
    return EventJson.line(EventJson.event(decoded));
  }

  static final String COMMON =
      "\"cpu\":3,\"pid\":%d,\"tgid\":%d,\"ppid\":1,\"uid\":1000,\"gid\":1000,\"euid\":0,"
          + "\"comm\":\"bash\",\"cgroup_id\":7";

  @Test
  void exec() {
    assertThat(render(Samples.exec(1)))
        .isEqualTo(
            "{\"type\":\"exec\",\"seq\":1,\"time\":\"2025-11-26T11:49:00.000000001Z\","
                + "\"mono_ns\":1000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"syscall\":\"execve\",\"filename\":\"/usr/bin/id\",\"argv\":[\"id\",\"-u\"],"
                + "\"argc\":2,\"result\":0,\"truncated\":{\"filename\":false,\"argv\":false},"
                + "\"fault\":{\"filename\":false,\"argv\":false}}");
  }

  @Test
  void failedExecveatHasErrnoAndDirfd() {
    assertThat(render(Samples.failedExecveat(2)))
        .isEqualTo(
            "{\"type\":\"exec\",\"seq\":2,\"time\":\"2025-11-26T11:49:00.000000002Z\","
                + "\"mono_ns\":2000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"syscall\":\"execveat\",\"filename\":\"missing\",\"argv\":[\"missing\"],"
                + "\"argc\":100,\"result\":-2,\"errno\":\"ENOENT\","
                + "\"truncated\":{\"filename\":false,\"argv\":true},"
                + "\"fault\":{\"filename\":false,\"argv\":false},\"dirfd\":-100,\"at_flags\":256}");
  }

  @Test
  void forkOfAThread() {
    assertThat(render(Samples.thread(3)))
        .isEqualTo(
            "{\"type\":\"fork\",\"seq\":3,\"time\":\"2025-11-26T11:49:00.000000003Z\","
                + "\"mono_ns\":3000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"child_pid\":4250,\"clone_flags\":4001536,\"thread\":true}");
  }

  @Test
  void exitBySignalAndByStatus() {
    assertThat(render(Samples.killed(4)))
        .endsWith(",\"code\":9,\"signal\":9,\"core_dumped\":false,\"group_dead\":false}")
        .startsWith("{\"type\":\"exit\",\"seq\":4,");
    assertThat(render(Samples.exited(5)))
        .endsWith(",\"code\":768,\"exit_status\":3,\"group_dead\":true}");
  }

  @Test
  void unsignedSixtyFourBitValuesStayUnsigned() {
    var h = Samples.hdr(-1L, 1); // seq 2^64-1
    var e = new dev.ftguard.abi.ExitEvent(h, 0, 0);
    assertThat(render(e)).startsWith("{\"type\":\"exit\",\"seq\":18446744073709551615,");
  }

  @Test
  void dropLine() {
    String line =
        EventJson.line(
            EventJson.drop(
                Instant.parse("2025-11-26T12:00:00Z"), new long[] {5, 0, 1}, new long[] {9, 0, 1}));
    assertThat(line)
        .isEqualTo(
            "{\"type\":\"drop\",\"time\":\"2025-11-26T12:00:00Z\","
                + "\"dropped\":{\"buffer_full\":5,\"nomem\":0,\"reader_fault\":1},\"count\":6,"
                + "\"dropped_since_load\":{\"buffer_full\":9,\"nomem\":0,\"reader_fault\":1}}");
  }
}
