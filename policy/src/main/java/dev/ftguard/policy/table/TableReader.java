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

  private static final class Reader extends TableBytes {
    long policiesAt;
    int nPolicies;
    long rulesAt;
    int nRules;
    long valuesAt;
    int nValues;
    long stringsAt;
    int nStrings;
    long hooksAt;
    int nHooks;
    long argsAt;
    int nArgs;

    Reader(byte[] bytes) {
      super(bytes);
    }

    CompiledTable read() throws TableFormatException {
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
      if (flags != 0) {
        throw new TableFormatException(
            Abi.TERR_FLAGS,
            Abi.Table.FLAGS,
            "header flags 0x" + Long.toHexString(flags) + " are not zero");
      }
      long[] policies =
          section(
              Abi.Table.POLICIES,
              "policies",
              Abi.Pol.SIZE,
              Abi.TABLE_POLICIES_MAX,
              "FTG_TABLE_POLICIES_MAX");
      long[] rules =
          section(
              Abi.Table.RULES, "rules", Abi.Rul.SIZE, Abi.TABLE_RULES_MAX, "FTG_TABLE_RULES_MAX");
      long[] values =
          section(
              Abi.Table.VALUES,
              "values",
              Abi.Val.SIZE,
              Abi.TABLE_VALUES_MAX,
              "FTG_TABLE_VALUES_MAX");
      long[] strings = section(Abi.Table.STRINGS, "strings", 1, Abi.TABLE_MAX, "FTG_TABLE_MAX");
      long[] hookSec =
          section(
              Abi.Table.HOOKS,
              "hooks",
              Abi.HookDecl.SIZE,
              Abi.TABLE_HOOKS_MAX,
              "FTG_TABLE_HOOKS_MAX");
      long[] argSec =
          section(
              Abi.Table.ARGS,
              "args",
              Abi.ArgDecl.SIZE,
              (long) Abi.TABLE_HOOKS_MAX * Abi.CALL_ARGS_MAX,
              "FTG_TABLE_HOOKS_MAX * FTG_CALL_ARGS_MAX");
      long[][] all = {policies, rules, values, strings, hookSec, argSec};
      long[] elem = {
        Abi.Pol.SIZE, Abi.Rul.SIZE, Abi.Val.SIZE, 1, Abi.HookDecl.SIZE, Abi.ArgDecl.SIZE
      };
      long[] at = {
        Abi.Table.POLICIES,
        Abi.Table.RULES,
        Abi.Table.VALUES,
        Abi.Table.STRINGS,
        Abi.Table.HOOKS,
        Abi.Table.ARGS
      };
      for (int i = 0; i < all.length; i++) {
        long a0 = all[i][0];
        long a1 = a0 + all[i][1] * elem[i];
        for (int j = i + 1; j < all.length; j++) {
          long b0 = all[j][0];
          long b1 = b0 + all[j][1] * elem[j];
          if (a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1) {
            throw new TableFormatException(
                Abi.TERR_SECTION,
                at[j] + Abi.Table.SECTION_OFFSET,
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
      }
      policiesAt = policies[0];
      nPolicies = (int) policies[1];
      rulesAt = rules[0];
      nRules = (int) rules[1];
      valuesAt = values[0];
      nValues = (int) values[1];
      stringsAt = strings[0];
      nStrings = (int) strings[1];
      hooksAt = hookSec[0];
      nHooks = (int) hookSec[1];
      argsAt = argSec[0];
      nArgs = (int) argSec[1];

      List<String> names = new ArrayList<>();
      List<Mode> modes = new ArrayList<>();
      List<Integer> priorities = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        long p = policiesAt + i * Abi.Pol.SIZE;
        names.add(name(p + Abi.Pol.NAME, "policy " + i));
        long modeValue = u32(p + Abi.Pol.MODE);
        Optional<Mode> mode = Mode.of((int) modeValue);
        if (mode.isEmpty()) {
          throw new TableFormatException(
              Abi.TERR_MODE,
              p + Abi.Pol.MODE,
              "policy " + i + " has mode " + modeValue + ", not 0 (enforce) or 1 (monitor)");
        }
        modes.add(mode.get());
        priorities.add(i32(p + Abi.Pol.PRIORITY));
      }
      HookReader hookReader = new HookReader(bytes, hooksAt, argsAt, nArgs);
      for (int i = 0; i < nHooks; i++) {
        hookReader.hooks().add(hookReader.hook(i));
      }
      RuleReader ruleReader =
          new RuleReader(
              bytes,
              nPolicies,
              valuesAt,
              nValues,
              hookReader.hooks(),
              new ValueReader(bytes, valuesAt, stringsAt, nStrings));
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
      List<CompiledPolicy> out = new ArrayList<>();
      for (int i = 0; i < nPolicies; i++) {
        out.add(new CompiledPolicy(names.get(i), modes.get(i), priorities.get(i), byPolicy.get(i)));
      }
      return new CompiledTable(size, out);
    }

    /** {offset, count} of a section, checked: aligned, after the header, inside the table. */
    private long[] section(long at, String what, long elem, long max, String maxName)
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
      return new long[] {offset, count};
    }
  }
}
