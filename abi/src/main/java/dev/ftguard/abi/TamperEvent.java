package dev.ftguard.abi;

import java.util.Optional;

/**
 * {@code struct ftg_tamper_event}: an attempt on the module itself — switching ftrace off,
 * unloading the module, or changing a locked rule table — refused or not.
 *
 * @param what which attempt
 * @param result what it gets: {@code -errno} when refused, 0 when it goes ahead
 * @param generation the rule table in force, 0: none
 * @param locked whether the module was locked
 * @param target the sysctl or module named, "" when none
 */
public record TamperEvent(
    Header header, What what, int result, long generation, boolean locked, String target)
    implements Event {

  @Override
  public EventType eventType() {
    return EventType.TAMPER;
  }

  /** Whether the attempt was refused. */
  public boolean refused() {
    return result < 0;
  }

  /** {@code enum ftg_tamper}; {@link #yamlName()} is its name in JSON lines and metrics. */
  public enum What implements DecisionEvent.AbiEnum {
    FTRACE_OFF(Abi.TAMPER_FTRACE_OFF),
    UNLOAD(Abi.TAMPER_UNLOAD),
    TABLE(Abi.TAMPER_TABLE);

    private final int value;

    What(int value) {
      this.value = value;
    }

    @Override
    public int value() {
      return value;
    }

    /** The attempt with this {@code FTG_TAMPER_*} value, if any. */
    public static Optional<What> of(int value) {
      return DecisionEvent.AbiEnum.of(values(), value);
    }
  }
}
