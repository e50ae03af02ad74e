package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * String selectors ({@code exact}, {@code prefix}, {@code glob}) of paths, module names and call
 * string fields: their items, {@code @list} references expanded, each value checked.
 */
final class StringMatchers {
  private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,55}");
  private static final Pattern MODULE_GLOB = Pattern.compile("[A-Za-z0-9_*?!\\[\\]-]{1,55}");

  private final YamlChecks yaml;
  private final NamedLists lists;

  StringMatchers(YamlChecks yaml, NamedLists lists) {
    this.yaml = yaml;
    this.lists = lists;
  }

  /** What a string matcher matches: paths (absolute), module names, or any string. */
  enum Strings {
    PATH,
    MODULE,
    ANY
  }

  PathMatcher pathMatcher(YNode n, String key, boolean module) {
    return pathMatcher(n, key, module ? Strings.MODULE : Strings.PATH);
  }

  PathMatcher pathMatcher(YNode n, String key, Strings kind) {
    boolean module = kind == Strings.MODULE;
    String hint =
        module
            ? "write e.g. '" + key + ": {exact: [nf_tables]}'"
            : "write e.g. '" + key + ": {prefix: [/tmp/]}'";
    YMap m = yaml.map(n, key, hint);
    if (m == null) {
      return null;
    }
    List<String> allowed = module ? List.of("exact", "glob") : List.of("exact", "prefix", "glob");
    yaml.keys(m, "'" + key + "' matcher", allowed, List.of());
    if (m.entries().isEmpty()) {
      yaml.error(
          m.at(),
          "'" + key + "' matcher is empty",
          "give at least one of " + String.join(", ", allowed));
      return null;
    }
    Map<String, List<String>> parts = new HashMap<>();
    for (String part : allowed) {
      var e = m.get(part);
      parts.put(part, e == null ? new ArrayList<>() : values(e.value(), key, part, kind));
    }
    return new PathMatcher(
        parts.get("exact"), parts.getOrDefault("prefix", List.of()), parts.get("glob"));
  }

  /**
   * The values of part {@code part} (exact, prefix or glob) of matcher {@code key}: its items,
   * {@code @list} references expanded, each value checked as a {@code kind} string.
   */
  private List<String> values(YNode n, String key, String part, Strings kind) {
    List<String> out = new ArrayList<>();
    int before = yaml.errorCount();
    boolean glob = part.equals("glob");
    for (YNode item : yaml.items(n, part)) {
      String s = yaml.string(item, key + "." + part + " item");
      if (s == null) {
        continue;
      }
      for (String x : lists.expand(item, s)) {
        String why =
            switch (kind) {
              case MODULE -> checkModule(x, glob);
              case PATH -> checkPath(x, glob);
              case ANY -> checkString(x, glob);
            };
        if (why != null) {
          String origin =
              s.startsWith("@") ? "item '" + x + "' of list '" + s + "'" : "'" + x + "'";
          yaml.error(
              item.at(),
              origin + " " + why,
              kind == Strings.MODULE ? "module names are like 'nf_tables'" : hintFor(why));
        } else {
          out.add(x);
        }
      }
    }
    if (yaml.errorCount() == before && out.size() > Limits.LIST_ITEMS) {
      yaml.error(
          n.at(),
          "'" + part + "' expands to " + out.size() + " values; at most " + Limits.LIST_ITEMS,
          "use fewer or smaller lists");
    }
    return out;
  }

  private static String hintFor(String why) {
    if (why.contains("not an absolute path")) {
      return "paths must start with '/', e.g. /usr/bin/curl";
    }
    if (why.contains("'*'") || why.contains("'**'")) {
      return "a glob has at most "
          + Glob.MAX_STARS
          + " '*' and no '**'; use prefix for whole subtrees";
    }
    if (why.contains("non-ASCII")) {
      return "paths are matched as UTF-8 bytes: write the character outside the class, literally or"
          + " as one '?' per byte, or give the alternatives as separate globs";
    }
    if (why.contains("bytes long")) {
      return "shorten it";
    }
    return "fix the pattern";
  }

  private static String checkPath(String p, boolean glob) {
    if (p.isEmpty() || p.charAt(0) != '/') {
      return "is not an absolute path";
    }
    return checkString(p, glob);
  }

  /** Any string value: not empty, no NUL, at most {@link Limits#PATH_BYTES}, a sound glob. */
  private static String checkString(String p, boolean glob) {
    if (p.isEmpty()) {
      return "is empty";
    }
    if (p.indexOf('\0') >= 0) {
      return "contains a NUL character";
    }
    int bytes = p.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.PATH_BYTES) {
      return "is " + bytes + " bytes long; at most " + Limits.PATH_BYTES;
    }
    return glob ? Glob.problem(p) : null;
  }

  private static String checkModule(String p, boolean glob) {
    if (!(glob ? MODULE_GLOB : MODULE_NAME).matcher(p).matches()) {
      return "is not a module name (letters, digits, '_' and '-', at most 55 characters"
          + (glob ? ", plus glob characters" : "")
          + ")";
    }
    return glob ? Glob.problem(p) : null;
  }
}
