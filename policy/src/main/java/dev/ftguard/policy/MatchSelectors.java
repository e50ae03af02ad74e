package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The {@code match:} of a rule of a built-in event kind: which selectors it has, and each read. */
final class MatchSelectors {
  private final YamlChecks yaml;
  private final NamedLists lists;
  private final StringMatchers strings;
  private final Ranges ranges;
  private final Networks networks;

  MatchSelectors(
      YamlChecks yaml, NamedLists lists, StringMatchers strings, Ranges ranges, Networks networks) {
    this.yaml = yaml;
    this.lists = lists;
    this.strings = strings;
    this.ranges = ranges;
    this.networks = networks;
  }

  /** The selectors of a rule of {@code event} (not {@code call}). */
  Match match(Kind event, YMap m) {
    checkSelectorNames(event, m);
    Sel s = new Sel(m);
    return switch (event) {
      case EXEC ->
          new Match.Exec(
              s.path(Selector.BINARY),
              s.path(Selector.PARENT_BINARY),
              s.path(Selector.ANCESTOR_BINARY),
              s.ids(Selector.UID, Limits.MAX_ID),
              s.ids(Selector.EUID, Limits.MAX_ID),
              s.strings(Selector.ARGV_CONTAINS),
              s.bool(Selector.FILELESS),
              s.bool(Selector.FROM_TEMP_DIR),
              s.sha256(Selector.SHA256));
      case OPEN ->
          new Match.Open(
              s.path(Selector.PATH),
              s.enums(Selector.ACCESS, Access.values(), Access::yamlName),
              s.path(Selector.BINARY));
      case CONNECT ->
          new Match.Connect(
              s.cidrs(Selector.ADDRESS),
              s.ids(Selector.PORT, Limits.MAX_PORT),
              s.path(Selector.BINARY));
      case MODULE_LOAD ->
          new Match.ModuleLoad(s.moduleName(Selector.NAME), s.path(Selector.BINARY));
      case PTRACE -> new Match.Ptrace(s.path(Selector.TARGET), s.path(Selector.BINARY));
      case PRIVILEGE ->
          new Match.Privilege(
              s.path(Selector.BINARY), s.enums(Selector.GAINS, Gain.values(), Gain::yamlName));
      case CALL -> throw new IllegalStateException("call rules are read by callMatch");
    };
  }

  /** Every key of {@code m} is a selector of {@code event}. */
  private void checkSelectorNames(Kind event, YMap m) {
    for (var e : m.entries()) {
      if (!Selector.names(event).contains(e.key())) {
        String owner =
            Arrays.stream(Kind.values())
                .filter(k -> Selector.names(k).contains(e.key()))
                .map(Kind::yamlName)
                .findFirst()
                .orElse(null);
        if (owner != null) {
          yaml.error(
              e.keyAt(),
              "selector '"
                  + e.key()
                  + "' is not valid for event '"
                  + event.yamlName()
                  + "' (it is a selector of '"
                  + owner
                  + "')",
              "allowed for " + event.yamlName() + ": " + String.join(", ", Selector.names(event)));
        } else {
          String dym = Suggestions.didYouMean(e.key(), Selector.names(event));
          yaml.error(
              e.keyAt(),
              "unknown selector '" + e.key() + "' for event '" + event.yamlName() + "'",
              (dym == null ? "" : "did you mean '" + dym + "'? ")
                  + "allowed: "
                  + String.join(", ", Selector.names(event)));
        }
      }
    }
  }

  /** The {@code binary}-like path selector {@code sel} of {@code m}, if given. */
  Optional<PathMatcher> path(YMap m, Selector sel) {
    return new Sel(m).path(sel);
  }

  /** Reads the selectors of one match mapping. */
  private final class Sel {
    final YMap m;

    Sel(YMap m) {
      this.m = m;
    }

    Optional<PathMatcher> path(Selector sel) {
      String key = sel.yamlName();
      var e = m.get(key);
      return e == null
          ? Optional.empty()
          : Optional.ofNullable(strings.pathMatcher(e.value(), key, false));
    }

    Optional<PathMatcher> moduleName(Selector sel) {
      String key = sel.yamlName();
      var e = m.get(key);
      return e == null
          ? Optional.empty()
          : Optional.ofNullable(strings.pathMatcher(e.value(), key, true));
    }

    Optional<RangeMatcher> ids(Selector sel, long max) {
      String key = sel.yamlName();
      var e = m.get(key);
      return e == null
          ? Optional.empty()
          : Optional.ofNullable(ranges.rangeMatcher(e.value(), key, max));
    }

    Optional<Boolean> bool(Selector sel) {
      String key = sel.yamlName();
      var e = m.get(key);
      if (e == null) {
        return Optional.empty();
      }
      if (e.value() instanceof YScalar s && s.type() == YScalar.Type.BOOL) {
        return Optional.of(Boolean.parseBoolean(s.text()));
      }
      yaml.typeError(
          e.value(), key, "a boolean", "write '" + key + ": true' or '" + key + ": false'");
      return Optional.empty();
    }

    /** Each string item of the selector's list, named lists expanded, with its node. */
    private void eachString(Selector sel, java.util.function.BiConsumer<YNode, String> each) {
      String key = sel.yamlName();
      var e = m.get(key);
      if (e == null) {
        return;
      }
      for (var item : yaml.items(e.value(), key)) {
        String s = yaml.string(item, key + " item");
        if (s != null) {
          lists.expand(item, s).forEach(x -> each.accept(item, x));
        }
      }
    }

    List<String> strings(Selector sel) {
      String key = sel.yamlName();
      List<String> out = new ArrayList<>();
      eachString(
          sel,
          (item, x) -> {
            if (x.isEmpty()) {
              yaml.error(item.at(), "'" + key + "' item is empty", "remove it");
            } else if (x.indexOf('\0') >= 0) {
              yaml.error(
                  item.at(),
                  "'" + key + "' item contains a NUL character",
                  "arguments never contain NUL: remove it");
            } else if (x.getBytes(StandardCharsets.UTF_8).length > Limits.PATH_BYTES) {
              yaml.error(
                  item.at(),
                  "'" + key + "' item is longer than " + Limits.PATH_BYTES + " bytes",
                  "shorten it");
            } else {
              out.add(x);
            }
          });
      return out;
    }

    /** SHA-256 digests: 64 hex digits each, either case, kept in lower case, each once. */
    List<String> sha256(Selector sel) {
      String key = sel.yamlName();
      List<String> out = new ArrayList<>();
      eachString(
          sel,
          (item, x) -> {
            String h = x.strip().toLowerCase(java.util.Locale.ROOT);
            if (h.length() != dev.ftguard.abi.Abi.SHA256_HEX_LEN) {
              yaml.error(
                  item.at(),
                  "'"
                      + key
                      + "' item '"
                      + x
                      + "' has "
                      + h.length()
                      + " characters, not the "
                      + dev.ftguard.abi.Abi.SHA256_HEX_LEN
                      + " hex digits of a SHA-256 digest",
                  "write the digest as sha256sum prints it");
            } else if (!Sha256.isDigest(h)) {
              yaml.error(
                  item.at(),
                  "'" + key + "' item '" + x + "' is not hexadecimal",
                  "use only the digits 0-9 and a-f, as sha256sum prints them");
            } else if (out.contains(h)) {
              yaml.error(item.at(), "'" + x + "' is listed twice in '" + key + "'", "remove it");
            } else {
              out.add(h);
            }
          });
      return out;
    }

    <E extends Enum<E>> Set<E> enums(Selector sel, E[] values, Function<E, String> yamlName) {
      String key = sel.yamlName();
      var e = m.get(key);
      if (e == null) {
        return Set.of();
      }
      Set<E> out = EnumSet.noneOf(values[0].getDeclaringClass());
      for (var item : yaml.items(e.value(), key)) {
        E v = yaml.named(item, key, values, yamlName);
        if (v != null && !out.add(v)) {
          yaml.error(
              item.at(),
              "'" + yamlName.apply(v) + "' is listed twice in '" + key + "'",
              "remove the duplicate");
        }
      }
      return out;
    }

    List<Cidr> cidrs(Selector sel) {
      String key = sel.yamlName();
      var e = m.get(key);
      if (e == null) {
        return List.of();
      }
      List<Cidr> out = new ArrayList<>();
      for (var item : yaml.items(e.value(), key)) {
        String s = yaml.string(item, "address");
        if (s != null) {
          Cidr c = networks.cidr(item, s);
          if (c != null) {
            out.add(c);
          }
        }
      }
      return out;
    }
  }
}
