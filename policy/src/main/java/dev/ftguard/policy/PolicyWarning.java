package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A valid policy that probably does not say what its author meant: {@link #toString()} gives the
 * one-line form {@code file:line:column: warning: message (hint: hint)}, located like a {@link
 * PolicyError}. Warnings never make a policy set invalid.
 */
public record PolicyWarning(Location location, String message, String hint) {
  @Override
  public String toString() {
    return location
        + ": warning: "
        + message
        + (hint == null || hint.isEmpty() ? "" : " (hint: " + hint + ")");
  }

  /**
   * The warnings of a valid set, in file order: every enforcing rule that denies or kills and
   * matches every event of its kind, having no selector or only selectors that exclude nothing (see
   * {@link #excludesNothing(Match)}).
   */
  public static List<PolicyWarning> of(PolicySet set) {
    List<PolicyWarning> out = new ArrayList<>();
    for (Policy p : set.policies()) {
      if (p.mode() != Mode.ENFORCE) {
        continue;
      }
      for (Rule r : p.rules()) {
        if ((Actions.denies(r.action()) || Actions.kills(r.action()))
            && excludesNothing(r.match())) {
          out.add(
              new PolicyWarning(
                  r.location(),
                  "rule '"
                      + r.name()
                      + "' of policy '"
                      + p.name()
                      + "' "
                      + verb(r.action())
                      + " every "
                      + r.event().yamlName()
                      + " event: no selector of it can exclude one",
                  "add a selector that narrows it, or run the policy with mode: monitor to see"
                      + " what it would "
                      + r.action().yamlName()));
        }
      }
    }
    out.sort(Comparator.comparing(PolicyWarning::location));
    return List.copyOf(out);
  }

  private static String verb(Action a) {
    return switch (a) {
      case DENY -> "denies";
      case KILL -> "kills";
      case DENY_KILL -> "denies and kills";
      case ALLOW -> "allows";
      case AUDIT -> "audits";
    };
  }

  /**
   * Whether a rule's selectors match every event of its kind: each one absent or unable to exclude
   * anything. A path selector excludes nothing with the prefix {@code /} (every path the kernel
   * prints is absolute); a module name with the glob {@code *}; an id or port selector whose {@code
   * in} ranges cover every value; {@code access} with both {@code read} and {@code write} (every
   * open is one or the other); {@code address} with {@code 0.0.0.0/0} and {@code ::/0}; {@code
   * gains} with both gains. A declared hook's call rule names its function, which is a selector:
   * never reported.
   */
  static boolean excludesNothing(Match m) {
    return switch (m) {
      case Match.Exec e ->
          all(e.binary())
              && all(e.parentBinary())
              && all(e.ancestorBinary())
              && allIds(e.uid())
              && allIds(e.euid())
              && e.argvContains().isEmpty()
              && e.sha256().isEmpty()
              && e.fileless().isEmpty()
              && e.fromTempDir().isEmpty();
      case Match.Open o ->
          all(o.path())
              && all(o.binary())
              && (o.access().isEmpty()
                  || o.access().contains(Access.READ) && o.access().contains(Access.WRITE));
      case Match.Connect c ->
          all(c.binary()) && all(c.port(), Limits.MAX_PORT) && everyAddress(c.address());
      case Match.ModuleLoad ml ->
          all(ml.binary()) && ml.name().map(n -> n.glob().contains("*")).orElse(true);
      case Match.Ptrace pt -> all(pt.target()) && all(pt.binary());
      case Match.Privilege pr ->
          all(pr.binary())
              && (pr.gains().isEmpty() || pr.gains().containsAll(List.of(Gain.values())));
      case Match.Call call -> false;
    };
  }

  private static boolean all(Optional<PathMatcher> path) {
    return path.map(p -> p.prefix().contains("/")).orElse(true);
  }

  private static boolean allIds(Optional<RangeMatcher> ids) {
    return all(ids, Limits.MAX_ID);
  }

  /** Absent, or {@code in} ranges covering 0..max. */
  private static boolean all(Optional<RangeMatcher> rm, long max) {
    if (rm.isEmpty()) {
      return true;
    }
    if (rm.get().negated()) {
      return false;
    }
    List<Range> sorted =
        rm.get().ranges().stream().sorted(Comparator.comparingLong(Range::low)).toList();
    long next = 0;
    for (Range r : sorted) {
      if (r.low() > next) {
        return false;
      }
      next = Math.max(next, r.high() + 1);
    }
    return next > max;
  }

  private static boolean everyAddress(List<Cidr> address) {
    if (address.isEmpty()) {
      return true;
    }
    boolean v4 = false;
    boolean v6 = false;
    for (Cidr c : address) {
      if (c.prefixLength() == 0) {
        v4 |= c.address() instanceof Inet4Address;
        v6 |= c.address() instanceof Inet6Address;
      }
    }
    return v4 && v6;
  }
}
