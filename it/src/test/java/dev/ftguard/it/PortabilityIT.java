package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.check.TestedKernels;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The portability suite: on every kernel series of {@code kmod/kernels.conf} (each prepared by
 * {@code scripts/setup}), in one guest boot, the module built for that kernel with the compiler of
 * its own suite loads and attaches every hook, gives the exact events of the exec/fork/exit
 * scenario, denies once per event kind with the decision event, reads a declared hook's typed
 * arguments and denies through it, and survives unloading during an exec storm; the kernel log
 * stays clean. The full suite runs on the pinned default kernel only; this one runs everywhere.
 */
class PortabilityIT {

  private static final int CYCLES = 5;

  /**
   * One deny per event kind (module_load: one per system call), played and checked as in {@link
   * PolicyEnforcementIT}.
   */
  private static final List<String> DENIES =
      List.of(
          "exec-exact",
          "open-exact-read",
          "connect-v4",
          "module-exact",
          "module-init-exact",
          "ptrace-target",
          "priv-uid0");

  /** A hook by name with typed arguments: a deny and an audit on the mkdirat system call. */
  private static final String HOOK_POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: port-hooks}
            spec:
              hooks:
                - syscall: mkdirat
                  args:
                    - {name: dfd, type: s32}
                    - {name: path, type: ustring, maxLength: 100}
                    - {name: mode, type: u32}
              rules:
                - {name: locked, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/srv/locked/]}}}, action: deny, errno: EACCES}
                - {name: watched, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/srv/watch/]}}}, action: audit}
            """;

  private static final String PAYLOAD =
      """
            set -u
            F=%1$s
            T=%2$s
            export FTGUARD_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            %3$s
            %4$s
            mkdir -p /srv/locked /srv/watch
            cat > /tmp/enforce.yaml <<'POLICY'
            %5$s
            ---
            %6$s
            POLICY
            uname -r > /out/uname
            echo $$ > /out/payload.pid
            # few JVM starts under TCG: the module goes in and out with insmod and rmmod
            insmod %7$s || exit 1
            # background jobs of a non-interactive shell start with SIGINT ignored: undo that
            env --default-signal=INT $F events --follow > /out/events.jsonl 2> /out/events.err &
            reader=$!
            %8$s
            $F policy apply /tmp/enforce.yaml > /out/apply.out 2>&1; echo $? > /out/apply.rc
            scenarios() {
            %9$s
            }
            scenarios enforce
            $T mkdirat /srv/locked/a 755 > /out/locked.txt
            [ -e /srv/locked/a ] && echo exists > /out/locked-exists.txt
            $T mkdirat /srv/watch/b 755 > /out/watch.txt
            /bin/true ftg-portability-end
            wait_for_event ftg-portability-end
            sleep 0.5
            kill -INT $reader
            wait $reader
            echo $? > /out/reader.rc
            # the hooks are permanent: this kernel refuses to switch ftrace off, and says so
            $T write /proc/sys/kernel/ftrace_enabled 0 > /out/ftrace_off.out
            cat /proc/sys/kernel/ftrace_enabled > /out/ftrace_enabled
            $F status --json > /out/status.json
            rmmod ftguard
            %10$s
            """;

  static Stream<DebianKernel> kernels() {
    return KernelCatalog.ofRepo().all().stream();
  }

  @Test
  void everyTestedSeriesIsPrepared() {
    List<String> series =
        TestedKernels.builtIn().series().stream().map(TestedKernels.Series::name).toList();
    assertThat(series).as("series of kmod/kernels.conf").isNotEmpty();
    assertThat(kernels().map(DebianKernel::series).toList())
        .as("kernels prepared by scripts/setup (a series missing here is not tested)")
        .containsAll(series);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kernels")
  void theModuleWorksOnThisKernel(DebianKernel kernel) throws Exception {
    Path ko = FtguardGuest.module(kernel);
    String payload =
        PAYLOAD.formatted(
            FtguardGuest.FTGUARD,
            FtguardGuest.TEST_HELPER,
            Scenarios.SHELL_FUNCTIONS,
            PolicyEnforcementIT.SETUP,
            PolicyEnforcementIT.POLICIES.replace("MODE", "enforce").strip(),
            HOOK_POLICY.strip(),
            FtguardGuest.MODULE,
            ExecForkExitScenario.SCRIPT,
            PolicyEnforcementIT.scenarioScript(
                DENIES.stream().map(PolicyEnforcementIT::scenario).toList()),
            UnloadUnderLoadIT.script(CYCLES));
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(
                    FtguardGuest.guest(
                        "portability-" + kernel.series(), Duration.ofMinutes(10), kernel, ko),
                    kernel)
                .payload(payload));
    assertThat(r.readOutFile("uname").strip()).isEqualTo(kernel.abi());
    List<JsonNode> events = FtguardGuest.readJsonLines(r, "events.jsonl");
    SoftAssertions soft = new SoftAssertions();

    JsonNode status = FtguardGuest.readJson(r, "status.json");
    soft.assertThat(status.path("hooks_attached").asInt())
        .as("hooks attached: %s", status)
        .isEqualTo(status.path("hooks_total").asInt())
        .isGreaterThanOrEqualTo(11);
    soft.assertThat(r.readOutFile("reader.rc").strip()).isEqualTo("0");
    soft.assertThat(r.readOutFile("ftrace_off.out").strip())
        .as("write 0 to ftrace_enabled")
        .isEqualTo("errno=EBUSY");
    soft.assertThat(r.readOutFile("ftrace_enabled").strip()).isEqualTo("1");
    soft.assertThat(status.path("counters").path("tamper").path("ftrace_off").asLong())
        .as("the attempt is counted: %s", status.path("counters"))
        .isEqualTo(1);
    soft.assertThat(r.readOutFile("apply.rc").strip())
        .as(r.readOutFile("apply.out"))
        .isEqualTo("0");
    soft.check(() -> ExecForkExitScenario.of(r, events).assertExactEvents());
    soft.check(() -> ExecForkExitScenario.of(r, events).assertImages());

    Scenarios run = new Scenarios(r, events);
    for (String deny : DENIES) {
      PolicyEnforcementIT.checkPhase(soft, run, PolicyEnforcementIT.scenario(deny), "enforce");
    }
    checkDeclaredHook(soft, r, events);
    soft.check(() -> UnloadUnderLoadIT.assertCycles(r, CYCLES, 1));
    soft.assertAll();
  }

  private static void checkDeclaredHook(SoftAssertions soft, GuestResult r, List<JsonNode> events) {
    List<JsonNode> calls = events.stream().filter(e -> Scenarios.is(e, "call")).toList();
    soft.assertThat(r.readOutFile("locked.txt").strip()).isEqualTo("errno=EACCES");
    soft.assertThat(Files.exists(r.outFile("locked-exists.txt")))
        .as("the denied directory was not created")
        .isFalse();
    soft.assertThat(calls)
        .filteredOn(c -> "locked".equals(Scenarios.text(c, "rule")))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(Scenarios.text(c, "action")).isEqualTo("deny");
              assertThat(c.get("retval").asInt()).isEqualTo(-13);
              assertThat(c.get("args").get("path").asString()).isEqualTo("/srv/locked/a");
            });
    soft.assertThat(r.readOutFile("watch.txt").strip()).isEqualTo("ok");
    soft.assertThat(calls)
        .filteredOn(c -> "watched".equals(Scenarios.text(c, "rule")))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.get("function").asString()).endsWith("sys_mkdirat");
              assertThat(c.get("args").get("dfd").asInt()).isEqualTo(-100); // AT_FDCWD, signed
              assertThat(c.get("args").get("path").asString()).isEqualTo("/srv/watch/b");
              assertThat(c.get("args").get("mode").asInt()).isEqualTo(0755);
              assertThat(c.get("unreadable")).isEmpty();
            });
  }
}
