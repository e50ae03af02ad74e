package dev.ftguard.policy;

/** What a process gains in a {@code privilege} event. */
public enum Gain {
  /** Its (effective) uid becomes 0. */
  UID0("uid0"),
  /** It gains capabilities it did not have. */
  CAPABILITIES("capabilities");

  private final String yaml;

  Gain(String yaml) {
    this.yaml = yaml;
  }

  public String yamlName() {
    return yaml;
  }
}
