package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a rule table (what {@link TableCompiler} writes and {@code FTG_IOC_GET_TABLE} hands back)
 * into the policy model, in host byte order.
 *
 * <p>Every field, count, offset and string is checked before it is used, as the kernel checks a
 * table it is given (the {@link TableFormatException} carries the {@code FTG_TERR_*} value the
 * kernel would report and the offset of the field), plus what the model needs: strings are valid
 * UTF-8 and a deny rule's errno is one a policy can name. Garbage never gives any other exception.
 * For a set {@code s}, {@code read(TableCompiler.compile(s))} gives back its policies and rules
 * (name, mode, priority, kind, action, errno and match).
 */
public final class TableReader {
  private TableReader() {}

  /** The file name of the {@link dev.ftguard.policy.Location}s of policies and rules read back. */
  public static final String SOURCE = "<rule table>";

  /**
   * Reads {@code table}, which must be exactly the table's bytes (its header's {@code size}).
   *
   * @throws TableFormatException the bytes are not a valid table
   */
  public static CompiledTable read(byte[] table) throws TableFormatException {
    return new Reader(table).read();
  }

  /**
   * A checked section of the table: where its {offset, count} pair is in the header, its offset,
   * count and element size.
   */
  private record Section(long field, long offset, long count, long elem) {
    long end() {
      return offset + count * elem;
    }
  }

  private static final class Reader extends TableBytes {
    Reader(byte[] bytes) {
      super(bytes);
    }

    CompiledTable read() throws TableFormatException {
      long size = header();
      List<Section> sections = sections();
      Section policies = sections.get(0);
      Section rules = sections.get(1);
      Section values = sections.get(2);
      Section strings = sections.get(3);
      Section hooks = sections.get(4);
      Section args = sections.get(5);
      List<CompiledPolicy> heads = policies(policies.offset(), (int) policies.count());
      HookReader hookReader =
          new HookReader(bytes, hooks.offset(), args.offset(), (int) args.count());
      for (int i = 0; i < hooks.count(); i++) {
        hookReader.hooks().add(hookReader.hook(i));
      }
      RuleReader ruleReader =
          new RuleReader(
              bytes,
              heads.size(),
              values.offset(),
              (int) values.count(),
              hookReader.hooks(),
              new ValueReader(bytes, values.offset(), strings.offset(), (int) strings.count()));
      List<List<CompiledRule>> byPolicy =
          rules(rules.offset(), (int) rules.count(), heads.size(), ruleReader);
      List<CompiledPolicy> out = new ArrayList<>();
      for (int i = 0; i < heads.size(); i++) {
        CompiledPolicy h = heads.get(i);
        out.add(new CompiledPolicy(h.name(), h.mode(), h.priority(), byPolicy.get(i)));
      }
      return new CompiledTable(size, (u32(Abi.Table.FLAGS) & Abi.TABLE_F_LOCK) != 0, out);
    }

    /** Checks the header's fixed fields against the bytes given; returns the table's size. */
    private long header() throws TableFormatException {
      if (bytes.length < Abi.Table.SIZE) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            0,
            "table of "
                + bytes.length
                + " bytes is shorter than its "
                + Abi.Table.SIZE
                + "-byte header");
      }
      if (bytes.length > Abi.TABLE_MAX) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            0,
            "table of " + bytes.length + " bytes is larger than FTG_TABLE_MAX " + Abi.TABLE_MAX);
      }
      int magic = i32(Abi.Table.MAGIC);
      if (magic != Abi.TABLE_MAGIC) {
        throw new TableFormatException(
            Abi.TERR_MAGIC,
            Abi.Table.MAGIC,
            "magic is 0x"
                + Integer.toHexString(magic)
                + ", not 0x"
                + Integer.toHexString(Abi.TABLE_MAGIC)
                + " (\"FTGT\")");
      }
      long version = u32(Abi.Table.VERSION);
      if (version != Abi.TABLE_VERSION) {
        throw new TableFormatException(
            Abi.TERR_VERSION,
            Abi.Table.VERSION,
            "table version " + version + ", this ftguard reads version " + Abi.TABLE_VERSION);
      }
      long size = u32(Abi.Table.TABLE_SIZE);
      if (size != bytes.length) {
        throw new TableFormatException(
            Abi.TERR_SIZE,
            Abi.Table.TABLE_SIZE,
            "header size " + size + " but " + bytes.length + " bytes were given");
      }
      long flags = u32(Abi.Table.FLAGS);
      if ((flags & ~(long) Abi.TABLE_FLAGS_ALL) != 0) {
        throw new TableFormatException(
            Abi.TERR_FLAGS,
            Abi.Table.FLAGS,
            "header flags 0x"
                + Long.toHexString(flags)
                + " have bits outside FTG_TABLE_FLAGS_ALL 0x"
                + Integer.toHexString(Abi.TABLE_FLAGS_ALL));
      }
      return size;
    }

    /**
     * The sections in header order (policies, rules, values, strings, hooks, args), each checked,
     * then checked not to overlap.
     */
    private List<Section> sections() throws TableFormatException {
      List<Section> all =
          List.of(
              section(
                  Abi.Table.POLICIES,
                  "policies",
                  Abi.Pol.SIZE,
                  Abi.TABLE_POLICIES_MAX,
                  "FTG_TABLE_POLICIES_MAX"),
              section(
                  Abi.Table.RULES,
                  "rules",
                  Abi.Rul.SIZE,
                  Abi.TABLE_RULES_MAX,
                  "FTG_TABLE_RULES_MAX"),
              section(
                  Abi.Table.VALUES,
                  "values",
                  Abi.Val.SIZE,
                  Abi.TABLE_VALUES_MAX,
                  "FTG_TABLE_VALUES_MAX"),
              section(Abi.Table.STRINGS, "strings", 1, Abi.TABLE_MAX, "FTG_TABLE_MAX"),
              section(
                  Abi.Table.HOOKS,
                  "hooks",
                  Abi.HookDecl.SIZE,
                  Abi.TABLE_HOOKS_MAX,
                  "FTG_TABLE_HOOKS_MAX"),
              section(
                  Abi.Table.ARGS,
                  "args",
                  Abi.ArgDecl.SIZE,
                  (long) Abi.TABLE_HOOKS_MAX * Abi.CALL_ARGS_MAX,
                  "FTG_TABLE_HOOKS_MAX * FTG_CALL_ARGS_MAX"));
      for (int i = 0; i < all.size(); i++) {
        for (int j = i + 1; j < all.size(); j++) {
          checkApart(i, all.get(i), j, all.get(j));
        }
      }
      return all;
    }

    /** Non-empty sections {@code i} and {@code j} (the later one) must not overlap. */
    private static void checkApart(int i, Section a, int j, Section b) throws TableFormatException {
      long a0 = a.offset();
      long a1 = a.end();
      long b0 = b.offset();
      long b1 = b.end();
      if (a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1) {
        throw new TableFormatException(
            Abi.TERR_SECTION,
            b.field() + Abi.Table.SECTION_OFFSET,
            "section "
                + j
                + " ["
                + b0
                + ", "
                + b1
                + ") overlaps section "
                + i
                + " ["
                + a0
                + ", "
                + a1
                + ")");
      }
    }

    /** A section, checked: aligned, after the header, inside the table. */
    private Section section(long at, String what, long elem, long max, String maxName)
        throws TableFormatException {
      long offset = u32(at + Abi.Table.SECTION_OFFSET);
      long count = u32(at + Abi.Table.SECTION_COUNT);
      if (count > max) {
        throw new TableFormatException(
            Abi.TERR_COUNT,
            at + Abi.Table.SECTION_COUNT,
            what + " count " + count + " is above " + maxName + " " + max);
      }
      long end = offset + count * elem;
      if (offset % Abi.Table.SECTION_ALIGN != 0 || offset < Abi.Table.SIZE || end > bytes.length) {
        throw new TableFormatException(
            Abi.TERR_SECTION,
            at + Abi.Table.SECTION_OFFSET,
            what
                + " section ["
                + offset
                + ", "
                + end
                + ") is misaligned, inside the header or past the table's "
                + bytes.length
                + " bytes");
      }
      return new Section(at, offset, count, elem);
    }

    /** The policies' name, mode and priority (without rules yet), checked. */
    private List<CompiledPolicy> policies(long policiesAt, int nPolicies)
        throws TableFormatException {
      List<CompiledPolicy> out = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        long p = policiesAt + i * Abi.Pol.SIZE;
        String name = name(p + Abi.Pol.NAME, "policy " + i);
        long modeValue = u32(p + Abi.Pol.MODE);
        Optional<Mode> mode = Mode.of((int) modeValue);
        if (mode.isEmpty()) {
          throw new TableFormatException(
              Abi.TERR_MODE,
              p + Abi.Pol.MODE,
              "policy " + i + " has mode " + modeValue + ", not 0 (enforce) or 1 (monitor)");
        }
        out.add(new CompiledPolicy(name, mode.get(), i32(p + Abi.Pol.PRIORITY), List.of()));
      }
      return out;
    }

    /** The rules, each checked by {@code ruleReader}, grouped by their policy's index. */
    private List<List<CompiledRule>> rules(
        long rulesAt, int nRules, int nPolicies, RuleReader ruleReader)
        throws TableFormatException {
      List<List<CompiledRule>> byPolicy = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        byPolicy.add(new ArrayList<>());
      }
      long prev = 0;
      for (int i = 0; i < nRules; i++) {
        long r = rulesAt + i * Abi.Rul.SIZE;
        long policy = u32(r + Abi.Rul.POLICY);
        CompiledRule rule = ruleReader.rule(i, r, prev);
        byPolicy.get((int) policy).add(rule);
        prev = policy;
      }
      return byPolicy;
    }
  }
}
