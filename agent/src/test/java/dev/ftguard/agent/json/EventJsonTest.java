package dev.ftguard.agent.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
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
            "{\"type\":\"exec\",\"schema_version\":1,\"seq\":1,\"time\":\"2025-11-26T11:49:00.000000001Z\","
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
            "{\"type\":\"exec\",\"schema_version\":1,\"seq\":2,\"time\":\"2025-11-26T11:49:00.000000002Z\","
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
            "{\"type\":\"fork\",\"schema_version\":1,\"seq\":3,\"time\":\"2025-11-26T11:49:00.000000003Z\","
                + "\"mono_ns\":3000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"child_pid\":4250,\"clone_flags\":4001536,\"thread\":true}");
  }

  @Test
  void exitBySignalAndByStatus() {
    assertThat(render(Samples.killed(4)))
        .endsWith(",\"code\":9,\"signal\":9,\"core_dumped\":false,\"group_dead\":false}")
        .startsWith("{\"type\":\"exit\",\"schema_version\":1,\"seq\":4,");
    assertThat(render(Samples.exited(5)))
        .endsWith(",\"code\":768,\"exit_status\":3,\"group_dead\":true}");
  }

  @Test
  void unsignedSixtyFourBitValuesStayUnsigned() {
    var h = Samples.hdr(-1L, 1); // seq 2^64-1
    var e = new dev.ftguard.abi.ExitEvent(h, 0, 0);
    assertThat(render(e))
        .startsWith("{\"type\":\"exit\",\"schema_version\":1,\"seq\":18446744073709551615,");
  }

  @Test
  void dropLine() {
    String line =
        EventJson.line(
            EventJson.drop(
                Instant.parse("2025-11-26T12:00:00Z"), new long[] {5, 0, 1}, new long[] {9, 0, 1}));
    assertThat(line)
        .isEqualTo(
            "{\"type\":\"drop\",\"schema_version\":1,\"time\":\"2025-11-26T12:00:00Z\","
                + "\"dropped\":{\"buffer_full\":5,\"nomem\":0,\"reader_fault\":1},\"count\":6,"
                + "\"dropped_since_load\":{\"buffer_full\":9,\"nomem\":0,\"reader_fault\":1}}");
  }

  @Test
  void tamperLinesSayWhatWasTriedAndWhatItGot() {
    assertThat(render(Samples.unloadRefused(31)))
        .isEqualTo(
            "{\"type\":\"tamper\",\"schema_version\":1,\"seq\":31,"
                + "\"time\":\"2025-11-26T11:49:00.000000031Z\",\"mono_ns\":31000000000,"
                + COMMON.formatted(4300, 4300)
                + ",\"what\":\"unload\",\"target\":\"ftguard\",\"refused\":true,\"result\":-11,"
                + "\"errno\":\"EAGAIN\",\"locked\":true,\"generation\":4}");
    assertThat(render(Samples.ftraceOff(32)))
        .contains(
            "\"what\":\"ftrace_off\",\"target\":\"kernel.ftrace_enabled\",\"refused\":true,"
                + "\"result\":-16,\"errno\":\"EBUSY\",\"locked\":false,\"generation\":0}");
  }

  @Test
  void decisionDenyingAnExec() {
    assertThat(render(Samples.execDenied(10)))
        .isEqualTo(
            "{\"type\":\"decision\",\"schema_version\":1,\"seq\":10,\"time\":\"2025-11-26T11:49:00.000000010Z\","
                + "\"mono_ns\":10000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"generation\":7,\"rule_index\":3,\"policy\":\"no-tmp-exec\","
                + "\"rule\":\"exec-from-tmp\",\"event\":\"exec\",\"action\":\"deny\","
                + "\"mode\":\"enforce\",\"would\":false,\"label\":\"deny\",\"result\":-1,"
                + "\"errno\":\"EPERM\",\"binary\":\"/usr/bin/bash\",\"object\":\"/tmp/x\","
                + "\"argv\":[\"/tmp/x\",\"-v\"],\"argc\":5,\"via\":\"exec\","
                + "\"truncated\":{\"binary\":false,\"object\":false,\"argv\":true},"
                + "\"fault\":{\"argv\":false}}");
  }

  @Test
  void anExecDecisionTakenAtAMappingSaysWhich() {
    assertThat(render(withFlags(Samples.execDenied(10), Abi.DEC_MMAP)))
        .contains("\"event\":\"exec\",")
        .contains(",\"argc\":5,\"via\":\"mmap\",\"truncated\":");
    assertThat(render(withFlags(Samples.execDenied(10), Abi.DEC_MPROTECT)))
        .contains(",\"argc\":5,\"via\":\"mprotect\",\"truncated\":");
    assertThat(render(Samples.openWouldDeny(11))).doesNotContain("\"via\"");
  }

  private static DecisionEvent withFlags(DecisionEvent d, int more) {
    return new DecisionEvent(
        d.header(),
        d.generation(),
        d.rule(),
        d.kind(),
        d.action(),
        d.mode(),
        d.flags() | more,
        d.result(),
        d.mask(),
        d.policy(),
        d.ruleName(),
        d.family(),
        d.address(),
        d.port(),
        d.targetPid(),
        d.newUid(),
        d.newEuid(),
        d.argc(),
        d.binary(),
        d.object(),
        d.argv(),
        0,
        "");
  }

  @Test
  void decisionOfAMonitorPolicyOnOpen() {
    assertThat(render(Samples.openWouldDeny(11)))
        .endsWith(
            ",\"generation\":7,\"rule_index\":5,\"policy\":\"observe\",\"rule\":\"shadow-write\","
                + "\"event\":\"open\",\"action\":\"deny\",\"mode\":\"monitor\",\"would\":true,"
                + "\"label\":\"would deny\",\"result\":0,\"binary\":\"/usr/bin/vi\","
                + "\"object\":\"/etc/shadow\",\"argv\":[\"vi\",\"/etc/shadow\"],\"argc\":2,"
                + "\"access\":[\"write\",\"truncate\"],"
                + "\"truncated\":{\"binary\":false,\"object\":false,\"argv\":false},"
                + "\"fault\":{\"argv\":false}}");
  }

  @Test
  void aDecisionByIdentitySaysSo() {
    assertThat(render(Samples.openDeniedByIdentity(13)))
        .endsWith(
            ",\"errno\":\"EPERM\",\"binary\":\"/usr/bin/cat\",\"object\":\"/var/tmp/link\","
                + "\"by_identity\":true,\"argv\":[\"cat\",\"/var/tmp/link\"],\"argc\":2,"
                + "\"access\":[\"read\"],"
                + "\"truncated\":{\"binary\":false,\"object\":false,\"argv\":false},"
                + "\"fault\":{\"argv\":false}}");
    assertThat(render(Samples.openWouldDeny(11))).doesNotContain("by_identity");
  }

  @Test
  void decisionOnConnectNamesAddressPortAndFamily() {
    assertThat(render(Samples.connectAudit(12, "169.254.169.254", dev.ftguard.abi.Abi.AF_INET)))
        .endsWith(
            ",\"event\":\"connect\",\"action\":\"audit\",\"mode\":\"enforce\",\"would\":false,"
                + "\"label\":\"audit\",\"result\":0,\"binary\":\"/usr/bin/curl\",\"object\":\"\","
                + "\"argv\":[],\"argc\":0,"
                + "\"address\":\"169.254.169.254\",\"port\":443,\"family\":\"ipv4\","
                + "\"truncated\":{\"binary\":false,\"object\":false,\"argv\":false},"
                + "\"fault\":{\"argv\":false}}");
    assertThat(render(Samples.connectAudit(13, "fd00:0:0:0:0:0:0:1", dev.ftguard.abi.Abi.AF_INET6)))
        .contains(",\"address\":\"fd00::1\",\"port\":443,\"family\":\"ipv6\",");
  }

  @Test
  void decisionOnPtraceAndPrivilegeAndModules() {
    assertThat(render(Samples.ptraceKilled(14)))
        .contains(
            ",\"action\":\"deny+kill\",\"mode\":\"enforce\",\"would\":false,\"label\":\"deny+kill\","
                + "\"result\":-13,\"errno\":\"EACCES\",\"binary\":\"/usr/bin/gdb\","
                + "\"object\":\"/usr/sbin/sshd\",\"argv\":[],\"argc\":0,\"target_pid\":777,");
    assertThat(render(Samples.privilegeKill(15)))
        .endsWith(
            ",\"binary\":\"/home/u/x\",\"object\":\"\",\"argv\":[\"x\"],\"argc\":1,"
                + "\"gains\":[\"uid0\"],\"new_uid\":0,\"new_euid\":0,"
                + "\"truncated\":{\"binary\":true,\"object\":false,\"argv\":false},"
                + "\"fault\":{\"argv\":false}}");
    assertThat(render(Samples.moduleAudit(16)))
        .endsWith(
            ",\"label\":\"audit\",\"result\":0,\"binary\":\"/usr/sbin/insmod\","
                + "\"object\":\"nf_tables\",\"argv\":[\"insmod\",\"nf_tables\"],\"argc\":2,"
                + "\"truncated\":{\"binary\":false,\"object\":false,\"argv\":false},"
                + "\"fault\":{\"argv\":true}}");
  }

  @Test
  void ipv6AddressesInTheirShortForm() throws Exception {
    java.util.function.Function<String, String> f =
        a -> EventJson.address(java.net.InetAddress.ofLiteral(a));
    assertThat(f.apply("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
    assertThat(f.apply("0:0:0:0:0:0:0:0")).isEqualTo("::");
    assertThat(f.apply("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(f.apply("fe80:0:0:0:0:0:0:0")).isEqualTo("fe80::");
    assertThat(f.apply("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(f.apply("10.1.2.3")).isEqualTo("10.1.2.3");
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    assertThat(EventJson.address(java.net.Inet6Address.getByAddress(null, mapped, -1)))
        .isEqualTo("::ffff:10.0.0.1");
  }

  static String renderCall(Event e, CallFieldNames names) {
    Event decoded = EventDecoder.nativeOrder().decode(RecordEncoder.encode(e)).events().getFirst();
    return EventJson.line(EventJson.event(decoded, names));
  }

  @Test
  void callLinesNameTheFieldsFromTheDeclaration() {
    CallFieldNames names =
        CallFieldNames.of(
            java.util.Map.of(
                "__x64_sys_mkdirat", java.util.List.of("dfd", "path", "mode"),
                "__x64_sys_bind",
                    java.util.List.of("addr.family", "addr.address", "addr.port", "label")));
    assertThat(renderCall(Samples.callAudit(20), names))
        .isEqualTo(
            "{\"type\":\"call\",\"schema_version\":1,\"seq\":20,\"time\":\"2025-11-26T11:49:00.000000020Z\","
                + "\"mono_ns\":20000000000,"
                + COMMON.formatted(4242, 4242)
                + ",\"generation\":9,\"rule_index\":3,\"hook_index\":0,\"policy\":\"watch-dirs\","
                + "\"rule\":\"mkdir-in-etc\",\"event\":\"call\",\"action\":\"audit\",\"mode\":\"enforce\","
                + "\"would\":false,\"function\":\"__x64_sys_mkdirat\","
                + "\"args\":{\"dfd\":-100,\"path\":\"/etc/cron.d/x\",\"mode\":493},"
                + "\"truncated\":[],\"partial\":[],\"unreadable\":[]}");
    assertThat(renderCall(Samples.callDenied(21), names))
        .contains("\"action\":\"deny\"")
        .contains("\"retval\":-13,\"errno\":\"EACCES\"")
        .contains(
            "\"args\":{\"addr.family\":2,\"addr.address\":\"10.0.0.7\",\"addr.port\":80,\"label\":null}")
        .contains("\"unreadable\":[\"label\"]");
  }

  @Test
  void callFieldsWithoutKnownNamesArePositional() {
    assertThat(renderCall(Samples.callAudit(22), CallFieldNames.NONE))
        .contains("\"args\":{\"field0\":-100,\"field1\":\"/etc/cron.d/x\",\"field2\":493}");
    // names for another declaration (other field count) are not used
    CallFieldNames stale =
        CallFieldNames.of(java.util.Map.of("__x64_sys_mkdirat", java.util.List.of("a", "b")));
    assertThat(renderCall(Samples.callAudit(23), stale)).contains("\"field0\":-100");
  }
}
