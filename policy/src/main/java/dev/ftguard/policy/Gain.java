package dev.ftguard.policy;

import dev.ftguard.abi.Abi;

/** What a process gains in a {@code privilege} event. */
public enum Gain {
  /** Its (effective) uid becomes 0. */
  UID0("uid0", Abi.GAIN_UID0),
  /** It gains capabilities it did not have. */
  CAPABILITIES("capabilities", Abi.GAIN_CAPS);

  private final String yaml;
  private final int bit;

  Gain(String yaml, int bit) {
    this.yaml = yaml;
    this.bit = bit;
  }

  /** Its bit in a rule's mask ({@code FTG_GAIN_*}). */
  public int bit() {
    return bit;
  }

  public String yamlName() {
    return yaml;
  }
}
