package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What root can do to the module itself (docs/enforcement.md, "Switching the hooks off" and "Lock
 * mode"), each route tried while an exec rule denies {@code /opt/t/denied}: the rule must still
 * hold afterwards, every attempt must be refused or reported (a tamper event, a counter, a kernel
 * log line), and the lock — from {@code ftguard lock}, from the module parameter, from a policy —
 * must refuse every table change and unload until reboot. One guest boot per way of locking (a
 * locked module stays until reboot).
 */
class TamperIT {

  private static final String SETUP =
      """
            set -u
            F=%s
            T=%s
            export FTGUARD_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            mkdir -p /opt/t && cp $T /opt/t/denied && chmod a+rx /opt/t/denied
            cat > /tmp/p.yaml <<'POLICY'
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: tamper}
            spec:
              rules:
                - name: deny-denied
                  event: exec
                  match: {binary: {exact: [/opt/t/denied]}}
                  action: deny
            POLICY
            sed 's/deny-denied/deny-other/; s#/opt/t/denied#/opt/t/other#' /tmp/p.yaml > /tmp/p2.yaml
            cat > /tmp/plock.yaml <<'POLICY'
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: tamper}
            spec:
              lock: true
              rules:
                - name: deny-denied
                  event: exec
                  match: {binary: {exact: [/opt/t/denied]}}
                  action: deny
            POLICY
            """
          .formatted(FtguardGuest.FTGUARD, FtguardGuest.TEST_HELPER);

  private static GuestResult boot(String name, String script) throws Exception {
    return FtguardGuest.runClean(
        FtguardGuest.withTestFiles(FtguardGuest.guest(name, Duration.ofMinutes(6)))
            .payload(SETUP + script.formatted(FtguardGuest.MODULE) + "echo done > /out/done\n"));
  }

  private static String out(GuestResult r, String file) {
    return r.readOutFile(file).strip();
  }

  /** The denied binary was refused by the exec rule (EPERM, the rule's default errno). */
  private static void denied(GuestResult r, String step) {
    assertThat(out(r, step + ".out")).as(step).isEqualTo("errno=EPERM");
  }

  private static List<JsonNode> tamper(List<JsonNode> events, String what) {
    return events.stream()
        .filter(e -> Scenarios.is(e, "tamper") && what.equals(Scenarios.text(e, "what")))
        .toList();
  }

  @Test
  void switchingFtraceOffIsRefusedAndTheLockRefusesEveryChange() throws Exception {
    GuestResult r =
        boot(
            "tamper-lock-command",
            """
            $F load --ko %s || exit 1
            $F policy apply /tmp/p.yaml > /out/apply1.out 2>&1; echo $? > /out/apply1.rc
            $T exec /opt/t/denied ok > /out/exec0.out 2>&1
            # ftrace off: the hooks are FTRACE_OPS_FL_PERMANENT
            $T write /proc/sys/kernel/ftrace_enabled 0 > /out/ftrace_off.out
            cat /proc/sys/kernel/ftrace_enabled > /out/ftrace_enabled
            echo 0 > /proc/sys/kernel/ftrace_enabled 2> /dev/null; echo $? > /out/ftrace_off_echo.rc
            $T write /proc/sys/kernel/ftrace_enabled 1 > /out/ftrace_on.out
            $T exec /opt/t/denied ok > /out/exec1.out 2>&1
            # tracing knobs that do not touch an ftrace_ops of its own filter
            TR=/sys/kernel/tracing
            echo 0 > $TR/tracing_on
            echo nop > $TR/current_tracer
            echo security_bprm_check > $TR/set_ftrace_notrace
            echo 1 > $TR/set_ftrace_pid
            $T exec /opt/t/denied ok > /out/exec2.out 2>&1
            echo > $TR/set_ftrace_notrace; echo > $TR/set_ftrace_pid; echo 1 > $TR/tracing_on
            # the lock
            $F lock > /out/lock.out 2>&1; echo $? > /out/lock.rc
            $F policy apply /tmp/p2.yaml > /out/apply2.out 2>&1; echo $? > /out/apply2.rc
            $F policy clear > /out/clear.out 2>&1; echo $? > /out/clear.rc
            $T delete-module ftguard > /out/rmmod.out
            $T delete-module ftguard force > /out/rmmod_force.out
            $T delete-module ftg_none force > /out/rmmod_force_other.out
            $F unload > /out/unload.out 2>&1; echo $? > /out/unload.rc
            $T write /proc/sys/kernel/ftrace_enabled 0 > /out/ftrace_off_locked.out
            $T exec /opt/t/denied ok > /out/exec3.out 2>&1
            $F events > /out/events.jsonl 2> /out/events.err
            $F status --json > /out/status.json
            $F status > /out/status.txt
            grep -c '^ftguard ' /proc/modules > /out/loaded
            """);
    assertThat(out(r, "apply1.rc")).as(r.readOutFile("apply1.out")).isEqualTo("0");
    denied(r, "exec0");
    assertThat(out(r, "ftrace_off.out")).as("write 0 to ftrace_enabled").isEqualTo("errno=EBUSY");
    assertThat(out(r, "ftrace_enabled")).isEqualTo("1");
    assertThat(out(r, "ftrace_off_echo.rc")).as("the same from the shell").isEqualTo("1");
    assertThat(out(r, "ftrace_on.out")).as("writing 1 is no attempt").isEqualTo("ok");
    denied(r, "exec1");
    denied(r, "exec2");

    assertThat(out(r, "lock.rc")).as(r.readOutFile("lock.out")).isEqualTo("0");
    assertThat(r.readOutFile("lock.out"))
        .contains("locked until reboot: rule table generation 1 (1 rules) is final");
    assertThat(out(r, "apply2.rc")).as(r.readOutFile("apply2.out")).isEqualTo("13");
    assertThat(r.readOutFile("apply2.out")).contains("locked until reboot");
    assertThat(out(r, "clear.rc")).as(r.readOutFile("clear.out")).isEqualTo("13");
    assertThat(out(r, "rmmod.out")).as("the lock holds a reference").isEqualTo("errno=EAGAIN");
    assertThat(out(r, "rmmod_force.out")).as("forced unload").isEqualTo("errno=EPERM");
    assertThat(out(r, "rmmod_force_other.out"))
        .as("no module can be force-unloaded while locked")
        .isEqualTo("errno=EPERM");
    assertThat(out(r, "unload.rc")).as(r.readOutFile("unload.out")).isEqualTo("13");
    assertThat(out(r, "ftrace_off_locked.out")).isEqualTo("errno=EBUSY");
    denied(r, "exec3");
    assertThat(out(r, "loaded")).isEqualTo("1");
    assertThat(r.readOutFile("status.txt")).contains("locked     yes, until reboot");

    List<JsonNode> events = FtguardGuest.readJsonLines(r, "events.jsonl");
    List<JsonNode> off = tamper(events, "ftrace_off");
    assertThat(off).hasSize(3).allSatisfy(e -> assertRefused(e, "EBUSY", "kernel.ftrace_enabled"));
    assertThat(off.stream().map(e -> e.get("locked").asBoolean()))
        .containsExactly(false, false, true);
    List<JsonNode> table = tamper(events, "table");
    assertThat(table).hasSize(2).allSatisfy(e -> assertRefused(e, "EPERM", ""));
    List<JsonNode> unload = tamper(events, "unload");
    assertThat(unload).hasSize(4).allSatisfy(e -> assertThat(e.get("locked").asBoolean()).isTrue());
    assertRefused(unload.get(0), "EAGAIN", "ftguard");
    assertRefused(unload.get(1), "EPERM", "ftguard");
    assertRefused(unload.get(2), "EPERM", "ftg_none");
    assertRefused(unload.get(3), "EAGAIN", "ftguard");
    assertThat(events)
        .filteredOn(e -> Scenarios.is(e, "decision"))
        .as("every run of the denied binary was denied by its rule")
        .hasSize(4)
        .allSatisfy(e -> assertThat(Scenarios.text(e, "rule")).isEqualTo("deny-denied"));

    JsonNode counters = FtguardGuest.readJson(r, "status.json").path("counters");
    assertThat(counters.path("locked").asBoolean()).isTrue();
    assertThat(counters.path("tamper").path("ftrace_off").asLong()).isEqualTo(3);
    assertThat(counters.path("tamper").path("unload").asLong()).isEqualTo(4);
    assertThat(counters.path("tamper").path("table").asLong()).isEqualTo(2);
    assertThat(r.dmesg())
        .contains("ftguard: locked by FTG_IOC_LOCK")
        .contains("ftguard: write of 0 to kernel.ftrace_enabled by pid")
        .contains("ftguard: rule table change by pid")
        .contains("ftguard: delete_module ftguard by pid");
  }

  private static void assertRefused(JsonNode e, String errno, String target) {
    assertThat(e.get("refused").asBoolean()).as("%s", e).isTrue();
    assertThat(Scenarios.text(e, "errno")).as("%s", e).isEqualTo(errno);
    assertThat(Scenarios.text(e, "target")).as("%s", e).isEqualTo(target);
  }

  @Test
  void theModuleParameterLocksFromLoadAndTheFirstTableIsFinal() throws Exception {
    GuestResult r =
        boot(
            "tamper-lock-parameter",
            """
            $F load --ko %s --lock || exit 1
            cat /sys/module/ftguard/parameters/lock > /out/param
            $F status > /out/status0.txt
            $F policy apply /tmp/p.yaml > /out/apply1.out 2>&1; echo $? > /out/apply1.rc
            $T exec /opt/t/denied ok > /out/exec1.out 2>&1
            $F policy apply /tmp/p2.yaml > /out/apply2.out 2>&1; echo $? > /out/apply2.rc
            $T delete-module ftguard > /out/rmmod.out
            $T delete-module ftguard force > /out/rmmod_force.out
            $T exec /opt/t/denied ok > /out/exec2.out 2>&1
            """);
    assertThat(out(r, "param")).isEqualTo("Y");
    assertThat(r.readOutFile("status0.txt")).contains("locked     yes, until reboot");
    assertThat(out(r, "apply1.rc"))
        .as("the first table after a lock at load is accepted: %s", r.readOutFile("apply1.out"))
        .isEqualTo("0");
    denied(r, "exec1");
    assertThat(out(r, "apply2.rc")).as(r.readOutFile("apply2.out")).isEqualTo("13");
    assertThat(out(r, "rmmod.out")).isEqualTo("errno=EAGAIN");
    assertThat(out(r, "rmmod_force.out")).isEqualTo("errno=EPERM");
    denied(r, "exec2");
    assertThat(r.dmesg()).contains("ftguard: locked by the lock parameter");
  }

  @Test
  void anUnlockedUnloadIsReportedAndAPolicyCanLock() throws Exception {
    GuestResult r =
        boot(
            "tamper-unload-policy-lock",
            """
            $F load --ko %1$s || exit 1
            $F policy apply /tmp/p.yaml > /out/apply1.out 2>&1; echo $? > /out/apply1.rc
            env --default-signal=INT $F events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            # the reader holds the module once it has the device open (refcount 1)
            i=0
            until grep -q '^ftguard [0-9]* 1 ' /proc/modules; do
              i=$((i + 1)); [ $i -le 600 ] || { echo "the reader never opened the device" >&2; exit 1; }
              sleep 0.1
            done
            $T delete-module ftguard > /out/rmmod_busy.out
            sleep 1
            kill -INT $reader
            wait $reader
            $T delete-module ftguard > /out/rmmod.out
            $T exec /opt/t/denied ok > /out/exec_unloaded.out 2>&1
            $F load --ko %1$s || exit 1
            $F policy apply /tmp/plock.yaml > /out/apply_lock.out 2>&1; echo $? > /out/apply_lock.rc
            $F status > /out/status.txt
            $F policy apply /tmp/p.yaml > /out/apply2.out 2>&1; echo $? > /out/apply2.rc
            $T delete-module ftguard > /out/rmmod_locked.out
            $T exec /opt/t/denied ok > /out/exec_locked.out 2>&1
            """);
    assertThat(out(r, "apply1.rc")).as(r.readOutFile("apply1.out")).isEqualTo("0");
    assertThat(out(r, "rmmod_busy.out")).as("a reader holds the module").isEqualTo("errno=EAGAIN");
    assertThat(out(r, "rmmod.out")).as("not locked: root may unload").isEqualTo("ok");
    assertThat(out(r, "exec_unloaded.out")).as("nothing enforces any more").isEqualTo("ok");
    List<JsonNode> unload = tamper(FtguardGuest.readJsonLines(r, "events.jsonl"), "unload");
    assertThat(unload).singleElement().satisfies(e -> assertRefused(e, "EAGAIN", "ftguard"));
    assertThat(unload.getFirst().get("locked").asBoolean()).isFalse();
    assertThat(r.dmesg())
        .as("the unload that went ahead is in the kernel log")
        .contains("ftguard: delete_module ftguard by pid")
        .contains("goes ahead (0); 1 rules in force")
        .contains("ftguard: unloading: the 1 rules of table 1 are no longer enforced");

    assertThat(out(r, "apply_lock.rc")).as(r.readOutFile("apply_lock.out")).isEqualTo("0");
    assertThat(r.readOutFile("status.txt")).contains("locked     yes, until reboot");
    assertThat(out(r, "apply2.rc")).as(r.readOutFile("apply2.out")).isEqualTo("13");
    assertThat(out(r, "rmmod_locked.out")).isEqualTo("errno=EAGAIN");
    denied(r, "exec_locked");
    assertThat(r.dmesg()).contains("ftguard: locked by the rule table");
  }
}
