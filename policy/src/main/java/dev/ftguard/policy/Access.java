package dev.ftguard.policy;

import dev.ftguard.abi.Abi;

/** A kind of file access for {@code open} rules. */
public enum Access {
  READ("read", Abi.ACCESS_READ),
  WRITE("write", Abi.ACCESS_WRITE),
  CREATE("create", Abi.ACCESS_CREATE),
  TRUNCATE("truncate", Abi.ACCESS_TRUNCATE);

  private final String yaml;
  private final int bit;

  Access(String yaml, int bit) {
    this.yaml = yaml;
    this.bit = bit;
  }

  /** Its bit in a rule's mask ({@code FTG_ACCESS_*}). */
  public int bit() {
    return bit;
  }

  public String yamlName() {
    return yaml;
  }
}
