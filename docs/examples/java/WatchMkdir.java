// Runnable example of the Java API (docs/api.md): as root, with the module loaded,
//   sudo java --enable-native-access=ALL-UNNAMED -cp cli/target/ftguard.jar docs/examples/java/WatchMkdir.java
// prints every directory created under /etc and refuses setuid directories under /srv, until Ctrl-C.
import dev.ftguard.abi.CallEvent;
import dev.ftguard.agent.api.AgentEvent;
import dev.ftguard.agent.api.FtguardAgent;
import dev.ftguard.agent.api.HookSpec;
import dev.ftguard.agent.api.PolicySpec;
import dev.ftguard.agent.api.RuleSpec;
import dev.ftguard.policy.ArgType;
import dev.ftguard.policy.PolicySet;
import java.util.List;
import java.util.Map;

public class WatchMkdir {
  public static void main(String[] args) throws Exception {
    HookSpec mkdir = HookSpec.syscall("mkdirat")
        .arg("dfd", ArgType.S32)
        .arg("path", ArgType.USTRING, 200)
        .arg("mode", ArgType.U32);
    PolicySet set = PolicySpec.build(
        PolicySpec.named("watch-dirs")
            .hook(mkdir)
            .rule(RuleSpec.call("mkdir-in-etc", mkdir).arg("path", Map.of("prefix", List.of("/etc/"))).audit())
            .rule(RuleSpec.call("setuid-in-srv", mkdir)
                .arg("path", Map.of("prefix", List.of("/srv/")))
                .arg("mode", Map.of("mask", Map.of("any", 04000)))
                .deny("EPERM")));
    try (FtguardAgent agent = FtguardAgent.open(set, WatchMkdir::print)) {
      agent.applied().failedHooks().forEach(h -> System.err.println("not hooked: " + h.function()));
      Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
      agent.awaitStop();
    }
  }

  static void print(AgentEvent e) {
    if (e.event() instanceof CallEvent c) {
      System.out.printf("%s %s pid %d: %s %s%n", c.ruleName(), c.denied() ? "denied" : "seen",
          c.header().tgid(), c.function(), e.args());
    }
  }
}
