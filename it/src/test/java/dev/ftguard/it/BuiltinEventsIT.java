package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The shipped event set ({@code policies/events.yaml}) in the VM (/etc and /usr are the host's
 * read-only shares there, so the watched write goes to /root/.ssh): a write under a watched path, a
 * connect, a bind, a module load, a ptrace attach, credential changes, a mount, a memfd and a
 * signal to another process each give their line with the fields a responder needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltinEventsIT {

  private static final String PAYLOAD =
      """
            F=%1$s
            T=%2$s
            ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
            mkdir -p /mnt/t
            $F load --ko %3$s
            $F run --policy /policies/events.yaml > /out/run.jsonl 2> /out/run.err &
            d=$!
            daemon_started
            mkdir -p /root/.ssh && echo "ssh-ed25519 AAAA ftg" >> /root/.ssh/authorized_keys
            $T connect 127.0.0.1 9 > /dev/null
            $T bind 127.0.0.1 4555 > /dev/null
            insmod %4$s && rmmod ftg_hello
            $T ptrace-child > /dev/null
            $T as 1000 1000 $T ok > /dev/null
            mount -t tmpfs ftgsrc /mnt/t && umount /mnt/t
            $T memfd-exec $T ok > /dev/null
            sleep 30 &
            victim=$!
            echo $victim > /out/victim.txt
            kill -TERM $victim
            wait $victim 2>/dev/null
            await 300 "no signal line" has '"rule":"signal"' 1
            sleep 1
            stop_daemon
            $F unload
            """;

  private GuestResult run;
  private List<JsonNode> lines;

  @BeforeAll
  void boot() throws Exception {
    run =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(FtguardGuest.guest("builtin-events", Duration.ofMinutes(6)))
                .file(
                    GuestFile.copyOf(
                        Repository.root().resolve("policies/events.yaml"), "/policies/events.yaml"))
                .payload(
                    FtguardGuest.daemonScript(
                        PAYLOAD.formatted(
                            FtguardGuest.FTGUARD,
                            FtguardGuest.TEST_HELPER,
                            FtguardGuest.MODULE,
                            FtguardGuest.HELLO_MODULE))));
    lines = FtguardGuest.readJsonLines(run, "run.jsonl");
  }

  private List<JsonNode> rule(String name) {
    return lines.stream()
        .filter(l -> l.has("rule") && l.get("rule").asString().equals(name))
        .toList();
  }

  @Test
  void everyFunctionOfTheSetIsHooked() throws Exception {
    assertThat(run.readOutFile("run.rc").strip()).as(run.readOutFile("run.err")).isEqualTo("0");
    JsonNode start = lines.getFirst();
    assertThat(start.get("hooks"))
        .allSatisfy(h -> assertThat(h.get("attached").asBoolean()).as(h.toString()).isTrue());
  }

  @Test
  void writesNetworkModulesPtrace() {
    assertThat(rule("write-watched"))
        .anySatisfy(
            l -> {
              assertThat(l.get("object").asString()).isEqualTo("/root/.ssh/authorized_keys");
              assertThat(l.get("access").toString()).contains("write").contains("create");
            });
    assertThat(rule("connect"))
        .anySatisfy(
            l -> {
              assertThat(l.get("address").asString()).isEqualTo("127.0.0.1");
              assertThat(l.get("port").asInt()).isEqualTo(9);
            });
    assertThat(rule("bind"))
        .anySatisfy(
            l -> {
              assertThat(l.get("args").get("addr.address").asString()).isEqualTo("127.0.0.1");
              assertThat(l.get("args").get("addr.port").asInt()).isEqualTo(4555);
            });
    assertThat(rule("module-load"))
        .anySatisfy(l -> assertThat(l.get("object").asString()).contains("ftg_hello"));
    assertThat(rule("ptrace-attach"))
        .anySatisfy(l -> assertThat(l.get("target_pid").asInt()).isPositive());
  }

  @Test
  void credentialsMountsMemfdSignals() throws Exception {
    assertThat(rule("setresuid"))
        .anySatisfy(
            l -> {
              assertThat(l.get("args").get("ruid").asLong()).isEqualTo(1000);
              assertThat(l.get("args").get("euid").asLong()).isEqualTo(1000);
            });
    assertThat(rule("mount"))
        .anySatisfy(
            l -> {
              assertThat(l.get("args").get("source").asString()).isEqualTo("ftgsrc");
              assertThat(l.get("args").get("target").asString()).isEqualTo("/mnt/t");
              assertThat(l.get("args").get("fstype").asString()).isEqualTo("tmpfs");
            });
    assertThat(rule("memfd"))
        .anySatisfy(l -> assertThat(l.get("args").get("name").isString()).isTrue());
    int victim = Integer.parseInt(run.readOutFile("victim.txt").strip());
    assertThat(rule("signal"))
        .anySatisfy(
            l -> {
              assertThat(l.get("args").get("pid").asInt()).isEqualTo(victim);
              assertThat(l.get("args").get("sig").asInt()).isEqualTo(15);
              assertThat(l.get("tgid").asInt()).isNotEqualTo(victim);
            });
  }
}
