package dev.ftguard.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.CallHookInfo;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.HookInfo;
import dev.ftguard.abi.RecordEncoder;
import dev.ftguard.abi.Samples;
import dev.ftguard.abi.Stats;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.KernelTable;
import dev.ftguard.policy.ArgType;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.PolicySource;
import dev.ftguard.policy.table.TableCompiler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java API: declarations equal to YAML, applying, and typed events with named arguments. */
class FtguardAgentTest {
  /** A device in memory: keeps the table, hands out queued records. */
  static final class MemoryDevice implements ControlDevice {
    final ConcurrentLinkedQueue<byte[]> records = new ConcurrentLinkedQueue<>();
    volatile byte[] table;
    volatile long generation;
    volatile List<CallHookInfo> callHooks = List.of();
    volatile boolean closed;

    @Override
    public long readRecords(MemorySegment buf, long timeoutMillis) {
      byte[] r = records.poll();
      if (r == null) {
        try {
          Thread.sleep(Math.max(1, Math.min(timeoutMillis, 20)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0;
      }
      MemorySegment.copy(r, 0, buf, ValueLayout.JAVA_BYTE, 0, r.length);
      return r.length;
    }

    @Override
    public Stats stats() {
      return new Stats(
          Abi.ABI_VERSION,
          0,
          0,
          0,
          0,
          0,
          new long[Abi.DROP_REASONS],
          0,
          0,
          0,
          0,
          0,
          new long[Abi.ACTIONS],
          0,
          0,
          0,
          0,
          0,
          false,
          new long[Abi.TAMPERS],
          0,
          0,
          0,
          0);
    }

    @Override
    public List<HookInfo> hooks() {
      return List.of();
    }

    @Override
    public long setTable(byte[] t) {
      table = t;
      return ++generation;
    }

    volatile boolean locked;

    @Override
    public void lock() {
      locked = true;
    }

    @Override
    public Optional<KernelTable> getTable() {
      return table == null ? Optional.empty() : Optional.of(new KernelTable(generation, table));
    }

    @Override
    public List<CallHookInfo> callHooks() {
      return callHooks;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final HookSpec MKDIR =
      HookSpec.syscall("mkdirat")
          .arg("dfd", ArgType.S32)
          .arg("path", ArgType.USTRING, 64)
          .arg("mode", ArgType.U32);

  static PolicySpec watch() {
    return PolicySpec.named("watch-dirs")
        .hook(MKDIR)
        .rule(
            RuleSpec.call("mkdir-in-etc", MKDIR)
                .arg("path", Map.of("prefix", List.of("/etc/")))
                .audit())
        .rule(
            RuleSpec.call("locked", MKDIR)
                .arg("mode", Map.of("mask", Map.of("any", 04000)))
                .deny("EACCES"));
  }

  @Test
  void javaDeclarationsAreTheSameSetAsTheirYaml() throws Exception {
    PolicySet fromJava =
        PolicySpec.build(
            watch(),
            PolicySpec.named("tmp")
                .mode(Mode.MONITOR)
                .priority(5)
                .rule(
                    RuleSpec.event("exec-from-tmp", "exec")
                        .match("binary", Map.of("prefix", List.of("/tmp/")))
                        .kill()));
    String yaml =
        """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: watch-dirs}
        spec:
          hooks:
            - syscall: mkdirat
              args: [{name: dfd, type: s32}, {name: path, type: ustring, maxLength: 64}, {name: mode, type: u32}]
          rules:
            - {name: mkdir-in-etc, event: call, syscall: mkdirat, match: {args: {path: {prefix: [/etc/]}}}, action: audit}
            - {name: locked, event: call, syscall: mkdirat, match: {args: {mode: {mask: {any: 2048}}}}, action: deny, errno: EACCES}
        ---
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: tmp}
        spec:
          mode: monitor
          priority: 5
          rules:
            - {name: exec-from-tmp, event: exec, match: {binary: {prefix: [/tmp/]}}, action: kill}
        """;
    PolicySet fromYaml =
        ((LoadResult.Loaded) PolicyLoader.load(new PolicySource("p.yaml", yaml))).policySet();
    // the same table, byte for byte
    assertThat(TableCompiler.compile(fromJava)).isEqualTo(TableCompiler.compile(fromYaml));
    assertThat(fromJava.policies()).extracting(p -> p.name()).containsExactly("tmp", "watch-dirs");
    assertThat(((Match.Call) fromJava.policies().get(1).rules().get(0).match()).hook().fields())
        .extracting(HookDecl.FieldRef::name)
        .containsExactly("dfd", "path", "mode");
  }

  @Test
  void invalidDeclarationsFailWithThePolicyLanguagesErrors() {
    PolicySpec bad =
        PolicySpec.named("bad")
            .hook(HookSpec.function("f").arg("x", ArgType.U8))
            .rule(RuleSpec.call("r", HookSpec.function("g")).kill());
    var e =
        catchThrowableOfType(PolicySpec.InvalidPolicyException.class, () -> PolicySpec.build(bad));
    assertThat(e.errors())
        .extracting(Object::toString)
        .anySatisfy(s -> assertThat(s).contains("function 'g' is not declared under 'hooks:'"))
        .anySatisfy(s -> assertThat(s).contains("action 'kill' is not available for event 'call'"));
    assertThat(e.source()).contains("\"function\" : \"f\"");
  }

  @Test
  void openAppliesAndDeliversTypedEventsWithNamedArguments() throws Exception {
    MemoryDevice dev = new MemoryDevice();
    dev.callHooks =
        List.of(
            new CallHookInfo(
                0,
                Abi.CALL_HOOK_ATTACHED | Abi.CALL_HOOK_IPMODIFY,
                0,
                1,
                0,
                0,
                "__x64_sys_mkdirat"));
    List<AgentEvent> seen = new CopyOnWriteArrayList<>();
    PolicySet set = PolicySpec.build(watch());
    try (FtguardAgent agent = FtguardAgent.open(dev, set, seen::add)) {
      assertThat(agent.applied().generation()).isEqualTo(1);
      assertThat(agent.applied().hooks())
          .singleElement()
          .satisfies(h -> assertThat(h.mayDeny()).isTrue());
      assertThat(dev.table).isEqualTo(TableCompiler.compile(set));
      CallEvent call =
          new CallEvent(
              Samples.hdr(5, 77),
              1,
              0,
              0,
              DecisionEvent.Action.AUDIT,
              DecisionEvent.Mode.ENFORCE,
              0,
              0,
              "watch-dirs",
              "mkdir-in-etc",
              "__x64_sys_mkdirat",
              List.of(
                  new CallEvent.IntField(-100, Abi.FIELDF_SIGNED),
                  new CallEvent.StrField("/etc/x", 0),
                  new CallEvent.IntField(0755, 0)));
      dev.records.add(RecordEncoder.encodeAll(List.<Event>of(Samples.exec(4), call)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0).event())
          .isInstanceOfSatisfying(
              dev.ftguard.abi.ExecEvent.class,
              x -> {
                assertThat(x.filename()).isEqualTo("/usr/bin/id");
                assertThat(x.header().seq()).isEqualTo(4);
              });
      assertThat(seen.get(0).args()).isEmpty();
      AgentEvent a = seen.get(1);
      assertThat(a.call()).isPresent();
      assertThat(a.args())
          .containsEntry("dfd", -100L)
          .containsEntry("path", "/etc/x")
          .containsEntry("mode", 0755L);
      agent.clear();
      assertThat(dev.generation).isEqualTo(2);
    }
    assertThat(dev.closed).isTrue();
  }
}
