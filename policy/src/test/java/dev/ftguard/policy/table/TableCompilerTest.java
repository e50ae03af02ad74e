package dev.ftguard.policy.table;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.abi.Errno;
import dev.ftguard.policy.Actions;
import dev.ftguard.policy.Facts;
import dev.ftguard.policy.Gain;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PathMatcher;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicyEvaluator;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.Range;
import dev.ftguard.policy.RangeMatcher;
import dev.ftguard.policy.Rule;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TableCompilerTest {
  static final String TINY =
      """
      apiVersion: ftguard.dev/v1
      kind: Policy
      metadata: {name: p}
      spec:
        priority: 5
        rules:
          - name: r1
            event: exec
            match:
              binary: {exact: [/bin/sh], prefix: [/tmp/]}
              uid: {notIn: [0]}
              fileless: false
            action: deny
            errno: EACCES
          - name: r2
            event: open
            match:
              path: {glob: ["/etc/*"]}
              access: [write, truncate]
              binary: {exact: [/bin/sh]}
            action: audit
      """;

  static int i32(MemorySegment t, long at) {
    return t.get(JAVA_INT_UNALIGNED, at);
  }

  static int u16(MemorySegment t, long at) {
    return Short.toUnsignedInt(t.get(JAVA_SHORT_UNALIGNED, at));
  }

  static int u8(MemorySegment t, long at) {
    return Byte.toUnsignedInt(t.get(JAVA_BYTE, at));
  }

  static String cstr(MemorySegment t, long at) {
    int n = 0;
    while (t.get(JAVA_BYTE, at + n) != 0) {
      n++;
    }
    return new String(t.asSlice(at, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  static void assertZero(byte[] b, long from, long to) {
    for (long i = from; i < to; i++) {
      assertThat(b[(int) i]).as("byte %d", i).isZero();
    }
  }

  @Test
  void tinyTableByteByByte() throws Exception {
    byte[] b = TableCompiler.compile(TableFixtures.load(TINY));
    MemorySegment t = MemorySegment.ofArray(b);
    // header 64, 1 policy (72) at 64, 2 rules (232 each) at 136, 5 values (40 each) at 600,
    // strings "/bin/sh" "/tmp/" "/etc/*" (18 bytes, "/bin/sh" stored once) at 800, no hooks and
    // no arguments at 824, size 824
    assertThat(b).hasSize(824);
    assertThat(i32(t, 0)).isEqualTo(Abi.TABLE_MAGIC);
    assertThat(i32(t, 4)).isEqualTo(Abi.TABLE_VERSION);
    assertThat(i32(t, 8)).isEqualTo(824);
    assertThat(i32(t, 12)).isZero();
    assertThat(new int[] {i32(t, 16), i32(t, 20)}).containsExactly(64, 1);
    assertThat(new int[] {i32(t, 24), i32(t, 28)}).containsExactly(136, 2);
    assertThat(new int[] {i32(t, 32), i32(t, 36)}).containsExactly(600, 5);
    assertThat(new int[] {i32(t, 40), i32(t, 44)}).containsExactly(800, 18);
    assertThat(new int[] {i32(t, 48), i32(t, 52)}).containsExactly(824, 0);
    assertThat(new int[] {i32(t, 56), i32(t, 60)}).containsExactly(824, 0);

    // the policy
    assertThat(cstr(t, 64)).isEqualTo("p");
    assertZero(b, 65, 64 + 64);
    assertThat(i32(t, 64 + 64)).isEqualTo(Abi.MODE_ENFORCE);
    assertThat(i32(t, 64 + 68)).isEqualTo(5);

    // rule 0: exec deny EACCES, uid notIn, fileless false; binary values 0..1, uid value 2
    long r = 136;
    assertThat(cstr(t, r)).isEqualTo("r1");
    assertZero(b, r + 2, r + 64);
    assertThat(i32(t, r + 64)).isZero(); // policy
    assertThat(u8(t, r + 68)).isEqualTo(Abi.KIND_EXEC);
    assertThat(u8(t, r + 69)).isEqualTo(Abi.ACT_DENY);
    assertThat(u16(t, r + 70)).isEqualTo(13); // EACCES
    assertThat(i32(t, r + 72)).isEqualTo(Abi.RULE_NEGATE_UID | Abi.RULE_FILELESS_SET);
    assertThat(i32(t, r + 76)).isZero();
    int[][] sel0 = new int[Abi.SELS][];
    for (int s = 0; s < Abi.SELS; s++) {
      sel0[s] = new int[] {i32(t, r + 80 + 8 * s), i32(t, r + 84 + 8 * s)};
    }
    assertThat(sel0[Abi.SEL_BINARY]).containsExactly(0, 2);
    assertThat(sel0[Abi.SEL_UID]).containsExactly(2, 1);
    for (int s : new int[] {1, 2, 3, 5, 6, 7, 8, 9}) {
      assertThat(sel0[s]).as("slot %d", s).containsExactly(0, 0);
    }
    assertZero(b, r + 160, r + 232); // hook, reserved and the call fields of a non-call rule

    // rule 1: open audit, mask write|truncate; binary value 3, object value 4
    r = 136 + 232;
    assertThat(cstr(t, r)).isEqualTo("r2");
    assertThat(i32(t, r + 64)).isZero();
    assertThat(u8(t, r + 68)).isEqualTo(Abi.KIND_OPEN);
    assertThat(u8(t, r + 69)).isEqualTo(Abi.ACT_AUDIT);
    assertThat(u16(t, r + 70)).isZero();
    assertThat(i32(t, r + 72)).isZero();
    assertThat(i32(t, r + 76)).isEqualTo(Abi.ACCESS_WRITE | Abi.ACCESS_TRUNCATE);
    assertThat(new int[] {i32(t, r + 80), i32(t, r + 84)}).containsExactly(3, 1);
    assertThat(new int[] {i32(t, r + 88), i32(t, r + 92)}).containsExactly(4, 1);

    // values: type, prefix_len, str_len, str_off, lo, hi, addr
    long v = 600;
    record V(int type, int prefixLen, int strLen, int strOff, long lo, long hi) {}
    List<V> values = new ArrayList<>();
    for (int i = 0; i < 5; i++, v += 40) {
      values.add(
          new V(
              u8(t, v),
              u8(t, v + 1),
              u16(t, v + 2),
              i32(t, v + 4),
              t.get(JAVA_LONG_UNALIGNED, v + 8),
              t.get(JAVA_LONG_UNALIGNED, v + 16)));
      assertZero(b, v + 24, v + 40);
    }
    assertThat(values)
        .containsExactly(
            new V(Abi.VAL_EXACT, 0, 7, 0, 0, 0),
            new V(Abi.VAL_PREFIX, 0, 5, 7, 0, 0),
            new V(Abi.VAL_RANGE, 0, 0, 0, 0, 0),
            new V(Abi.VAL_EXACT, 0, 7, 0, 0, 0),
            new V(Abi.VAL_GLOB, 0, 6, 12, 0, 0));

    assertThat(new String(b, 800, 18, StandardCharsets.UTF_8)).isEqualTo("/bin/sh/tmp//etc/*");
    assertZero(b, 818, 824);
  }

  @Test
  void magicReadsFtgtInMemoryOnLittleEndianHosts() throws Exception {
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    byte[] b = TableCompiler.compile(TableFixtures.load(TINY));
    assertThat(new String(b, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("FTGT");
    assertThat(b[8]).isEqualTo((byte) (824 & 0xff));
    assertThat(b[9]).isEqualTo((byte) (824 >> 8));
  }

  @Test
  void emptySetCompilesToAHeaderOnlyTable() throws Exception {
    byte[] b = TableCompiler.compile(new PolicySet(List.of(), new LinkedHashMap<>()));
    MemorySegment t = MemorySegment.ofArray(b);
    assertThat(b).hasSize(64);
    assertThat(i32(t, 8)).isEqualTo(64);
    for (long s = 16; s < 64; s += 8) {
      assertThat(i32(t, s)).as("section at %d offset", s).isEqualTo(64);
      assertThat(i32(t, s + 4)).as("section at %d count", s).isZero();
    }
    CompiledTable read = TableReader.read(b);
    assertThat(read.size()).isEqualTo(64);
    assertThat(read.policies()).isEmpty();
    assertThat(read.ruleCount()).isZero();
  }

  @Test
  void sectionsAreAlignedAndInOrderForEveryFixture() throws Exception {
    for (PolicySet set :
        List.of(TableFixtures.everything(), TableFixtures.examples(), TableFixtures.load(TINY))) {
      byte[] b = TableCompiler.compile(set);
      MemorySegment t = MemorySegment.ofArray(b);
      assertThat(b.length % 8).isZero();
      assertThat(i32(t, 8)).isEqualTo(b.length);
      long end = 64;
      for (long s = 16; s < 64; s += 8) {
        long offset = i32(t, s);
        assertThat(offset % 8).isZero();
        assertThat(offset).isEqualTo((end + 7) & -8L);
        long elem = s == 16 ? 72 : s == 24 ? 232 : s == 32 ? 40 : s == 40 ? 1 : s == 48 ? 144 : 40;
        end = offset + i32(t, s + 4) * elem;
      }
      assertThat(b.length).isEqualTo((end + 7) & -8L);
      assertThat(i32(t, 20)).isEqualTo(set.policies().size());
      assertThat(i32(t, 28)).isEqualTo(set.ruleCount());
    }
  }

  @Test
  void everySelectorAndActionGoesToItsSlotAndFlags() throws Exception {
    PolicySet set = TableFixtures.everything();
    byte[] b = TableCompiler.compile(set);
    MemorySegment t = MemorySegment.ofArray(b);
    long rules = i32(t, 24);
    long values = i32(t, 32);
    // rule 0: every exec selector
    assertThat(i32(t, rules + 72))
        .isEqualTo(
            Abi.RULE_NEGATE_UID | Abi.RULE_FILELESS_SET | Abi.RULE_TEMPDIR_SET | Abi.RULE_TEMPDIR);
    int[] counts = new int[Abi.SELS];
    for (int s = 0; s < Abi.SELS; s++) {
      counts[s] = i32(t, rules + 84 + 8 * s);
    }
    // binary: 3 (@shells) + 1 exact, 2 prefix, 2 glob; parent 1; ancestor 2; uid 2; euid 2; argv 3;
    // sha256 2
    assertThat(counts).containsExactly(8, 0, 1, 2, 2, 2, 0, 0, 3, 2);
    long first = i32(t, rules + 80);
    int[] types = IntStream.range(0, 8).map(i -> u8(t, values + (first + i) * 40)).toArray();
    assertThat(types).containsExactly(1, 1, 1, 1, 2, 2, 3, 3);
    long argv = i32(t, rules + 80 + 8 * Abi.SEL_ARGV);
    assertThat(u8(t, values + argv * 40)).isEqualTo(Abi.VAL_EXACT);
    long sha = i32(t, rules + 80 + 8 * Abi.SEL_SHA256);
    assertThat(u8(t, values + sha * 40)).isEqualTo(Abi.VAL_SHA256);
    assertThat(u16(t, values + sha * 40 + 2)).isEqualTo(Abi.SHA256_HEX_LEN);
    long strings = i32(t, 40);
    // upper case in the policy, lower case in the table
    assertThat(
            new String(
                b,
                (int) (strings + i32(t, values + (sha + 1) * 40 + 4)),
                Abi.SHA256_HEX_LEN,
                StandardCharsets.US_ASCII))
        .isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    long euid = i32(t, rules + 80 + 8 * Abi.SEL_EUID);
    assertThat(t.get(JAVA_LONG_UNALIGNED, values + (euid + 1) * 40 + 8)).isEqualTo(4294967294L);
    // rule 1: fileless true, deny+kill ETXTBSY
    long r1 = rules + 232;
    assertThat(i32(t, r1 + 72)).isEqualTo(Abi.RULE_FILELESS_SET | Abi.RULE_FILELESS);
    assertThat(u8(t, r1 + 69)).isEqualTo(Abi.ACT_DENY_KILL);
    assertThat(u16(t, r1 + 70)).isEqualTo(dev.ftguard.abi.Errno.ETXTBSY);
    // rule 2 audit and rule 3 allow: no err
    assertThat(u8(t, rules + 2 * 232 + 69)).isEqualTo(Abi.ACT_AUDIT);
    assertThat(u8(t, rules + 3 * 232 + 69)).isEqualTo(Abi.ACT_ALLOW);
    assertThat(u16(t, rules + 3 * 232 + 70)).isZero();
    // rule 4 (files-and-net, policy 1): open, all accesses
    long r4 = rules + 4 * 232;
    assertThat(i32(t, r4 + 64)).isEqualTo(1);
    assertThat(i32(t, r4 + 76)).isEqualTo(0xf);
    assertThat(i32(t, 64 + 72 + 64)).isEqualTo(Abi.MODE_MONITOR);
    assertThat(i32(t, 64 + 72 + 68)).isEqualTo(-3);
    // rule 6: connect; networks and the negated port
    long r6 = rules + 6 * 232;
    assertThat(u8(t, r6 + 68)).isEqualTo(Abi.KIND_CONNECT);
    assertThat(i32(t, r6 + 72)).isEqualTo(Abi.RULE_NEGATE_PORT);
    assertThat(u16(t, r6 + 70)).isEqualTo(dev.ftguard.abi.Errno.ECONNREFUSED);
    long addr = i32(t, r6 + 80 + 8 * Abi.SEL_ADDRESS);
    assertThat(i32(t, r6 + 84 + 8 * Abi.SEL_ADDRESS)).isEqualTo(6);
    long a0 = values + addr * 40;
    assertThat(u8(t, a0)).isEqualTo(Abi.VAL_CIDR4);
    assertThat(u8(t, a0 + 1)).isEqualTo(32);
    assertThat(t.asSlice(a0 + 24, 16).toArray(JAVA_BYTE))
        .containsExactly(169, 254, 169, 254, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    long a3 = a0 + 3 * 40;
    assertThat(u8(t, a3)).isEqualTo(Abi.VAL_CIDR6);
    assertThat(u8(t, a3 + 1)).isEqualTo(32);
    assertThat(t.asSlice(a3 + 24, 16).toArray(JAVA_BYTE))
        .containsExactly(InetAddress.ofLiteral("fd00:ec2::").getAddress());
    long port = i32(t, r6 + 80 + 8 * Abi.SEL_PORT);
    assertThat(t.get(JAVA_LONG_UNALIGNED, values + port * 40 + 8)).isEqualTo(1);
    assertThat(t.get(JAVA_LONG_UNALIGNED, values + port * 40 + 16)).isEqualTo(1023);
    // rule 8: module_load name in OBJECT (exact, glob, glob), modprobe in BINARY
    long r8 = rules + 8 * 232;
    assertThat(i32(t, r8 + 84 + 8 * Abi.SEL_OBJECT)).isEqualTo(3);
    assertThat(i32(t, r8 + 84 + 8 * Abi.SEL_BINARY)).isEqualTo(1);
    // rule 10: ptrace target in OBJECT
    long r10 = rules + 10 * 232;
    assertThat(u8(t, r10 + 68)).isEqualTo(Abi.KIND_PTRACE);
    assertThat(i32(t, r10 + 84 + 8 * Abi.SEL_OBJECT)).isEqualTo(1);
    assertThat(i32(t, r10 + 84 + 8 * Abi.SEL_BINARY)).isEqualTo(2);
    // rule 11: privilege gains
    long r11 = rules + 11 * 232;
    assertThat(i32(t, r11 + 76)).isEqualTo(Abi.GAIN_UID0 | Abi.GAIN_CAPS);
    assertThat(i32(t, rules + 12 * 232 + 76)).isEqualTo(Abi.GAIN_CAPS);
  }

  @Test
  void identicalStringsAreStoredOnce() throws Exception {
    PolicySet set = TableFixtures.everything();
    byte[] b = TableCompiler.compile(set);
    MemorySegment t = MemorySegment.ofArray(b);
    Set<String> distinct = new java.util.LinkedHashSet<>();
    int used = 0;
    for (CompiledRule r : TableReader.read(b).rules()) {
      List<String> strings = new ArrayList<>();
      switch (r.match()) {
        case Match.Exec m -> {
          for (var pm : List.of(m.binary(), m.parentBinary(), m.ancestorBinary())) {
            pm.ifPresent(
                x -> {
                  strings.addAll(x.exact());
                  strings.addAll(x.prefix());
                  strings.addAll(x.glob());
                });
          }
          strings.addAll(m.argvContains());
          strings.addAll(m.sha256());
        }
        default -> {
          for (var pm : pathMatchers(r.match())) {
            strings.addAll(pm.exact());
            strings.addAll(pm.prefix());
            strings.addAll(pm.glob());
          }
        }
      }
      used += strings.size();
      distinct.addAll(strings);
    }
    assertThat(used).isGreaterThan(distinct.size()); // "/bin/sh" and friends are used twice
    int bytes = distinct.stream().mapToInt(x -> x.getBytes(StandardCharsets.UTF_8).length).sum();
    assertThat(i32(t, 44)).isEqualTo(bytes);
    String area = new String(b, i32(t, 40), bytes, StandardCharsets.UTF_8);
    for (String x : distinct) {
      assertThat(area).contains(x);
    }
  }

  static List<PathMatcher> pathMatchers(Match m) {
    return switch (m) {
      case Match.Exec e -> List.of();
      case Match.Open o ->
          java.util.stream.Stream.of(o.path(), o.binary()).flatMap(Optional::stream).toList();
      case Match.Connect c -> c.binary().stream().toList();
      case Match.ModuleLoad l ->
          java.util.stream.Stream.of(l.name(), l.binary()).flatMap(Optional::stream).toList();
      case Match.Ptrace p ->
          java.util.stream.Stream.of(p.target(), p.binary()).flatMap(Optional::stream).toList();
      case Match.Privilege p -> p.binary().stream().toList();
      case Match.Call c -> c.binary().stream().toList();
    };
  }

  @Test
  void roundTripsTheExamplesAndEveryFixture() throws Exception {
    for (PolicySet set :
        List.of(TableFixtures.examples(), TableFixtures.everything(), TableFixtures.load(TINY))) {
      CompiledTable read = TableReader.read(TableCompiler.compile(set));
      TableFixtures.assertSamePolicies(read.policies(), set.policies());
      assertThat(read.ruleCount()).isEqualTo(set.ruleCount());
      assertThat(read.rules())
          .extracting(CompiledRule::index)
          .containsExactlyElementsOf(IntStream.range(0, set.ruleCount()).boxed().toList());
      // back into the model: same policies (locations aside), same order
      PolicySet back = read.toPolicySet();
      assertThat(back.policies())
          .extracting(Policy::name)
          .containsExactlyElementsOf(set.policies().stream().map(Policy::name).toList());
      assertThat(back.policies().getFirst().rules().getFirst().location().file())
          .isEqualTo(TableReader.SOURCE);
      // and recompiling gives the same bytes
      assertThat(TableCompiler.compile(back)).isEqualTo(TableCompiler.compile(set));
    }
  }

  @Test
  void aTableReadBackDecidesAsTheOriginal() throws Exception {
    PolicySet set = TableFixtures.everything();
    PolicySet back = TableReader.read(TableCompiler.compile(set)).toPolicySet();
    List<Facts> facts =
        List.of(
            new Facts.ExecFacts(
                "/tmp/x",
                "/usr/sbin/sshd",
                List.of("/sbin/init"),
                1000,
                0,
                List.of("x", "-c"),
                false,
                true,
                Optional.empty()),
            new Facts.ExecFacts(
                "/memfd:x",
                "/bin/bash",
                List.of(),
                0,
                0,
                List.of("x"),
                true,
                false,
                Optional.empty()),
            new Facts.ExecFacts(
                "/usr/bin/ls",
                "/bin/bash",
                List.of(),
                0,
                0,
                List.of("ls"),
                false,
                false,
                Optional.empty()),
            new Facts.OpenFacts(
                "/etc/shadow", Set.of(dev.ftguard.policy.Access.WRITE), "/usr/bin/vi"),
            new Facts.ConnectFacts(InetAddress.ofLiteral("169.254.169.254"), 8080, "/usr/bin/curl"),
            new Facts.ConnectFacts(InetAddress.ofLiteral("fd00:ec2::5"), 5353, "/usr/bin/curl"),
            new Facts.ModuleLoadFacts(Optional.of("nf_nat"), "/usr/sbin/modprobe"),
            new Facts.PtraceFacts("/usr/sbin/sshd", "/usr/bin/gdb"),
            new Facts.PrivilegeFacts("/home/u/a.out", Set.of(Gain.UID0)));
    for (Facts f : facts) {
      assertThat(PolicyEvaluator.evaluate(back, f))
          .as("%s", f)
          .isEqualTo(PolicyEvaluator.evaluate(set, f));
    }
  }

  // ---- limits ------------------------------------------------------------------------------

  static Rule rule(String name, Match match, Action action) {
    return new Rule(
        name,
        match.kind(),
        match,
        action,
        Actions.denies(action) ? OptionalInt.of(Errno.EPERM) : OptionalInt.empty(),
        TableFixtures.AT);
  }

  static Match.Exec binary(PathMatcher pm) {
    return new Match.Exec(
        Optional.of(pm),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        List.of());
  }

  static Policy policy(String name, List<Rule> rules) {
    return new Policy(name, Mode.ENFORCE, 0, rules, TableFixtures.AT);
  }

  static List<String> paths(int n) {
    return IntStream.range(0, n).mapToObj(i -> "/p/" + i).toList();
  }

  @Test
  void aSelectorWithMoreThan1024ValuesIsTooLarge() {
    // valid: each of exact and prefix may hold 1024 values after list expansion
    String items = String.join(", ", paths(1024));
    PolicySet set =
        TableFixtures.load(
            """
        apiVersion: ftguard.dev/v1
        kind: List
        metadata: {name: many}
        spec: {items: [%s]}
        ---
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: big}
        spec:
          rules:
            - {name: r, event: open, match: {path: {exact: ["@many"], prefix: [/tmp/]}}, action: audit}
        """
                .formatted(items));
    TableTooLargeException e =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(set));
    assertThat(e.limit()).isEqualTo("FTG_TABLE_SEL_MAX");
    assertThat(e.value()).isEqualTo(1025);
    assertThat(e.max()).isEqualTo(1024);
    assertThat(e.where()).isEqualTo("selector 'path' of rule 'r' in policy 'big'");
    assertThat(e.getMessage())
        .isEqualTo(
            "selector 'path' of rule 'r' in policy 'big' has 1025 values, more than FTG_TABLE_SEL_MAX = 1024"
                + " (hint: split the values over several rules, or use prefix or glob values instead of long exact lists)");
  }

  @Test
  void moreThan10000RulesOrPoliciesAreTooLarge() {
    Rule any =
        rule("r", binary(new PathMatcher(List.of("/x"), List.of(), List.of())), Action.AUDIT);
    PolicySet rules = TableFixtures.of(policy("p", Collections.nCopies(10_001, any)));
    TableTooLargeException e =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(rules));
    assertThat(e.limit()).isEqualTo("FTG_TABLE_RULES_MAX");
    assertThat(e.value()).isEqualTo(10_001);
    assertThat(e.getMessage()).contains("10001 rules, more than FTG_TABLE_RULES_MAX = 10000");

    List<Policy> many =
        IntStream.range(0, 10_001).mapToObj(i -> policy("p" + i, List.of())).toList();
    TableTooLargeException p =
        catchThrowableOfType(
            TableTooLargeException.class,
            () -> TableCompiler.compile(new PolicySet(many, new LinkedHashMap<>())));
    assertThat(p.limit()).isEqualTo("FTG_TABLE_POLICIES_MAX");
    assertThat(p.max()).isEqualTo(10_000);
  }

  @Test
  void moreThanAMillionValuesAreTooLarge() {
    Rule r = rule("r", binary(new PathMatcher(paths(1024), List.of(), List.of())), Action.AUDIT);
    PolicySet set = TableFixtures.of(policy("p", Collections.nCopies(1025, r)));
    TableTooLargeException e =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(set));
    assertThat(e.limit()).isEqualTo("FTG_TABLE_VALUES_MAX");
    assertThat(e.value()).isEqualTo(1025L * 1024);
    assertThat(e.max()).isEqualTo(1 << 20);
  }

  @Test
  void aTableOver32MiBIsTooLarge() throws Exception {
    Rule r = rule("r", binary(new PathMatcher(paths(1024), List.of(), List.of())), Action.AUDIT);
    // 840 x 1024 values of 40 bytes: 34,406,400 bytes of values alone
    PolicySet set = TableFixtures.of(policy("p", Collections.nCopies(840, r)));
    TableTooLargeException e =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(set));
    assertThat(e.limit()).isEqualTo("FTG_TABLE_MAX");
    assertThat(e.max()).isEqualTo(32L << 20);
    assertThat(e.value()).isGreaterThan(34_406_400L);
    assertThat(e.getMessage())
        .contains("the table has ")
        .contains("bytes, more than FTG_TABLE_MAX = 33554432")
        .contains("860160 values");
    // just under: 800 x 1024 values fit
    byte[] ok = TableCompiler.compile(TableFixtures.of(policy("p", Collections.nCopies(800, r))));
    assertThat(ok.length).isLessThanOrEqualTo(Abi.TABLE_MAX);
    assertThat(TableReader.read(ok).ruleCount()).isEqualTo(800);
  }

  @Test
  void longStringsAndNamesAreTooLarge() {
    String longPath = "/" + "a".repeat(255);
    PolicySet s =
        TableFixtures.of(
            policy(
                "p",
                List.of(
                    rule(
                        "r",
                        binary(new PathMatcher(List.of(), List.of(longPath), List.of())),
                        Action.AUDIT))));
    TableTooLargeException e =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(s));
    assertThat(e.limit()).isEqualTo("FTG_TABLE_STR_MAX");
    assertThat(e.value()).isEqualTo(256);
    assertThat(e.max()).isEqualTo(255);

    PolicySet n = TableFixtures.of(policy("p".repeat(64), List.of()));
    TableTooLargeException ne =
        catchThrowableOfType(TableTooLargeException.class, () -> TableCompiler.compile(n));
    assertThat(ne.limit()).isEqualTo("FTG_NAME_LEN");
    assertThat(ne.value()).isEqualTo(64);
    assertThat(ne.max()).isEqualTo(63);
  }

  @Test
  void whatValidationNeverLetsThroughIsAnIllegalArgument() {
    PolicySet empty =
        TableFixtures.of(
            policy(
                "p",
                List.of(
                    rule(
                        "r",
                        binary(new PathMatcher(List.of(), List.of(), List.of())),
                        Action.AUDIT))));
    assertThatThrownBy(() -> TableCompiler.compile(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no values");
    Match.Exec noRanges =
        new Match.Exec(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(new RangeMatcher(false, List.of())),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    assertThatThrownBy(
            () ->
                TableCompiler.compile(
                    TableFixtures.of(policy("p", List.of(rule("r", noRanges, Action.AUDIT))))))
        .isInstanceOf(IllegalArgumentException.class);
    PolicySet upper = TableFixtures.of(policy("P", List.of()));
    assertThatThrownBy(() -> TableCompiler.compile(upper))
        .isInstanceOf(IllegalArgumentException.class);
    Match.Exec nul =
        new Match.Exec(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of("a\0b"),
            Optional.empty(),
            Optional.empty(),
            List.of());
    assertThatThrownBy(
            () ->
                TableCompiler.compile(
                    TableFixtures.of(policy("p", List.of(rule("r", nul, Action.AUDIT))))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rangesKeepTheirBounds() throws Exception {
    Match.Exec m =
        new Match.Exec(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(
                new RangeMatcher(true, List.of(new Range(0, 0), new Range(1000, 4_294_967_294L)))),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            List.of());
    PolicySet set = TableFixtures.of(policy("p", List.of(rule("r", m, Action.KILL))));
    CompiledRule r = TableReader.read(TableCompiler.compile(set)).rules().getFirst();
    assertThat(r.match()).isEqualTo(m);
    assertThat(r.kind()).isEqualTo(Kind.EXEC);
    assertThat(r.errno()).isEmpty();
  }
}
