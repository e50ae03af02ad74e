package dev.ftguard.agent.export;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which events are exported. Every criterion that is set must hold; an empty set or an absent
 * pattern lets everything through. Stream notices ({@code drop}, {@code policy_reload}) always
 * pass.
 *
 * @param types event types to export ({@link ExportRecord#EVENT_TYPES}); empty: all
 * @param binary a pattern the record's binary must contain a match of ({@link
 *     java.util.regex.Matcher#find()}: anchor with {@code ^...$} for a whole path); a record with
 *     no binary (today: {@code fork}, {@code exit}, {@code call}) does not match
 * @param rules rule names to export; a record with no rule (every type but {@code decision} and
 *     {@code call}) does not match; empty: all
 */
public record ExportFilter(Set<String> types, Optional<Pattern> binary, Set<String> rules) {
  /** Exports everything. */
  public static final ExportFilter ALL = new ExportFilter(Set.of(), Optional.empty(), Set.of());

  public ExportFilter {
    types = Set.copyOf(types);
    Objects.requireNonNull(binary, "binary");
    rules = Set.copyOf(rules);
    for (String t : types) {
      if (!ExportRecord.EVENT_TYPES.contains(t)) {
        throw new ExportConfigException.UnknownType("filter.types", t, ExportRecord.EVENT_TYPES);
      }
    }
    for (String r : rules) {
      if (r.isEmpty()) {
        throw new ExportConfigException.OutOfRange(
            "filter.rules", "rule name", "''", "the name of a rule as in its policy");
      }
    }
  }

  /**
   * A filter from configuration text.
   *
   * @throws ExportConfigException.UnknownType a type that is not an event type
   * @throws ExportConfigException.BadPattern the pattern does not compile
   */
  public static ExportFilter of(
      Collection<String> types, Optional<String> binaryPattern, Collection<String> rules) {
    Optional<Pattern> pattern =
        binaryPattern.map(
            p -> {
              try {
                return Pattern.compile(p);
              } catch (PatternSyntaxException e) {
                throw new ExportConfigException.BadPattern(p, e);
              }
            });
    return new ExportFilter(Set.copyOf(types), pattern, Set.copyOf(rules));
  }

  /** Why {@code r} is not exported, or empty if it is. */
  public Optional<ExportDropReason> reject(ExportRecord r) {
    if (r.notice()) {
      return Optional.empty();
    }
    if (!types.isEmpty() && !types.contains(r.type())) {
      return ExportDropReason.FILTERED_TYPE.asOptional();
    }
    if (binary.isPresent()
        && (r.binary().isEmpty() || !binary.get().matcher(r.binary().get()).find())) {
      return ExportDropReason.FILTERED_BINARY.asOptional();
    }
    if (!rules.isEmpty() && (r.rule().isEmpty() || !rules.contains(r.rule().get()))) {
      return ExportDropReason.FILTERED_RULE.asOptional();
    }
    return Optional.empty();
  }
}
