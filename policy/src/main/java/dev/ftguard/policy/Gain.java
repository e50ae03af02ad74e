package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import java.util.Locale;

/** What a process gains in a {@code privilege} event. */
public enum Gain {
  /** Its (effective) uid becomes 0. */
  UID0(Abi.GAIN_UID0),
  /** It gains capabilities it did not have. */
  CAPABILITIES(Abi.GAIN_CAPS);

  private final int bit;

  Gain(int bit) {
    this.bit = bit;
  }

  /** Its bit in a rule's mask ({@code FTG_GAIN_*}). */
  public int bit() {
    return bit;
  }

  /** Its name in a policy: the constant's name in lower case. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
