package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.PolicySource;
import dev.ftguard.policy.table.TableCompiler;
import dev.ftguard.testing.Repository;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.Share;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The module refuses every malformed rule table, says why, and keeps the table it had. A valid
 * policy set is applied first ({@code ftguard policy apply}); then malformed tables, made on the
 * host by corrupting copies of the same set compiled with the {@code TableCompiler} at offsets
 * taken from the {@link Abi} layouts, are written straight to {@code /dev/ftguard} with {@code
 * /ftgtest set-table}. Each must fail with EINVAL and the expected {@code ftg_table_error} code and
 * byte offset; afterwards the kernel still reports the valid table's generation and the valid
 * policy still blocks. The same boot feeds files of the malformed policy corpus to {@code ftguard
 * policy apply}: exit status 9, and the kernel's table does not change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedTableIT {

  private static final String T = FtguardGuest.TEST_HELPER;

  static final String BASE =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: mt-base}
            spec:
              rules:
                - name: block-exec
                  event: exec
                  match:
                    binary: {exact: [/opt/mt/blocked], glob: ["/opt/mt/glob-*"]}
                    uid: {notIn: [5, "100-200"]}
                  action: deny
                - name: audit-open
                  event: open
                  match:
                    path: {prefix: [/opt/mt/]}
                    access: [write]
                  action: audit
                - name: connect-deny
                  event: connect
                  match:
                    address: [10.0.0.0/8, "fd00::/8"]
                    port: {in: [80]}
                  action: deny
                  errno: EACCES
                - name: fileless-kill
                  event: exec
                  match: {fileless: true}
                  action: kill
            ---
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: mt-second}
            spec:
              rules:
                - name: argv-audit
                  event: exec
                  match: {argvContains: [--mt-secret]}
                  action: audit
                - name: content-audit
                  event: exec
                  match: {sha256: [e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855]}
                  action: audit
                - name: ptrace-deny
                  event: ptrace
                  match: {target: {prefix: [/opt/mt/]}}
                  action: deny
                - name: module-glob
                  event: module_load
                  match: {name: {glob: ["mt_*"]}}
                  action: deny
                - name: priv-audit
                  event: privilege
                  match:
                    binary: {exact: [/opt/mt/priv]}
                    gains: [uid0]
                  action: audit
            """;

  /** Files of policy/src/test/resources/malformed that `policy apply` must refuse. */
  static final List<String> CORPUS =
      List.of(
          "unknown-errno.yaml",
          "glob-too-many-stars.yaml",
          "cidr-host-bits.yaml",
          "errno-on-allow.yaml",
          "syntax-tab.yaml",
          "undefined-list.yaml",
          "selector-wrong-event.yaml");

  private static final String CORPUS_DIR = "/ftguard/policy/src/test/resources/malformed/";

  private static final String PAYLOAD =
      """
            set -u
            F=%1$s
            T=%2$s
            export FTGUARD_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            mkdir -p /opt/mt /out/bad /out/corpus
            cp $T /opt/mt/blocked
            $F load --ko %3$s || exit 1
            $F policy apply /mt/base.yaml > /out/apply.out 2>&1; echo $? > /out/apply.rc
            $T get-table /out/applied.bin > /out/gen-applied.txt
            for f in /mt/bad/*.bin; do
              n=$(basename $f .bin)
              size=""
              [ -f /mt/bad/$n.size ] && size=$(cat /mt/bad/$n.size)
              $T set-table $f $size > /out/bad/$n.txt 2>&1
              echo "rc=$?" >> /out/bad/$n.txt
            done
            $T get-table /out/after-bad.bin > /out/gen-after-bad.txt
            $F policy show --json > /out/show.json 2> /out/show.err; echo $? > /out/show.rc
            $T exec /opt/mt/blocked ok > /out/still-blocks.txt 2>&1
            for n in %4$s; do
              $F policy apply %5$s$n > /out/corpus/$n.out 2>&1; echo $? > /out/corpus/$n.rc
              $T get-table > /out/corpus/$n.gen
            done
            # all or none: a valid file with a malformed one applies nothing
            $F policy apply /mt/other.yaml %5$s%6$s > /out/mixed.out 2>&1; echo $? > /out/mixed.rc
            $T get-table > /out/gen-after-corpus.txt
            $T exec /opt/mt/blocked ok > /out/still-blocks-2.txt 2>&1
            # the device still takes a valid table
            $T set-table /mt/base.bin > /out/reset.txt 2>&1
            $T exec /opt/mt/blocked ok > /out/still-blocks-3.txt 2>&1
            $F policy clear > /dev/null
            $F unload
            """;

  /** A table refused with this error code at this byte offset ({@code ftg_table_error}). */
  record Case(String name, byte[] table, Long claimedSize, int error, long offset) {}

  private GuestResult result;
  private byte[] base;
  private List<Case> cases;

  @BeforeAll
  void writeEveryMalformedTable() throws Exception {
    base = compile(BASE);
    cases = cases(base);
    Path dir = Repository.root().resolve("it/target/malformed-tables");
    FtguardGuest.deleteTree(dir);
    Files.createDirectories(dir.resolve("bad"));
    Files.writeString(dir.resolve("base.yaml"), BASE);
    Files.writeString(
        dir.resolve("other.yaml"),
        BASE.replace("mt-base", "mt-other").replace("mt-second", "mt-other2"));
    Files.write(dir.resolve("base.bin"), base);
    for (Case c : cases) {
      Files.write(dir.resolve("bad/" + c.name() + ".bin"), c.table());
      if (c.claimedSize() != null) {
        Files.writeString(dir.resolve("bad/" + c.name() + ".size"), Long.toString(c.claimedSize()));
      }
    }
    String payload =
        PAYLOAD.formatted(
            FtguardGuest.FTGUARD,
            T,
            FtguardGuest.MODULE,
            String.join(" ", CORPUS),
            CORPUS_DIR,
            CORPUS.getFirst());
    result =
        FtguardGuest.runClean(
            FtguardGuest.withTestFiles(FtguardGuest.guest("malformed-table", Duration.ofMinutes(8)))
                .share(Share.readOnly(dir, "/mt"))
                .payload(payload));
    assertThat(result.readOutFile("apply.rc").strip())
        .as(result.readOutFile("apply.out"))
        .isEqualTo("0");
  }

  @Test
  void theAppliedTableIsTheOneTheTestCorrupts() {
    assertThat(result.outFile("applied.bin")).hasBinaryContent(base);
  }

  @Test
  void everyMalformedTableIsRefusedWithItsReason() {
    SoftAssertions soft = new SoftAssertions();
    Pattern p = Pattern.compile("errno=(\\w+) error=(\\d+) offset=(\\d+)\\s+rc=1\\s*");
    for (Case c : cases) {
      String out = result.readOutFile("bad/" + c.name() + ".txt");
      Matcher m = p.matcher(out);
      if (!m.matches()) {
        soft.fail("%s: expected a refusal, got: %s", c.name(), out);
        continue;
      }
      soft.assertThat(m.group(1)).as("%s errno (%s)", c.name(), out).isEqualTo("EINVAL");
      soft.assertThat(Abi.TABLE_ERROR_NAMES.get(Integer.parseInt(m.group(2))))
          .as("%s error (%s)", c.name(), out)
          .isEqualTo(Abi.TABLE_ERROR_NAMES.get(c.error()));
      soft.assertThat(Long.parseLong(m.group(3)))
          .as("%s error offset (%s)", c.name(), out)
          .isEqualTo(c.offset());
    }
    soft.assertAll();
  }

  @Test
  void theValidTableStaysAndStillBlocks() {
    String applied = result.readOutFile("gen-applied.txt").strip();
    assertThat(applied).matches("ok needed=" + base.length + " generation=\\d+");
    assertThat(result.readOutFile("gen-after-bad.txt").strip()).isEqualTo(applied);
    assertThat(result.outFile("after-bad.bin")).hasBinaryContent(base);
    assertThat(result.readOutFile("still-blocks.txt").strip()).isEqualTo("errno=EPERM");
    assertThat(result.readOutFile("show.rc").strip())
        .as(result.readOutFile("show.err"))
        .isEqualTo("0");
    assertThat(result.readOutFile("show.json"))
        .contains("mt-base", "block-exec", "mt-second")
        .contains(generation(applied));
  }

  @Test
  void malformedPolicyFilesExitNineAndChangeNothing() {
    String applied = result.readOutFile("gen-applied.txt").strip();
    SoftAssertions soft = new SoftAssertions();
    for (String n : CORPUS) {
      String out = result.readOutFile("corpus/" + n + ".out");
      soft.assertThat(result.readOutFile("corpus/" + n + ".rc").strip())
          .as("%s: %s", n, out)
          .isEqualTo("9");
      soft.assertThat(out).as(n).contains(n + ":");
      soft.assertThat(result.readOutFile("corpus/" + n + ".gen").strip())
          .as("table after %s", n)
          .isEqualTo(applied);
    }
    soft.assertThat(result.readOutFile("mixed.rc").strip())
        .as(result.readOutFile("mixed.out"))
        .isEqualTo("9");
    soft.assertThat(result.readOutFile("gen-after-corpus.txt").strip()).isEqualTo(applied);
    soft.assertThat(result.readOutFile("still-blocks-2.txt").strip()).isEqualTo("errno=EPERM");
    soft.assertAll();
  }

  @Test
  void theDeviceStillTakesAValidTable() {
    long applied = Long.parseLong(generation(result.readOutFile("gen-applied.txt").strip()));
    assertThat(result.readOutFile("reset.txt").strip()).isEqualTo("ok generation=" + (applied + 1));
    assertThat(result.readOutFile("still-blocks-3.txt").strip()).isEqualTo("errno=EPERM");
  }

  private static String generation(String getTable) {
    return getTable.substring(getTable.indexOf("generation=") + "generation=".length());
  }

  // ---- the table and its corruptions ----------------------------------------------------------

  static byte[] compile(String yaml) throws Exception {
    LoadResult r = PolicyLoader.load(new PolicySource("base.yaml", yaml));
    PolicySet set =
        switch (r) {
          case LoadResult.Loaded(var s) -> s;
          case LoadResult.Invalid(var errors) ->
              throw new AssertionError("base policy invalid: " + errors);
        };
    return TableCompiler.compile(set);
  }

  /** Reads a table laid out as in kmod/include/uapi/ftguard.h, host (little-endian) order. */
  static final class Table {
    final byte[] bytes;
    private final ByteBuffer bb;

    Table(byte[] bytes) {
      this.bytes = bytes;
      this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    int u32(long at) {
      return bb.getInt((int) at);
    }

    long u64(long at) {
      return bb.getLong((int) at);
    }

    int u16(long at) {
      return Short.toUnsignedInt(bb.getShort((int) at));
    }

    int u8(long at) {
      return Byte.toUnsignedInt(bb.get((int) at));
    }

    long section(long field) {
      return Integer.toUnsignedLong(u32(field + Abi.Table.SECTION_OFFSET));
    }

    int count(long field) {
      return u32(field + Abi.Table.SECTION_COUNT);
    }

    long policy(int i) {
      return section(Abi.Table.POLICIES) + i * Abi.Pol.SIZE;
    }

    long rule(int i) {
      return section(Abi.Table.RULES) + i * Abi.Rul.SIZE;
    }

    long value(int i) {
      return section(Abi.Table.VALUES) + i * Abi.Val.SIZE;
    }

    long string(int off) {
      return section(Abi.Table.STRINGS) + off;
    }

    String name(long at) {
      int n = 0;
      while (n < Abi.NAME_LEN && bytes[(int) at + n] != 0) {
        n++;
      }
      return new String(bytes, (int) at, n, StandardCharsets.UTF_8);
    }

    int ruleIndex(String name) {
      for (int i = 0; i < count(Abi.Table.RULES); i++) {
        if (name(rule(i) + Abi.Rul.NAME).equals(name)) {
          return i;
        }
      }
      throw new AssertionError("no rule " + name + " in the compiled table");
    }

    long sel(int rule, int slot) {
      return rule(rule) + Abi.Rul.SEL + slot * Abi.Rul.SEL_SIZE;
    }

    /** Index of the first value of the rule's selector with this type. */
    int valueOf(String rule, int slot, int type) {
      long s = sel(ruleIndex(rule), slot);
      int first = u32(s + Abi.Rul.SEL_FIRST);
      int n = u32(s + Abi.Rul.SEL_COUNT);
      for (int i = first; i < first + n; i++) {
        if (u8(value(i) + Abi.Val.TYPE) == type) {
          return i;
        }
      }
      throw new AssertionError(
          "rule " + rule + " has no value of type " + type + " in slot " + slot);
    }

    /** A copy changed by the mutator. */
    byte[] with(Consumer<ByteBuffer> mutate) {
      byte[] copy = bytes.clone();
      mutate.accept(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()));
      return copy;
    }
  }

  private static int i(long at) {
    return Math.toIntExact(at);
  }

  /** Every malformed table, its expected error and the offset of the offending field. */
  static List<Case> cases(byte[] base) {
    Table t = new Table(base);
    List<Case> out = new ArrayList<>();
    int size = base.length;
    assertThat(t.u32(Abi.Table.MAGIC)).isEqualTo(Abi.TABLE_MAGIC);
    assertThat(t.u32(Abi.Table.TABLE_SIZE)).isEqualTo(size);
    assertThat(t.count(Abi.Table.POLICIES)).isEqualTo(2);

    // sizes and header
    out.add(new Case("empty", new byte[0], null, Abi.TERR_SIZE, 0));
    out.add(new Case("truncated-header", Arrays.copyOf(base, 20), null, Abi.TERR_SIZE, 0));
    out.add(
        new Case(
            "truncated-table",
            Arrays.copyOf(base, size - 8),
            null,
            Abi.TERR_SIZE,
            Abi.Table.TABLE_SIZE));
    out.add(
        new Case(
            "trailing-bytes",
            Arrays.copyOf(base, size + 8),
            null,
            Abi.TERR_SIZE,
            Abi.Table.TABLE_SIZE));
    out.add(
        new Case(
            "size-field-mismatch",
            t.with(b -> b.putInt(i(Abi.Table.TABLE_SIZE), size + 8)),
            null,
            Abi.TERR_SIZE,
            Abi.Table.TABLE_SIZE));
    out.add(new Case("claimed-size-huge", base, 0xffffffffL, Abi.TERR_SIZE, 0));
    out.add(new Case("claimed-size-over-max", base, (long) Abi.TABLE_MAX + 1, Abi.TERR_SIZE, 0));
    out.add(new Case("claimed-size-below-header", base, 16L, Abi.TERR_SIZE, 0));
    out.add(
        new Case(
            "bad-magic",
            t.with(b -> b.putInt(i(Abi.Table.MAGIC), Abi.TABLE_MAGIC ^ 1)),
            null,
            Abi.TERR_MAGIC,
            Abi.Table.MAGIC));
    out.add(
        new Case(
            "bad-version",
            t.with(b -> b.putInt(i(Abi.Table.VERSION), Abi.TABLE_VERSION + 1)),
            null,
            Abi.TERR_VERSION,
            Abi.Table.VERSION));
    out.add(
        new Case(
            "header-flags",
            t.with(b -> b.putInt(i(Abi.Table.FLAGS), Integer.lowestOneBit(~Abi.TABLE_FLAGS_ALL))),
            null,
            Abi.TERR_FLAGS,
            Abi.Table.FLAGS));

    // sections
    long valuesOff = Abi.Table.VALUES + Abi.Table.SECTION_OFFSET;
    out.add(
        new Case(
            "section-out-of-bounds",
            t.with(b -> b.putInt(i(valuesOff), size)),
            null,
            Abi.TERR_SECTION,
            valuesOff));
    long rulesOff = Abi.Table.RULES + Abi.Table.SECTION_OFFSET;
    out.add(
        new Case(
            "section-overlapping",
            t.with(b -> b.putInt(i(rulesOff), (int) t.section(Abi.Table.POLICIES))),
            null,
            Abi.TERR_SECTION,
            rulesOff));
    long stringsOff = Abi.Table.STRINGS + Abi.Table.SECTION_OFFSET;
    out.add(
        new Case(
            "section-misaligned",
            t.with(b -> b.putInt(i(stringsOff), (int) t.section(Abi.Table.STRINGS) + 4)),
            null,
            Abi.TERR_SECTION,
            stringsOff));
    long policiesOff = Abi.Table.POLICIES + Abi.Table.SECTION_OFFSET;
    out.add(
        new Case(
            "section-inside-header",
            t.with(b -> b.putInt(i(policiesOff), 0)),
            null,
            Abi.TERR_SECTION,
            policiesOff));
    long ruleCount = Abi.Table.RULES + Abi.Table.SECTION_COUNT;
    out.add(
        new Case(
            "rules-over-limit",
            t.with(b -> b.putInt(i(ruleCount), Abi.TABLE_RULES_MAX + 1)),
            null,
            Abi.TERR_COUNT,
            ruleCount));
    long policyCount = Abi.Table.POLICIES + Abi.Table.SECTION_COUNT;
    out.add(
        new Case(
            "policies-over-limit",
            t.with(b -> b.putInt(i(policyCount), Abi.TABLE_POLICIES_MAX + 1)),
            null,
            Abi.TERR_COUNT,
            policyCount));
    long valueCount = Abi.Table.VALUES + Abi.Table.SECTION_COUNT;
    out.add(
        new Case(
            "values-over-limit",
            t.with(b -> b.putInt(i(valueCount), Abi.TABLE_VALUES_MAX + 1)),
            null,
            Abi.TERR_COUNT,
            valueCount));
    long stringCount = Abi.Table.STRINGS + Abi.Table.SECTION_COUNT;
    out.add(
        new Case(
            "strings-over-limit",
            t.with(b -> b.putInt(i(stringCount), Abi.TABLE_MAX + 1)),
            null,
            Abi.TERR_COUNT,
            stringCount));
    out.add(
        new Case(
            "rules-past-the-end",
            t.with(b -> b.putInt(i(ruleCount), t.count(Abi.Table.RULES) + 100)),
            null,
            Abi.TERR_SECTION,
            rulesOff));

    // policies
    long p0 = t.policy(0);
    out.add(
        new Case(
            "policy-name-empty",
            t.with(b -> b.put(i(p0 + Abi.Pol.NAME), (byte) 0)),
            null,
            Abi.TERR_NAME,
            p0 + Abi.Pol.NAME));
    out.add(
        new Case(
            "policy-name-unterminated",
            t.with(
                b -> {
                  for (int k = 0; k < Abi.NAME_LEN; k++) {
                    b.put(i(p0 + Abi.Pol.NAME) + k, (byte) 'a');
                  }
                }),
            null,
            Abi.TERR_NAME,
            p0 + Abi.Pol.NAME));
    out.add(
        new Case(
            "policy-name-upper-case",
            t.with(b -> b.put(i(p0 + Abi.Pol.NAME), (byte) 'M')),
            null,
            Abi.TERR_NAME,
            p0 + Abi.Pol.NAME));
    out.add(
        new Case(
            "policy-name-garbage-after-nul",
            t.with(b -> b.put(i(p0 + Abi.Pol.NAME) + Abi.NAME_LEN - 1, (byte) 'x')),
            null,
            Abi.TERR_NAME,
            p0 + Abi.Pol.NAME));
    out.add(
        new Case(
            "policy-mode",
            t.with(b -> b.putInt(i(p0 + Abi.Pol.MODE), 2)),
            null,
            Abi.TERR_MODE,
            p0 + Abi.Pol.MODE));

    // rules
    int exec = t.ruleIndex("block-exec");
    int open = t.ruleIndex("audit-open");
    int conn = t.ruleIndex("connect-deny");
    int fileless = t.ruleIndex("fileless-kill");
    int last = t.count(Abi.Table.RULES) - 1;
    long rx = t.rule(exec);
    long ro = t.rule(open);
    long rc = t.rule(conn);
    out.add(
        new Case(
            "rule-name-unterminated",
            t.with(
                b -> {
                  for (int k = 0; k < Abi.NAME_LEN; k++) {
                    b.put(i(rx + Abi.Rul.NAME) + k, (byte) 'r');
                  }
                }),
            null,
            Abi.TERR_NAME,
            rx + Abi.Rul.NAME));
    out.add(
        new Case(
            "rule-name-empty",
            t.with(b -> b.put(i(rx + Abi.Rul.NAME), (byte) 0)),
            null,
            Abi.TERR_NAME,
            rx + Abi.Rul.NAME));
    out.add(
        new Case(
            "rule-policy-out-of-range",
            t.with(b -> b.putInt(i(rx + Abi.Rul.POLICY), 2)),
            null,
            Abi.TERR_POLICY,
            rx + Abi.Rul.POLICY));
    assertThat(t.u32(t.rule(last) + Abi.Rul.POLICY)).isEqualTo(1);
    out.add(
        new Case(
            "rule-policy-out-of-order",
            t.with(b -> b.putInt(i(t.rule(last) + Abi.Rul.POLICY), 0)),
            null,
            Abi.TERR_POLICY,
            t.rule(last) + Abi.Rul.POLICY));
    out.add(
        new Case(
            "rule-kind-unknown",
            t.with(b -> b.put(i(rx + Abi.Rul.KIND), (byte) Abi.KINDS)),
            null,
            Abi.TERR_KIND,
            rx + Abi.Rul.KIND));
    out.add(
        new Case(
            "rule-action-unknown",
            t.with(b -> b.put(i(rx + Abi.Rul.ACTION), (byte) Abi.ACTIONS)),
            null,
            Abi.TERR_ACTION,
            rx + Abi.Rul.ACTION));
    out.add(
        new Case(
            "errno-on-audit",
            t.with(b -> b.putShort(i(ro + Abi.Rul.ERR), (short) 1)),
            null,
            Abi.TERR_ERRNO,
            ro + Abi.Rul.ERR));
    out.add(
        new Case(
            "errno-on-kill",
            t.with(b -> b.putShort(i(t.rule(fileless) + Abi.Rul.ERR), (short) 1)),
            null,
            Abi.TERR_ERRNO,
            t.rule(fileless) + Abi.Rul.ERR));
    out.add(
        new Case(
            "deny-without-errno",
            t.with(b -> b.putShort(i(rx + Abi.Rul.ERR), (short) 0)),
            null,
            Abi.TERR_ERRNO,
            rx + Abi.Rul.ERR));
    out.add(
        new Case(
            "errno-too-big",
            t.with(b -> b.putShort(i(rx + Abi.Rul.ERR), (short) 4096)),
            null,
            Abi.TERR_ERRNO,
            rx + Abi.Rul.ERR));
    out.add(
        new Case(
            "rule-flags-unknown",
            t.with(b -> b.putInt(i(rx + Abi.Rul.FLAGS), t.u32(rx + Abi.Rul.FLAGS) | 0x80)),
            null,
            Abi.TERR_FLAGS,
            rx + Abi.Rul.FLAGS));
    out.add(
        new Case(
            "rule-flags-wrong-kind",
            t.with(b -> b.putInt(i(ro + Abi.Rul.FLAGS), Abi.RULE_NEGATE_UID)),
            null,
            Abi.TERR_FLAGS,
            ro + Abi.Rul.FLAGS));
    long rf = t.rule(fileless);
    assertThat(t.u32(rf + Abi.Rul.FLAGS)).isEqualTo(Abi.RULE_FILELESS_SET | Abi.RULE_FILELESS);
    out.add(
        new Case(
            "rule-flag-value-without-set",
            t.with(b -> b.putInt(i(rf + Abi.Rul.FLAGS), Abi.RULE_FILELESS)),
            null,
            Abi.TERR_FLAGS,
            rf + Abi.Rul.FLAGS));
    out.add(
        new Case(
            "negate-without-selector",
            t.with(
                b ->
                    b.putInt(
                        i(rf + Abi.Rul.FLAGS),
                        Abi.RULE_FILELESS_SET | Abi.RULE_FILELESS | Abi.RULE_NEGATE_EUID)),
            null,
            Abi.TERR_FLAGS,
            rf + Abi.Rul.FLAGS));
    out.add(
        new Case(
            "mask-unknown-bit",
            // the lowest bit FTG_KIND_MASK(FTG_KIND_OPEN) does not allow
            t.with(
                b ->
                    b.putInt(
                        i(ro + Abi.Rul.MASK),
                        t.u32(ro + Abi.Rul.MASK)
                            | Integer.lowestOneBit(
                                ~dev.ftguard.abi.DecisionEvent.Kind.OPEN.allowedMask()))),
            null,
            Abi.TERR_MASK,
            ro + Abi.Rul.MASK));
    out.add(
        new Case(
            "mask-on-exec",
            t.with(b -> b.putInt(i(rx + Abi.Rul.MASK), 1)),
            null,
            Abi.TERR_MASK,
            rx + Abi.Rul.MASK));

    // selectors
    long openPort = t.sel(open, Abi.SEL_PORT);
    out.add(
        new Case(
            "slot-not-allowed-for-kind",
            t.with(
                b -> {
                  b.putInt(i(openPort + Abi.Rul.SEL_FIRST), 0);
                  b.putInt(i(openPort + Abi.Rul.SEL_COUNT), 1);
                }),
            null,
            Abi.TERR_SELECTOR,
            openPort));
    long execBin = t.sel(exec, Abi.SEL_BINARY);
    int nValues = t.count(Abi.Table.VALUES);
    out.add(
        new Case(
            "selector-past-the-values",
            t.with(
                b ->
                    b.putInt(
                        i(execBin + Abi.Rul.SEL_COUNT),
                        nValues - t.u32(execBin + Abi.Rul.SEL_FIRST) + 1)),
            null,
            Abi.TERR_SELECTOR,
            execBin));
    long execArgv = t.sel(exec, Abi.SEL_ARGV);
    out.add(
        new Case(
            "selector-first-without-count",
            t.with(b -> b.putInt(i(execArgv + Abi.Rul.SEL_FIRST), 1)),
            null,
            Abi.TERR_SELECTOR,
            execArgv));
    out.add(
        new Case(
            "selector-too-many-values",
            t.with(b -> b.putInt(i(execBin + Abi.Rul.SEL_COUNT), Abi.TABLE_SEL_MAX + 1)),
            null,
            Abi.TERR_SELECTOR,
            execBin));

    // values
    long vExact = t.value(t.valueOf("block-exec", Abi.SEL_BINARY, Abi.VAL_EXACT));
    long vGlob = t.value(t.valueOf("block-exec", Abi.SEL_BINARY, Abi.VAL_GLOB));
    long vUid = t.value(t.valueOf("block-exec", Abi.SEL_UID, Abi.VAL_RANGE));
    long vPort = t.value(t.valueOf("connect-deny", Abi.SEL_PORT, Abi.VAL_RANGE));
    long v4 = t.value(t.valueOf("connect-deny", Abi.SEL_ADDRESS, Abi.VAL_CIDR4));
    long v6 = t.value(t.valueOf("connect-deny", Abi.SEL_ADDRESS, Abi.VAL_CIDR6));
    long vArgv = t.value(t.valueOf("argv-audit", Abi.SEL_ARGV, Abi.VAL_EXACT));
    long vSha = t.value(t.valueOf("content-audit", Abi.SEL_SHA256, Abi.VAL_SHA256));
    long shaText = t.string(t.u32(vSha + Abi.Val.STR_OFF));
    out.add(
        new Case(
            "sha256-value-short",
            t.with(b -> b.putShort(i(vSha + Abi.Val.STR_LEN), (short) (Abi.SHA256_HEX_LEN - 1))),
            null,
            Abi.TERR_VALUE,
            vSha + Abi.Val.STR_LEN));
    out.add(
        new Case(
            "sha256-value-upper-case",
            t.with(b -> b.put(i(shaText + 2), (byte) 'B')),
            null,
            Abi.TERR_VALUE,
            vSha + Abi.Val.STR_OFF));
    out.add(
        new Case(
            "sha256-value-not-hex",
            t.with(b -> b.put(i(shaText + Abi.SHA256_HEX_LEN - 1), (byte) 'g')),
            null,
            Abi.TERR_VALUE,
            vSha + Abi.Val.STR_OFF));
    out.add(
        new Case(
            "sha256-slot-exact-value",
            t.with(b -> b.put(i(vSha + Abi.Val.TYPE), (byte) Abi.VAL_EXACT)),
            null,
            Abi.TERR_VALUE,
            vSha + Abi.Val.TYPE));
    out.add(
        new Case(
            "sha256-value-range-field",
            t.with(b -> b.putLong(i(vSha + Abi.Val.LO), 1)),
            null,
            Abi.TERR_VALUE,
            vSha));
    out.add(
        new Case(
            "sha256-value-in-path-slot",
            t.with(b -> b.put(i(vExact + Abi.Val.TYPE), (byte) Abi.VAL_SHA256)),
            null,
            Abi.TERR_VALUE,
            vExact + Abi.Val.TYPE));
    out.add(
        new Case(
            "value-range-in-path-slot",
            t.with(b -> b.put(i(vExact + Abi.Val.TYPE), (byte) Abi.VAL_RANGE)),
            null,
            Abi.TERR_VALUE,
            vExact + Abi.Val.TYPE));
    out.add(
        new Case(
            "value-type-unknown",
            t.with(b -> b.put(i(vExact + Abi.Val.TYPE), (byte) 7)),
            null,
            Abi.TERR_VALUE,
            vExact + Abi.Val.TYPE));
    out.add(
        new Case(
            "value-prefix-in-argv",
            t.with(b -> b.put(i(vArgv + Abi.Val.TYPE), (byte) Abi.VAL_PREFIX)),
            null,
            Abi.TERR_VALUE,
            vArgv + Abi.Val.TYPE));
    out.add(
        new Case(
            "value-string-with-range-bits",
            t.with(b -> b.putLong(i(vExact + Abi.Val.HI), 1)),
            null,
            Abi.TERR_VALUE,
            vExact));
    out.add(
        new Case(
            "range-reversed",
            t.with(b -> b.putLong(i(vUid + Abi.Val.LO), t.u64(vUid + Abi.Val.HI) + 1)),
            null,
            Abi.TERR_VALUE,
            vUid + Abi.Val.LO));
    out.add(
        new Case(
            "uid-above-max",
            t.with(b -> b.putLong(i(vUid + Abi.Val.HI), 0xffffffffL)),
            null,
            Abi.TERR_VALUE,
            vUid + Abi.Val.LO));
    out.add(
        new Case(
            "port-above-max",
            t.with(b -> b.putLong(i(vPort + Abi.Val.HI), 65536)),
            null,
            Abi.TERR_VALUE,
            vPort + Abi.Val.LO));
    out.add(
        new Case(
            "cidr4-host-bits",
            t.with(b -> b.put(i(v4 + Abi.Val.ADDR) + 3, (byte) 1)),
            null,
            Abi.TERR_VALUE,
            v4 + Abi.Val.ADDR));
    out.add(
        new Case(
            "cidr4-prefix-too-long",
            t.with(b -> b.put(i(v4 + Abi.Val.PREFIX_LEN), (byte) 33)),
            null,
            Abi.TERR_VALUE,
            v4 + Abi.Val.PREFIX_LEN));
    out.add(
        new Case(
            "cidr4-bytes-past-4",
            t.with(b -> b.put(i(v4 + Abi.Val.ADDR) + 8, (byte) 1)),
            null,
            Abi.TERR_VALUE,
            v4 + Abi.Val.PREFIX_LEN));
    out.add(
        new Case(
            "cidr6-host-bits",
            t.with(b -> b.put(i(v6 + Abi.Val.ADDR) + 15, (byte) 1)),
            null,
            Abi.TERR_VALUE,
            v6 + Abi.Val.ADDR));
    out.add(
        new Case(
            "cidr6-prefix-too-long",
            t.with(b -> b.put(i(v6 + Abi.Val.PREFIX_LEN), (byte) 129)),
            null,
            Abi.TERR_VALUE,
            v6 + Abi.Val.PREFIX_LEN));

    // strings
    int strings = t.count(Abi.Table.STRINGS);
    int exactOff = t.u32(vExact + Abi.Val.STR_OFF);
    int exactLen = t.u16(vExact + Abi.Val.STR_LEN);
    long exactStrOff = vExact + Abi.Val.STR_OFF;
    assertThat(new String(base, i(t.string(exactOff)), exactLen, StandardCharsets.UTF_8))
        .isEqualTo("/opt/mt/blocked");
    out.add(
        new Case(
            "string-outside-the-area",
            t.with(b -> b.putInt(i(exactStrOff), strings)),
            null,
            Abi.TERR_STRING,
            exactStrOff));
    out.add(
        new Case(
            "string-crossing-the-end",
            t.with(b -> b.putInt(i(exactStrOff), strings - 2)),
            null,
            Abi.TERR_STRING,
            exactStrOff));
    out.add(
        new Case(
            "string-empty",
            t.with(b -> b.putShort(i(vExact + Abi.Val.STR_LEN), (short) 0)),
            null,
            Abi.TERR_STRING,
            exactStrOff));
    out.add(
        new Case(
            "string-too-long",
            t.with(b -> b.putShort(i(vExact + Abi.Val.STR_LEN), (short) (Abi.TABLE_STR_MAX + 1))),
            null,
            Abi.TERR_STRING,
            exactStrOff));
    out.add(
        new Case(
            "string-with-nul",
            t.with(b -> b.put(i(t.string(exactOff)) + 4, (byte) 0)),
            null,
            Abi.TERR_STRING,
            exactStrOff));
    int globOff = t.u32(vGlob + Abi.Val.STR_OFF);
    int globLen = t.u16(vGlob + Abi.Val.STR_LEN);
    assertThat(new String(base, i(t.string(globOff)), globLen, StandardCharsets.UTF_8))
        .isEqualTo("/opt/mt/glob-*");
    out.add(
        new Case(
            "glob-five-stars",
            t.with(
                b -> {
                  byte[] stars =
                      "/*/*/*/*-*".getBytes(StandardCharsets.UTF_8); // 5 '*', padded below
                  byte[] g = Arrays.copyOf(stars, globLen);
                  Arrays.fill(g, stars.length, globLen, (byte) 'x');
                  b.put(i(t.string(globOff)), g);
                }),
            null,
            Abi.TERR_GLOB,
            vGlob + Abi.Val.STR_OFF));
    out.add(
        new Case(
            "glob-unclosed-class",
            t.with(b -> b.put(i(t.string(globOff)) + 1, (byte) '[')),
            null,
            Abi.TERR_GLOB,
            vGlob + Abi.Val.STR_OFF));
    return out;
  }
}
