package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.Facts.CallFacts;
import dev.ftguard.policy.table.CompiledTable;
import dev.ftguard.policy.table.TableCompiler;
import dev.ftguard.policy.table.TableReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Declared hooks: the language, its errors, the reference evaluator and the table. */
class CallRuleTest {
  static final String HEAD =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: p}
      spec:
      """;

  static final String POLICY =
      HEAD
          + """
        hooks:
          - syscall: mkdirat
            args:
              - {name: dfd, type: s32}
              - {name: path, type: ustring, maxLength: 64}
              - {name: mode, type: u32}
          - function: inet_bind
            args:
              - {name: addr, type: sockaddr, position: 1}
          - function: commit_creds
            args: [{name: new, type: cred}]
        rules:
          - name: locked
            event: call
            syscall: mkdirat
            match: {args: {path: {prefix: [/srv/locked/]}, dfd: {in: [-100, "0..2"]}}}
            action: deny
            errno: EACCES
          - name: setuid-mode
            event: call
            syscall: mkdirat
            match: {args: {mode: {mask: {any: 0o6000}}}}
            action: audit
          - name: low-port
            event: call
            function: inet_bind
            match: {args: {addr.port: {in: ["1..1023"]}, addr.address: {in: [10.0.0.0/8]}}}
            action: audit
          - name: root
            event: call
            function: commit_creds
            match: {args: {new.euid: {in: [0]}}, binary: {prefix: [/home/]}}
            action: audit
      """;

  static PolicySet load(String text) {
    return switch (PolicyLoader.load(new PolicySource("t.yaml", text))) {
      case LoadResult.Loaded(var set) -> set;
      case LoadResult.Invalid(var errors) -> throw new AssertionError("invalid: " + errors);
    };
  }

  static List<String> errors(String text) {
    return switch (PolicyLoader.load(new PolicySource("t.yaml", text))) {
      case LoadResult.Loaded _ -> List.of();
      case LoadResult.Invalid(var errors) -> errors.stream().map(PolicyError::toString).toList();
    };
  }

  static CallFacts call(String binary, String function, Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return new CallFacts(binary, function, m);
  }

  static Verdict eval(CallFacts f) {
    return PolicyEvaluator.evaluate(load(POLICY), f);
  }

  @Test
  void hooksAndTheirFieldsAreRead() {
    Policy p = load(POLICY).policies().getFirst();
    assertThat(p.hooks())
        .extracting(HookDecl::function)
        .containsExactly("__x64_sys_mkdirat", "inet_bind", "commit_creds");
    HookDecl mkdir = p.hooks().getFirst();
    assertThat(mkdir.syscall()).isTrue();
    assertThat(mkdir.args())
        .containsExactly(
            new HookDecl.Arg("dfd", ArgType.S32, 0, 0),
            new HookDecl.Arg("path", ArgType.USTRING, 1, 64),
            new HookDecl.Arg("mode", ArgType.U32, 2, 0));
    assertThat(p.hooks().get(1).fields())
        .extracting(HookDecl.FieldRef::name)
        .containsExactly("addr.family", "addr.address", "addr.port");
    assertThat(p.hooks().get(2).fields())
        .extracting(HookDecl.FieldRef::name)
        .containsExactly("new.uid", "new.gid", "new.euid", "new.egid");
    Rule locked = p.rules().getFirst();
    assertThat(locked.event()).isEqualTo(Kind.CALL);
    assertThat(((Match.Call) locked.match()).args()).containsOnlyKeys("dfd", "path");
  }

  @Test
  void signedRangesMasksStringsAndAddresses() {
    String f = "__x64_sys_mkdirat";
    Verdict denied =
        eval(call("/bin/mkdir", f, "dfd", -100L, "path", "/srv/locked/a", "mode", 0755L));
    assertThat(denied.decision()).isInstanceOf(Verdict.Decision.Block.class);
    // dfd 3 is outside both -100 and 0..2
    assertThat(
            eval(call("/bin/mkdir", f, "dfd", 3L, "path", "/srv/locked/a", "mode", 0755L))
                .decision())
        .isInstanceOf(Verdict.Decision.NoMatch.class);
    // an unreadable field never matches
    assertThat(eval(call("/bin/mkdir", f, "dfd", -100L, "mode", 0755L)).decision())
        .isInstanceOf(Verdict.Decision.NoMatch.class);
    // mask any: setgid bit
    Verdict audit = eval(call("/bin/mkdir", f, "dfd", 5L, "path", "/x", "mode", 02755L));
    assertThat(audit.findings()).extracting(Verdict.Finding::rule).containsExactly("setuid-mode");
    assertThat(eval(call("/bin/mkdir", f, "dfd", 5L, "path", "/x", "mode", 0755L)).findings())
        .isEmpty();
    // sockaddr: port range and network
    String b = "inet_bind";
    assertThat(
            eval(call(
                    "/usr/sbin/x",
                    b,
                    "addr.family",
                    2L,
                    "addr.address",
                    InetAddress.ofLiteral("10.1.2.3"),
                    "addr.port",
                    80L))
                .findings())
        .extracting(Verdict.Finding::rule)
        .containsExactly("low-port");
    assertThat(
            eval(call(
                    "/usr/sbin/x",
                    b,
                    "addr.family",
                    2L,
                    "addr.address",
                    InetAddress.ofLiteral("10.1.2.3"),
                    "addr.port",
                    8080L))
                .findings())
        .isEmpty();
    assertThat(
            eval(call(
                    "/usr/sbin/x",
                    b,
                    "addr.family",
                    2L,
                    "addr.address",
                    InetAddress.ofLiteral("192.168.0.1"),
                    "addr.port",
                    80L))
                .findings())
        .isEmpty();
    // cred and binary
    assertThat(eval(call("/home/u/x", "commit_creds", "new.euid", 0L)).findings()).hasSize(1);
    assertThat(eval(call("/usr/bin/x", "commit_creds", "new.euid", 0L)).findings()).isEmpty();
    // a rule on another function never matches
    assertThat(eval(call("/home/u/x", "commit_cred", "new.euid", 0L)).findings()).isEmpty();
  }

  @Test
  void unsignedRangesCompareAsUnsigned() {
    PolicySet set =
        load(
            HEAD
                + """
          hooks: [{function: f, args: [{name: x, type: u64}]}]
          rules:
            - {name: big, event: call, function: f, match: {args: {x: {in: ["0x8000000000000000..0xffffffffffffffff"]}}}, action: audit}
        """);
    assertThat(PolicyEvaluator.evaluate(set, call("/x", "f", "x", -1L)).findings()).hasSize(1);
    assertThat(PolicyEvaluator.evaluate(set, call("/x", "f", "x", 5L)).findings()).isEmpty();
  }

  @Test
  void errorsSayWhatWhereAndHowToFix() {
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, syscall: g}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("hook has both 'function' and 'syscall'");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: "bad name"}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("is not a kernel function name");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: a, type: int32}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("unknown argument type 'int32'");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: a, type: u8, maxLength: 4}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("'maxLength' is only for strings and paths");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: a, type: kstring, maxLength: 257}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("maxLength 257 is out of range 1..256");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: a, type: u8}, {name: b, type: u8, position: 0}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("argument position 0 is read twice");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: a, type: cred}, {name: b, type: cred}, {name: c, type: u8}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("give 9 fields; at most 8");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: __x64_sys_mkdir, args: [{name: a, type: u8}]}]
          rules: [{name: r, event: exec, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("write 'syscall: mkdir'");
    assertThat(
            errors(
                HEAD
                    + """
          rules: [{name: r, event: call, function: vfs_mkdir, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("function 'vfs_mkdir' is not declared under 'hooks:'");
    assertThat(
            errors(
                HEAD
                    + """
          rules: [{name: r, event: call, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("needs 'function' or 'syscall'");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f}]
          rules: [{name: r, event: call, function: f, action: kill}]
        """))
        .singleElement()
        .asString()
        .contains("action 'kill' is not available for event 'call'");
    assertThat(
            errors(
                HEAD
                    + """
          rules: [{name: r, event: exec, function: f, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("'function' is only for rules of event 'call'");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: path, type: kstring}]}]
          rules: [{name: r, event: call, function: f, match: {args: {pth: {exact: [x]}}}, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("'pth' is not a field of f")
        .contains("did you mean 'path'?");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: x, type: s8}]}]
          rules: [{name: r, event: call, function: f, match: {args: {x: {in: [200]}}}, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("'x' value 200 is outside -128..127");
    assertThat(
            errors(
                HEAD
                    + """
          hooks: [{function: f, args: [{name: x, type: u16}]}]
          rules: [{name: r, event: call, function: f, match: {args: {x: {in: [1], mask: {any: 1}}}}, action: audit}]
        """))
        .singleElement()
        .asString()
        .contains("has both 'in' and 'mask'");
  }

  @Test
  void aFunctionIsDeclaredTheSameWayEverywhere() {
    String other =
        """
        ---
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: q}
        spec:
          hooks: [{function: inet_bind, args: [{name: addr, type: sockaddr, position: 2}]}]
          rules: [{name: r, event: exec, action: audit}]
        """;
    assertThat(errors(POLICY + other))
        .singleElement()
        .asString()
        .contains("function 'inet_bind' is declared with other arguments at t.yaml:");
    // the same declaration twice is one hook in the table
    String same = other.replace("position: 2", "position: 1");
    byte[] table = compile(load(POLICY + same));
    assertThat(
            MemorySegment.ofArray(table).get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.HOOKS + 4))
        .isEqualTo(3);
  }

  static byte[] compile(PolicySet set) {
    try {
      return TableCompiler.compile(set);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theTableHoldsTheHooksArgumentsAndFieldSelectors() throws Exception {
    PolicySet set = load(POLICY);
    byte[] b = compile(set);
    MemorySegment t = MemorySegment.ofArray(b);
    long hooks = t.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.HOOKS);
    long args = t.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.ARGS);
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.ARGS + 4)).isEqualTo(5);
    assertThat(new String(b, (int) hooks, 17, StandardCharsets.US_ASCII))
        .isEqualTo("__x64_sys_mkdirat");
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, hooks + Abi.HookDecl.FLAGS))
        .isEqualTo(Abi.HOOKDECL_SYSCALL);
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, hooks + Abi.HookDecl.NR_ARGS)).isEqualTo(3);
    long h1 = hooks + Abi.HookDecl.SIZE;
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, h1 + Abi.HookDecl.FIRST_ARG)).isEqualTo(3);
    // dfd: INT, position 0, size 4, signed; path: USTRING max 64; addr: SOCKADDR position 1
    assertThat(t.get(ValueLayout.JAVA_BYTE, args + Abi.ArgDecl.TYPE)).isEqualTo((byte) Abi.ARG_INT);
    assertThat(t.get(ValueLayout.JAVA_BYTE, args + Abi.ArgDecl.ARG_SIZE)).isEqualTo((byte) 4);
    assertThat(t.get(ValueLayout.JAVA_BYTE, args + Abi.ArgDecl.FLAGS))
        .isEqualTo((byte) Abi.ARGF_SIGNED);
    long a1 = args + Abi.ArgDecl.SIZE;
    long a3 = args + 3 * Abi.ArgDecl.SIZE;
    assertThat(new String(b, (int) (a1 + Abi.ArgDecl.NAME), 5, StandardCharsets.US_ASCII))
        .isEqualTo("path\0");
    assertThat(t.get(ValueLayout.JAVA_BYTE, a1 + Abi.ArgDecl.TYPE))
        .isEqualTo((byte) Abi.ARG_USTRING);
    assertThat(t.get(ValueLayout.JAVA_SHORT_UNALIGNED, a1 + Abi.ArgDecl.MAX_LEN))
        .isEqualTo((short) 64);
    assertThat(t.get(ValueLayout.JAVA_BYTE, a3 + Abi.ArgDecl.TYPE))
        .isEqualTo((byte) Abi.ARG_SOCKADDR);
    assertThat(t.get(ValueLayout.JAVA_BYTE, a3 + Abi.ArgDecl.POSITION)).isEqualTo((byte) 1);
    // rule 0: kind call, hook 0, fields 0 (dfd: 2 ranges) and 1 (path: 1 prefix)
    long rules = t.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.RULES);
    assertThat(t.get(ValueLayout.JAVA_BYTE, rules + Abi.Rul.KIND)).isEqualTo((byte) Abi.KIND_CALL);
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, rules + Abi.Rul.HOOK)).isZero();
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, rules + Abi.Rul.FIELDS + 4)).isEqualTo(2);
    assertThat(t.get(ValueLayout.JAVA_INT_UNALIGNED, rules + Abi.Rul.FIELDS + Abi.Rul.SEL_SIZE + 4))
        .isEqualTo(1);
    long values = t.get(ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.VALUES);
    long first = t.get(ValueLayout.JAVA_INT_UNALIGNED, rules + Abi.Rul.FIELDS);
    assertThat(t.get(ValueLayout.JAVA_LONG_UNALIGNED, values + first * Abi.Val.SIZE + Abi.Val.LO))
        .isEqualTo(-100L);
    // rule 1: mask any 0o6000
    long r1 = rules + Abi.Rul.SIZE;
    long m = t.get(ValueLayout.JAVA_INT_UNALIGNED, r1 + Abi.Rul.FIELDS + 2 * Abi.Rul.SEL_SIZE);
    assertThat(t.get(ValueLayout.JAVA_BYTE, values + m * Abi.Val.SIZE))
        .isEqualTo((byte) Abi.VAL_MASK_ANY);
    assertThat(t.get(ValueLayout.JAVA_LONG_UNALIGNED, values + m * Abi.Val.SIZE + Abi.Val.LO))
        .isEqualTo(06000L);

    // read back: the same hooks and rules; recompiling gives the same bytes
    CompiledTable read = TableReader.read(b);
    Policy back = read.toPolicies().getFirst();
    assertThat(back.hooks())
        .extracting(HookDecl::function)
        .containsExactly("__x64_sys_mkdirat", "inet_bind", "commit_creds");
    assertThat(back.hooks().get(1).fields())
        .extracting(HookDecl.FieldRef::name)
        .containsExactly("addr.family", "addr.address", "addr.port");
    assertThat(compile(read.toPolicySet())).isEqualTo(b);
  }
}
