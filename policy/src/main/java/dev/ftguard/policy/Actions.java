package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Action;

/**
 * What each {@link Action} means in the policy language. The actions themselves are the ABI's
 * {@code enum ftg_action} ({@link Action}, with its policy-language names):
 *
 * <ul>
 *   <li>{@code allow}: ends evaluation; the operation proceeds.
 *   <li>{@code audit}: records the event; evaluation continues.
 *   <li>{@code deny}: ends evaluation; the operation fails with the rule's errno.
 *   <li>{@code kill}: ends evaluation; the acting process is killed (SIGKILL), the operation
 *       proceeds.
 *   <li>{@code deny+kill}: ends evaluation; the operation fails with the rule's errno and the
 *       process is killed.
 * </ul>
 */
public final class Actions {
  private Actions() {}

  /** Whether a match ends evaluation (everything but {@code audit}). */
  public static boolean isDecisive(Action a) {
    return switch (a) {
      case AUDIT -> false;
      case ALLOW, DENY, KILL, DENY_KILL -> true;
    };
  }

  /** Whether the operation fails (the rule takes an errno). */
  public static boolean denies(Action a) {
    return switch (a) {
      case DENY, DENY_KILL -> true;
      case ALLOW, AUDIT, KILL -> false;
    };
  }

  /** Whether the acting process is killed. */
  public static boolean kills(Action a) {
    return switch (a) {
      case KILL, DENY_KILL -> true;
      case ALLOW, AUDIT, DENY -> false;
    };
  }
}
