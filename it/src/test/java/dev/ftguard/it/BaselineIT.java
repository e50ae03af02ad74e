package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.PolicyEnforcementIT.Scenario;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestFile;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The hardened baseline, {@code docs/examples/baseline.yaml}, applied on its own exactly as the
 * README says ({@code ftguard policy apply docs/examples/baseline.yaml}), then with its policies
 * switched to monitor: a few of its routes, denied (errno and decision) and then only reported.
 *
 * <p>The guest's {@code /etc} and {@code /usr} are read-only 9p shares, where a write fails before
 * any LSM hook: writable copies are bind-mounted over {@code /etc/passwd} and {@code /usr/bin/yes},
 * so that the write reaches {@code security_file_open} at those paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaselineIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  private static final String SETUP =
      """
            cp %1$s /tmp/bl-prog && chmod 755 /tmp/bl-prog
            cp /etc/passwd /root/passwd-copy && mount --bind /root/passwd-copy /etc/passwd
            cp /usr/bin/yes /root/yes-copy && mount --bind /root/yes-copy /usr/bin/yes
            """
          .formatted(T);

  /**
   * After the {@link Scenarios#prelude}: the baseline applied by its path in the repository, then
   * switched to monitor; {@code scenarios PHASE} after each.
   */
  private static final String PHASES =
      """
            cd /root
            sed 's/mode: enforce/mode: monitor/' docs/examples/baseline.yaml > /tmp/monitor.yaml
            apply_policy enforce docs/examples/baseline.yaml
            scenarios enforce
            apply_policy monitor /tmp/monitor.yaml
            scenarios monitor
            """;

  static final List<Scenario> SCENARIOS =
      List.of(
          // a program dropped in /tmp: denied to a user with EACCES, recorded for root
          new Scenario("exec", "temp-exec-user", T + " as 1000 1000 /tmp/bl-prog ok", "ok")
              .blocked("EACCES")
              .decision("baseline-exec", "temp-exec", "deny", "/tmp/bl-prog"),
          new Scenario("exec", "temp-exec-root", T + " exec /tmp/bl-prog ok", "ok")
              .decision("baseline-exec", "root-temp-exec", "audit", "/tmp/bl-prog"),
          // a memfd run by a user: denied and killed
          new Scenario(
                  "exec", "memfd-user", T + " as 1000 1000 " + T + " memfd-exec " + T + " ok", "ok")
              .killed()
              .decision(
                  "baseline-exec", "fileless", "deny+kill", "/memfd:ftg-memfd (deleted)", T, "ok"),
          // writes to the account databases and to system binaries
          new Scenario("open", "passwd-write", T + " open /etc/passwd w", "ok")
              .blocked("EPERM")
              .decision("baseline-files", "account-files", "deny", "/etc/passwd"),
          new Scenario("open", "passwd-read", T + " open /etc/passwd r", "ok"),
          new Scenario("open", "system-binary-write", T + " open /usr/bin/yes w trunc", "ok")
              .blocked("EPERM")
              .decision("baseline-files", "system-binaries", "deny", "/usr/bin/yes"),
          // module loads recorded
          new Scenario(
                  "module_load", "module", T + " finit-module " + FtguardGuest.HELLO_MODULE, "ok")
              .post("rmmod ftg_hello 2>/dev/null")
              .decision("baseline-audit", "module-loads", "audit", "ftg_hello"),
          // a system binary runs untouched
          new Scenario("exec", "system-binary", T + " exec /usr/bin/echo ok", "ok"));

  private Scenarios run;

  @BeforeAll
  void applyTheBaselineAlone() throws Exception {
    String payload =
        Scenarios.prelude(SETUP, "")
            + "scenarios() {\n"
            + PolicyEnforcementIT.scenarioScript(SCENARIOS)
            + "}\n"
            + PHASES
            + Scenarios.END;
    run =
        Scenarios.play(
            FtguardGuest.withTestFiles(FtguardGuest.guest("baseline", Duration.ofMinutes(8)))
                .file(
                    GuestFile.copyOf(
                        Repository.root().resolve("docs/examples/baseline.yaml"),
                        "/root/docs/examples/baseline.yaml")),
            payload);
  }

  @Test
  void theReadmeCommandAppliesTheBaselineAloneWithoutWarnings() {
    run.assertApplied("enforce", "monitor");
    for (String ph : List.of("enforce", "monitor")) {
      assertThat(run.file(ph + "/apply.err")).as("warnings (%s)", ph).isEmpty();
    }
    assertThat(run.file("enforce/apply.out"))
        .startsWith("applied generation ")
        .contains("4 policies");
    run.assertReaderClean();
  }

  @Test
  void itsRoutesInBothModes() {
    PolicyEnforcementIT.checkBothPhases(run, SCENARIOS);
  }
}
