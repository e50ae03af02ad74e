package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YSeq;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code kind: List} documents of a load, and {@code @name} references to them. */
final class NamedLists {
  private final Map<String, ListDef> lists = new LinkedHashMap<>();

  private record ListDef(String name, List<String> items, Location at) {}

  private final YamlChecks yaml;

  NamedLists(YamlChecks yaml) {
    this.yaml = yaml;
  }

  /** The items of every list, by name, in definition order. */
  java.util.SequencedMap<String, List<String>> items() {
    var out = new LinkedHashMap<String, List<String>>();
    lists.values().forEach(l -> out.put(l.name(), l.items()));
    return out;
  }

  /** Defines the list of a {@code kind: List} document. */
  void define(Documents.Header h) {
    YMap spec = h.spec();
    yaml.keys(spec, "List spec", List.of("items"), List.of("items"));
    var it = spec.get("items");
    List<String> items = new ArrayList<>();
    if (it != null) {
      YSeq seq = yaml.seq(it.value(), "items", "write 'items: [/bin/sh, /bin/bash]'");
      if (seq != null) {
        if (seq.items().isEmpty()) {
          yaml.error(seq.at(), "list 'items' is empty", "give at least one item");
        } else if (seq.items().size() > Limits.LIST_ITEMS) {
          yaml.error(
              seq.at(),
              "list has " + seq.items().size() + " items; at most " + Limits.LIST_ITEMS,
              "split it into several lists");
        } else {
          for (YNode n : seq.items()) {
            String s = yaml.string(n, "list item");
            if (s == null) {
              continue;
            }
            if (s.isEmpty()) {
              yaml.error(n.at(), "list item is empty", "remove it or give a value");
            } else if (s.startsWith("@")) {
              yaml.error(
                  n.at(),
                  "list item '" + s + "' refers to another list; lists cannot be nested",
                  "copy the items of " + s + " into this list");
            } else if (s.getBytes(StandardCharsets.UTF_8).length > Limits.PATH_BYTES) {
              yaml.error(
                  n.at(),
                  "list item is "
                      + s.getBytes(StandardCharsets.UTF_8).length
                      + " bytes long; at most "
                      + Limits.PATH_BYTES,
                  "shorten it");
            } else {
              items.add(s);
            }
          }
        }
      }
    }
    if (h.name() == null) {
      return;
    }
    ListDef first = lists.get(h.name());
    if (first != null) {
      yaml.error(
          h.nameAt(),
          "duplicate list name '" + h.name() + "' (first defined at " + first.at() + ")",
          "list names must be unique across all loaded files; rename one");
      return;
    }
    if (lists.size() == Limits.LISTS) {
      yaml.error(h.nameAt(), "too many lists: at most " + Limits.LISTS, "merge lists");
      return;
    }
    lists.put(h.name(), new ListDef(h.name(), List.copyOf(items), h.nameAt()));
  }

  /** {@code s} itself, or the items of the list it names ({@code @name}). */
  List<String> expand(YNode at, String s) {
    if (!s.startsWith("@")) {
      return List.of(s);
    }
    String ref = s.substring(1);
    ListDef l = lists.get(ref);
    if (l == null) {
      String dym = Suggestions.didYouMean(ref, List.copyOf(lists.keySet()));
      yaml.error(
          at.at(),
          "undefined list '" + s + "'",
          (dym == null ? "" : "did you mean '@" + dym + "'? ")
              + "define it with a 'kind: List' document named '"
              + ref
              + "'");
      return List.of();
    }
    return l.items();
  }
}
