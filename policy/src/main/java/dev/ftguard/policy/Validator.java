package dev.ftguard.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns located YAML trees into the model, collecting every error. The work is split by section:
 * {@link Documents} (the frame of each document), {@link NamedLists} ({@code kind: List}), {@link
 * PolicyRules} (a policy's spec and its rules), {@link HookDecls} ({@code hooks:}), {@link
 * MatchSelectors} and {@link CallMatches} ({@code match:}), {@link StringMatchers}, {@link Ranges}
 * and {@link Networks} (selector values); they share one {@link YamlChecks}, the checks on YAML
 * nodes and the list of errors.
 */
final class Validator {
  static final String API_VERSION = Documents.API_VERSION;

  private final List<PolicyError> errors;
  private final YamlChecks yaml;
  private final Documents documents;
  private final NamedLists lists;
  private final PolicyRules policyRules;

  Validator() {
    this(new ArrayList<>());
  }

  private Validator(List<PolicyError> errors) {
    this.errors = errors;
    yaml = new YamlChecks(errors);
    documents = new Documents(yaml);
    lists = new NamedLists(yaml);
    StringMatchers strings = new StringMatchers(yaml, lists);
    Networks networks = new Networks(yaml);
    MatchSelectors selectors = new MatchSelectors(yaml, lists, strings, new Ranges(yaml), networks);
    policyRules =
        new PolicyRules(
            yaml,
            new HookDecls(yaml),
            selectors,
            new CallMatches(yaml, selectors, strings, networks));
  }

  LoadResult load(List<PolicySource> sources) {
    Map<String, Integer> fileOrder = new HashMap<>();
    List<Documents.Header> headers = documents(sources, fileOrder);
    // lists first: policies in any file may refer to lists in any file
    for (Documents.Header h : headers) {
      if (h.kind().equals("List")) {
        lists.define(h);
      }
    }
    List<Policy> policies = policies(headers);
    checkHooksAcrossSet(policies);
    if (!errors.isEmpty()) {
      return new LoadResult.Invalid(sorted(errors, fileOrder));
    }
    return new LoadResult.Loaded(new PolicySet(policies, lists.items()));
  }

  /**
   * The documents of every source with a usable frame; {@code fileOrder} gets each file's index.
   */
  private List<Documents.Header> documents(
      List<PolicySource> sources, Map<String, Integer> fileOrder) {
    List<Documents.Header> headers = new ArrayList<>();
    for (PolicySource src : sources) {
      fileOrder.putIfAbsent(src.name(), fileOrder.size());
      int before = errors.size();
      List<YNode> docs = YamlReader.read(src.name(), src.text(), errors);
      boolean syntaxError = errors.size() > before && docs.isEmpty();
      if (docs.isEmpty() && !syntaxError) {
        yaml.error(
            new Location(src.name(), 1, 1),
            "file contains no documents",
            "add a 'kind: Policy' or 'kind: List' document (apiVersion: " + API_VERSION + ")");
      }
      for (YNode doc : docs) {
        Documents.Header h = documents.header(doc);
        if (h != null) {
          headers.add(h);
        }
      }
    }
    return headers;
  }

  private List<Policy> policies(List<Documents.Header> headers) {
    List<Policy> policies = new ArrayList<>();
    Map<String, Location> policyNames = new HashMap<>();
    for (Documents.Header h : headers) {
      if (h.kind().equals("Policy")) {
        if (h.name() != null) {
          Location first = policyNames.putIfAbsent(h.name(), h.nameAt());
          if (first != null) {
            yaml.error(
                h.nameAt(),
                "duplicate policy name '" + h.name() + "' (first defined at " + first + ")",
                "policy names must be unique across all loaded files; rename one");
          }
        }
        Policy p = policyRules.policy(h);
        if (p != null) {
          policies.add(p);
        }
      }
    }
    return policies;
  }

  /** One declaration per function across the set: the kernel hooks each function once. */
  private void checkHooksAcrossSet(List<Policy> policies) {
    Map<String, HookDecl> declared = new HashMap<>();
    int distinct = 0;
    for (Policy p : policies) {
      for (HookDecl hd : p.hooks()) {
        HookDecl first = declared.putIfAbsent(hd.function(), hd);
        if (first == null) {
          if (++distinct == Limits.HOOKS + 1) {
            yaml.error(
                hd.location(),
                "too many hooked functions: at most " + Limits.HOOKS + " in all loaded files",
                "hook fewer functions");
          }
        } else if (!first.sameAs(hd)) {
          yaml.error(
              hd.location(),
              "function '"
                  + hd.function()
                  + "' is declared with other arguments at "
                  + first.location(),
              "declare it the same way in every policy (same names, types, positions and maxLength)");
        }
      }
    }
  }

  /** By file (in the order given), line, column and message. */
  private static List<PolicyError> sorted(List<PolicyError> errors, Map<String, Integer> order) {
    List<PolicyError> sorted = new ArrayList<>(errors);
    sorted.sort(
        Comparator.<PolicyError>comparingInt(
                e -> order.getOrDefault(e.location().file(), Integer.MAX_VALUE))
            .thenComparing(e -> e.location().file())
            .thenComparingInt(e -> e.location().line())
            .thenComparingInt(e -> e.location().column())
            .thenComparing(PolicyError::message));
    return sorted;
  }
}
