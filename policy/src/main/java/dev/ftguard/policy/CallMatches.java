package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is particular to rules of event {@code call}: the declared hook a rule is on, and the
 * selectors on that hook's fields under {@code match.args}.
 */
final class CallMatches {
  private final YamlChecks yaml;
  private final MatchSelectors selectors;
  private final StringMatchers strings;
  private final Networks networks;

  CallMatches(
      YamlChecks yaml, MatchSelectors selectors, StringMatchers strings, Networks networks) {
    this.yaml = yaml;
    this.selectors = selectors;
    this.strings = strings;
    this.networks = networks;
  }

  /** The hook a call rule is on: declared in the same policy. */
  HookDecl ruleHook(YMap m, Map<String, HookDecl> hooks) {
    var fn = m.get("function");
    var sc = m.get("syscall");
    if (fn == null && sc == null) {
      yaml.error(
          m.at(),
          "a rule of event 'call' needs 'function' or 'syscall'",
          "name the hooked function, e.g. 'syscall: mkdirat'");
      return null;
    }
    if (fn != null && sc != null) {
      yaml.error(sc.keyAt(), "rule has both 'function' and 'syscall'", "give one of them");
      return null;
    }
    var e = fn != null ? fn : sc;
    String s = yaml.string(e.value(), e.key());
    if (s == null) {
      return null;
    }
    String function = sc != null ? HookDecl.syscallFunction(s) : s;
    HookDecl h = hooks.get(function);
    if (h == null) {
      String dym = Suggestions.didYouMean(function, List.copyOf(hooks.keySet()));
      yaml.error(
          e.value().at(),
          "function '" + function + "' is not declared under 'hooks:' of this policy",
          (dym == null ? "" : "did you mean '" + dym + "'? ")
              + "declare it: 'hooks: [{"
              + (sc != null ? "syscall: " + s : "function: " + s)
              + ", args: [...]}]'");
    }
    return h;
  }

  Match.Call callMatch(HookDecl hook, YMap m) {
    yaml.keys(m, "match of a 'call' rule", Selector.names(Kind.CALL), List.of());
    Optional<PathMatcher> binary = selectors.path(m, Selector.BINARY);
    java.util.SequencedMap<String, FieldMatcher> args = new java.util.LinkedHashMap<>();
    var a = m.get("args");
    if (a != null) {
      YMap am =
          yaml.map(
              a.value(),
              "args",
              "write 'args:' followed by selectors by argument name, e.g. 'path: {prefix: [/etc/]}'");
      if (am != null) {
        List<HookDecl.FieldRef> fields = hook.fields();
        List<String> names = fields.stream().map(HookDecl.FieldRef::name).toList();
        Map<String, FieldMatcher> found = new HashMap<>();
        for (var e : am.entries()) {
          int i = names.indexOf(e.key());
          if (i < 0) {
            String dym = Suggestions.didYouMean(e.key(), names);
            yaml.error(
                e.keyAt(),
                "'" + e.key() + "' is not a field of " + hook.function(),
                (dym == null ? "" : "did you mean '" + dym + "'? ")
                    + (names.isEmpty()
                        ? "the hook declares no arguments"
                        : "fields: " + String.join(", ", names)));
            continue;
          }
          FieldMatcher fm = fieldMatcher(e.value(), e.key(), fields.get(i).field());
          if (fm != null) {
            found.put(e.key(), fm);
          }
        }
        for (String nm : names) {
          if (found.containsKey(nm)) {
            args.put(nm, found.get(nm));
          }
        }
      }
    }
    return new Match.Call(hook, args, binary);
  }

  private FieldMatcher fieldMatcher(YNode n, String key, ArgType.Field f) {
    return switch (f.kind()) {
      case STRING -> {
        PathMatcher pm = strings.pathMatcher(n, key, StringMatchers.Strings.ANY);
        yield pm == null ? null : new FieldMatcher.Str(pm);
      }
      case ADDRESS -> {
        YMap m = yaml.map(n, key, "write e.g. '" + key + ": {in: [10.0.0.0/8]}'");
        if (m == null) {
          yield null;
        }
        yaml.keys(m, "'" + key + "' matcher", List.of("in"), List.of("in"));
        var in = m.get("in");
        if (in == null) {
          yield null;
        }
        List<Cidr> out = new ArrayList<>();
        for (YNode item : yaml.items(in.value(), "in")) {
          String s = yaml.string(item, "address");
          Cidr c = s == null ? null : networks.cidr(item, s);
          if (c != null) {
            out.add(c);
          }
        }
        yield out.isEmpty() ? null : new FieldMatcher.Addr(out);
      }
      case INT -> intMatcher(n, key, f);
    };
  }

  private static final Pattern INT_RANGE =
      Pattern.compile(
          "\\s*(-?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|\\d+))\\s*(?:\\.\\.\\s*(-?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|\\d+))\\s*)?");

  private FieldMatcher intMatcher(YNode n, String key, ArgType.Field f) {
    String hint =
        "write e.g. '" + key + ": {in: [0, \"10..20\"]}' or '" + key + ": {mask: {any: 0x800}}'";
    YMap m = yaml.map(n, key, hint);
    if (m == null) {
      return null;
    }
    yaml.keys(m, "'" + key + "' matcher", List.of("in", "mask"), List.of());
    var in = m.get("in");
    var mask = m.get("mask");
    if ((in == null) == (mask == null)) {
      yaml.error(
          m.at(),
          in == null ? "'" + key + "' matcher is empty" : "'" + key + "' has both 'in' and 'mask'",
          "give one of 'in: [...]' or 'mask: {any|all: BITS}'");
      return null;
    }
    if (mask != null) {
      return maskMatcher(mask.value(), f);
    }
    List<FieldMatcher.IntRange> ranges = new ArrayList<>();
    for (YNode item : yaml.items(in.value(), "in")) {
      FieldMatcher.IntRange r = intRange(item, key, f);
      if (r != null) {
        ranges.add(r);
      }
    }
    return ranges.isEmpty() ? null : new FieldMatcher.Ints(ranges);
  }

  /** {@code mask: {any: BITS}} or {@code mask: {all: BITS}} of integer field {@code f}. */
  private FieldMatcher.Mask maskMatcher(YNode n, ArgType.Field f) {
    YMap mm = yaml.map(n, "mask", "write 'mask: {any: 0x800}' or 'mask: {all: 0x6}'");
    if (mm == null) {
      return null;
    }
    yaml.keys(mm, "'mask'", List.of("any", "all"), List.of());
    var any = mm.get("any");
    var all = mm.get("all");
    if ((any == null) == (all == null)) {
      yaml.error(
          mm.at(),
          "'mask' needs exactly one of 'any' or 'all'",
          "'any: BITS' matches when some bit is set, 'all: BITS' when every bit is");
      return null;
    }
    var e = any != null ? any : all;
    BigInteger bits = intValue(e.value(), "mask bits");
    if (bits == null) {
      return null;
    }
    if (bits.signum() <= 0
        || bits.bitLength() > 64
        || (f.max() != -1L && bits.compareTo(BigInteger.valueOf(f.max())) > 0 && !f.signed())) {
      yaml.error(
          e.value().at(),
          "mask "
              + bits
              + " is not a non-zero bit mask of this "
              + (f.signed() ? "signed" : "unsigned")
              + " field",
          "give the bits to test, e.g. 0o4000");
      return null;
    }
    return new FieldMatcher.Mask(bits.longValue(), all != null);
  }

  /**
   * One item of {@code in:} of integer field {@code f}: a number, or a string {@code "a..b"},
   * within the field's type; null when wrong.
   */
  private FieldMatcher.IntRange intRange(YNode item, String key, ArgType.Field f) {
    BigInteger lo;
    BigInteger hi;
    if (item instanceof YScalar s && s.type() == YScalar.Type.INT) {
      lo = hi = new BigInteger(s.text());
    } else if (item instanceof YScalar s && s.type() == YScalar.Type.STRING) {
      Matcher mm = INT_RANGE.matcher(s.text());
      if (!mm.matches()) {
        yaml.error(
            item.at(),
            "'" + s.text() + "' is not an integer or a range",
            "write a number, 0x... or 0o..., or a range \"a..b\"");
        return null;
      }
      lo = parseInt(mm.group(1));
      hi = mm.group(2) == null ? lo : parseInt(mm.group(2));
    } else {
      yaml.typeError(
          item, key + " item", "a number or a \"a..b\" range", "write e.g. 0, -1 or \"10..20\"");
      return null;
    }
    BigInteger min = f.signed() ? BigInteger.valueOf(f.min()) : BigInteger.ZERO;
    BigInteger max =
        f.signed() || f.max() != -1L
            ? BigInteger.valueOf(f.max())
            : BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    if (lo.compareTo(min) < 0
        || hi.compareTo(max) > 0
        || lo.compareTo(max) > 0
        || hi.compareTo(min) < 0) {
      yaml.error(
          item.at(),
          "'"
              + key
              + "' value "
              + (lo.equals(hi) ? lo : lo + ".." + hi)
              + " is outside "
              + min
              + ".."
              + max,
          "this field is " + (f.signed() ? "signed" : "unsigned"));
      return null;
    }
    if (lo.compareTo(hi) > 0) {
      yaml.error(
          item.at(),
          "range " + lo + ".." + hi + " is empty: its start is greater than its end",
          "write it as " + hi + ".." + lo);
      return null;
    }
    return new FieldMatcher.IntRange(lo.longValue(), hi.longValue());
  }

  private static BigInteger parseInt(String s) {
    boolean neg = s.startsWith("-");
    String t = neg ? s.substring(1) : s;
    BigInteger v =
        t.startsWith("0x") || t.startsWith("0X")
            ? new BigInteger(t.substring(2), 16)
            : t.startsWith("0o") || t.startsWith("0O")
                ? new BigInteger(t.substring(2), 8)
                : new BigInteger(t);
    return neg ? v.negate() : v;
  }

  private BigInteger intValue(YNode n, String field) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.INT) {
      return new BigInteger(s.text());
    }
    if (n instanceof YScalar s
        && s.type() == YScalar.Type.STRING
        && INT_RANGE.matcher(s.text()).matches()
        && !s.text().contains("..")) {
      return parseInt(s.text().strip());
    }
    yaml.typeError(n, field, "an integer", "write a number, 0x... or 0o...");
    return null;
  }
}
