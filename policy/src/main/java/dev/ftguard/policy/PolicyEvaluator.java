package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;
import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.Facts.ConnectFacts;
import dev.ftguard.policy.Facts.ExecFacts;
import dev.ftguard.policy.Facts.ModuleLoadFacts;
import dev.ftguard.policy.Facts.OpenFacts;
import dev.ftguard.policy.Facts.PrivilegeFacts;
import dev.ftguard.policy.Facts.PtraceFacts;
import dev.ftguard.policy.Verdict.Decision;
import dev.ftguard.policy.Verdict.Finding;
import dev.ftguard.policy.Verdict.RuleRef;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The reference evaluator: executes the evaluation rules of {@code docs/policy.md} ("Evaluation")
 * on one event, plainly and without optimization. It is the oracle the kernel-side rule table is
 * checked against.
 *
 * <ol>
 *   <li>Policies in {@link PolicySet#policies()} order (descending priority, then name); within a
 *       policy, rules in document order; only rules whose event is the facts' kind.
 *   <li>A matching {@code audit} rule adds a {@link Finding} and evaluation continues.
 *   <li>In an {@code enforce} policy the first matching {@code allow}, {@code deny}, {@code kill}
 *       or {@code deny+kill} rule decides and evaluation stops.
 *   <li>In a {@code monitor} policy a matching {@code deny}/{@code kill}/{@code deny+kill} adds a
 *       "would" finding and a matching {@code allow} adds nothing; either way the rest of that
 *       policy is skipped and evaluation goes on with the next policy.
 *   <li>No deciding rule: {@link Decision.NoMatch}, the operation is allowed.
 * </ol>
 *
 * <p>Paths are compared by name. The kernel also matches an exec {@code binary} or open {@code
 * path} value by the identity of the file (or, for a prefix, the directory) it named when the table
 * was set (docs/enforcement.md, "The same file under another name"); facts made of names cannot
 * express that, so the oracle covers the name matches only.
 */
public final class PolicyEvaluator {
  private PolicyEvaluator() {}

  public static Verdict evaluate(PolicySet set, Facts facts) {
    List<Finding> findings = new ArrayList<>();
    for (Policy policy : set.policies()) {
      for (Rule rule : policy.rules()) {
        if (rule.event() != facts.kind()
            || !matches(rule.match(), facts, rule.action() != Action.ALLOW)) {
          continue;
        }
        Action action = rule.action();
        if (action == Action.AUDIT) {
          findings.add(new Finding(policy.name(), rule.name(), action, policy.mode()));
          continue;
        }
        if (policy.mode() == Mode.ENFORCE) {
          Decision d =
              action == Action.ALLOW
                  ? new Decision.Allow(RuleRef.of(policy, rule))
                  : new Decision.Block(RuleRef.of(policy, rule), action, rule.errno());
          return new Verdict(d, findings);
        }
        if (action != Action.ALLOW) {
          findings.add(new Finding(policy.name(), rule.name(), action, Mode.MONITOR));
        }
        break; // monitor: the rest of this policy is skipped
      }
    }
    return new Verdict(new Decision.NoMatch(), findings);
  }

  /**
   * Whether every selector of {@code match} matches {@code facts}; false for another event kind.
   * Unknown content does not match a {@code sha256} selector here (as for an allow rule).
   */
  public static boolean matches(Match match, Facts facts) {
    return matches(match, facts, false);
  }

  /**
   * Whether every selector of {@code match} matches {@code facts}; {@code failClosed}: unknown
   * content matches a {@code sha256} selector (a rule other than allow, docs/enforcement.md,
   * "Content rules").
   */
  public static boolean matches(Match match, Facts facts, boolean failClosed) {
    return switch (match) {
      case Match.Exec m when facts instanceof ExecFacts f ->
          path(m.binary(), f.binary())
              && path(m.parentBinary(), f.parentBinary())
              && m.ancestorBinary()
                  .map(
                      pm ->
                          matches(pm, f.parentBinary())
                              || f.ancestorBinaries().stream().anyMatch(a -> matches(pm, a)))
                  .orElse(true)
              && m.uid().map(r -> r.matches(f.uid())).orElse(true)
              && m.euid().map(r -> r.matches(f.euid())).orElse(true)
              && any(m.argvContains(), f.argv()::contains)
              && (m.sha256().isEmpty() || f.sha256().map(m.sha256()::contains).orElse(failClosed))
              && m.fileless().map(b -> b == f.fileless()).orElse(true)
              && m.fromTempDir().map(b -> b == f.fromTempDir()).orElse(true);
      case Match.Open m when facts instanceof OpenFacts f ->
          path(m.path(), f.path())
              && intersects(m.access(), f.access())
              && path(m.binary(), f.binary());
      case Match.Connect m when facts instanceof ConnectFacts f ->
          any(m.address(), c -> contains(c, f.address()))
              && m.port().map(r -> r.matches(f.port())).orElse(true)
              && path(m.binary(), f.binary());
      case Match.ModuleLoad m when facts instanceof ModuleLoadFacts f ->
          m.name().map(pm -> f.name().map(n -> matches(pm, n)).orElse(false)).orElse(true)
              && path(m.binary(), f.binary());
      case Match.Ptrace m when facts instanceof PtraceFacts f ->
          path(m.target(), f.targetBinary()) && path(m.binary(), f.binary());
      case Match.Privilege m when facts instanceof PrivilegeFacts f ->
          path(m.binary(), f.binary()) && intersects(m.gains(), f.gains());
      case Match.Call m when facts instanceof Facts.CallFacts f ->
          m.hook().function().equals(f.function())
              && path(m.binary(), f.binary())
              && m.hook().fields().stream()
                  .allMatch(
                      fr -> {
                        FieldMatcher fm = m.args().get(fr.name());
                        return fm == null
                            || field(fm, fr.field().signed(), f.fields().get(fr.name()));
                      });
      default -> false;
    };
  }

  /**
   * Whether {@code value} equals one of {@code exact}, starts with one of {@code prefix} (plain
   * byte prefix) or matches one of the {@link Glob}s; all compared as UTF-8 bytes, as the kernel
   * compares them.
   */
  public static boolean matches(PathMatcher pm, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return pm.exact().stream().anyMatch(e -> Arrays.equals(v, e.getBytes(StandardCharsets.UTF_8)))
        || pm.prefix().stream().anyMatch(p -> startsWith(v, p.getBytes(StandardCharsets.UTF_8)))
        || pm.glob().stream().anyMatch(g -> Glob.compile(g).matches(v));
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    return value.length >= prefix.length
        && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
  }

  /**
   * Whether {@code address} is in the network: same family (IPv4 never matches an IPv6 network or
   * the reverse) and the first {@code prefixLength} bits equal.
   */
  public static boolean contains(Cidr cidr, InetAddress address) {
    byte[] net = cidr.address().getAddress();
    byte[] a = address.getAddress();
    int bits = cidr.prefixLength();
    if (net.length != a.length || bits < 0 || bits > a.length * 8) {
      return false;
    }
    for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((net[i] & mask) != (a[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** One field selector on a field's value (null: the field could not be read). */
  private static boolean field(FieldMatcher fm, boolean signed, Object value) {
    return switch (fm) {
      case FieldMatcher.Ints i when value instanceof Long v ->
          i.ranges().stream()
              .anyMatch(
                  r ->
                      signed
                          ? v >= r.low() && v <= r.high()
                          : Long.compareUnsigned(v, r.low()) >= 0
                              && Long.compareUnsigned(v, r.high()) <= 0);
      case FieldMatcher.Mask mk when value instanceof Long v ->
          mk.all() ? (v & mk.bits()) == mk.bits() : (v & mk.bits()) != 0;
      case FieldMatcher.Str str when value instanceof String v -> matches(str.matcher(), v);
      case FieldMatcher.Addr a when value instanceof InetAddress v ->
          a.networks().stream().anyMatch(c -> contains(c, v));
      default -> false;
    };
  }

  private static boolean path(Optional<PathMatcher> selector, String value) {
    return selector.map(pm -> matches(pm, value)).orElse(true);
  }

  /** An empty selector list is an absent selector; otherwise one item must satisfy {@code p}. */
  private static <T> boolean any(List<T> selector, Predicate<? super T> p) {
    return selector.isEmpty() || selector.stream().anyMatch(p);
  }

  /**
   * An empty selector set is an absent selector; otherwise the facts must share a value with it.
   */
  private static <T> boolean intersects(Set<T> selector, Collection<T> facts) {
    return selector.isEmpty() || !Collections.disjoint(selector, facts);
  }
}
