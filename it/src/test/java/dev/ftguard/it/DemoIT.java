package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.cli.Context;
import dev.ftguard.cli.Ftguard;
import dev.ftguard.testing.Repository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The README's main job: {@code ftguard demo} boots the VM and streams the scenario's events. */
class DemoIT {

  @Test
  void demoStreamsTheScenarioEventsAndEndsCleanly() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Context system = Context.system();
    Map<String, String> properties = new HashMap<>(system.properties());
    properties.put("ftguard.home", Repository.root().toString());
    Context context =
        new Context(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            system.stdout(),
            system.env(),
            properties,
            system.paths(),
            system.modules(),
            system.devices());

    int status = Ftguard.run(context, "demo");

    assertThat(status).as(err.toString()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events =
        out.toString().lines().filter(l -> l.startsWith("{\"type\":")).map(json::readTree).toList();
    assertThat(events)
        .as(out.toString())
        .anySatisfy(
            e -> {
              assertThat(e.get("type").asString()).isEqualTo("exec");
              assertThat(e.get("filename").asString()).isEqualTo("/bin/echo");
              assertThat(e.get("argv").toString())
                  .isEqualTo("[\"/bin/echo\",\"hello\",\"from\",\"ftguard\"]");
            });
    assertThat(events).anySatisfy(e -> assertThat(e.path("errno").asString()).isEqualTo("ENOENT"));
    assertThat(events).anySatisfy(e -> assertThat(e.path("exit_status").asInt(-1)).isEqualTo(42));
    assertThat(events).anySatisfy(e -> assertThat(e.path("signal").asInt(-1)).isEqualTo(9));
    assertThat(out.toString())
        .contains(
            "## an exec with arguments",
            "hooks      %1$d of %1$d attached"
                .formatted(dev.ftguard.check.HookTargets.TABLE.size()),
            "ftguard unloaded");
    assertThat(err.toString()).contains("first event");
  }
}
