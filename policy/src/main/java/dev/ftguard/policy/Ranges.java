package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Id and port selectors: {@code in} or {@code notIn} lists of numbers and {@code a-b} ranges. */
final class Ranges {
  private static final Pattern RANGE = Pattern.compile("\\s*(\\d+)\\s*(?:-\\s*(\\d+)\\s*)?");

  private final YamlChecks yaml;

  Ranges(YamlChecks yaml) {
    this.yaml = yaml;
  }

  RangeMatcher rangeMatcher(YNode n, String key, long max) {
    YMap m =
        yaml.map(
            n, key, "write e.g. '" + key + ": {in: [0]}' or '" + key + ": {notIn: [1000-1999]}'");
    if (m == null) {
      return null;
    }
    yaml.keys(m, "'" + key + "' matcher", List.of("in", "notIn"), List.of());
    var in = m.get("in");
    var notIn = m.get("notIn");
    if (in != null && notIn != null) {
      yaml.error(
          notIn.keyAt(),
          "'" + key + "' has both 'in' and 'notIn'",
          "use one of them; split into two rules if needed");
      return null;
    }
    if (in == null && notIn == null) {
      if (m.entries().isEmpty()) {
        yaml.error(m.at(), "'" + key + "' matcher is empty", "give 'in: [...]' or 'notIn: [...]'");
      }
      return null;
    }
    var e = in != null ? in : notIn;
    List<Range> ranges = new ArrayList<>();
    for (YNode item : yaml.items(e.value(), e.key())) {
      Range r = range(item, key, max);
      if (r != null) {
        ranges.add(r);
      }
    }
    return new RangeMatcher(notIn != null, ranges);
  }

  private Range range(YNode item, String key, long max) {
    String what = key.equals("port") ? "port" : "id";
    String hint =
        "write a number from 0 to "
            + max
            + " or a range like \""
            + (key.equals("port") ? "8000-8999" : "1000-1999")
            + "\"";
    BigInteger lo;
    BigInteger hi;
    if (item instanceof YScalar s && s.type() == YScalar.Type.INT) {
      lo = hi = new BigInteger(s.text());
    } else if (item instanceof YScalar s && s.type() == YScalar.Type.STRING) {
      Matcher mm = RANGE.matcher(s.text());
      if (!mm.matches()) {
        yaml.error(
            item.at(),
            "'" + s.text() + "' is not " + (what.equals("id") ? "an id" : "a port") + " or a range",
            hint);
        return null;
      }
      lo = new BigInteger(mm.group(1));
      hi = mm.group(2) == null ? lo : new BigInteger(mm.group(2));
    } else {
      yaml.typeError(item, key + " item", "a number or a \"a-b\" range", hint);
      return null;
    }
    BigInteger bmax = BigInteger.valueOf(max);
    for (BigInteger v : List.of(lo, hi)) {
      if (v.signum() < 0 || v.compareTo(bmax) > 0) {
        yaml.error(item.at(), what + " " + v + " is out of range 0.." + max, hint);
        return null;
      }
    }
    if (lo.compareTo(hi) > 0) {
      yaml.error(
          item.at(),
          "range " + lo + "-" + hi + " is empty: its start is greater than its end",
          "write it as " + hi + "-" + lo);
      return null;
    }
    return new Range(lo.longValue(), hi.longValue());
  }
}
