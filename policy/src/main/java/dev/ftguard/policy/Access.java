package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import java.util.Locale;

/** A kind of file access for {@code open} rules. */
public enum Access {
  READ(Abi.ACCESS_READ),
  WRITE(Abi.ACCESS_WRITE),
  CREATE(Abi.ACCESS_CREATE),
  TRUNCATE(Abi.ACCESS_TRUNCATE),
  RENAME(Abi.ACCESS_RENAME),
  UNLINK(Abi.ACCESS_UNLINK),
  LINK(Abi.ACCESS_LINK),
  ATTR(Abi.ACCESS_ATTR);

  private final int bit;

  Access(int bit) {
    this.bit = bit;
  }

  /** Its bit in a rule's mask ({@code FTG_ACCESS_*}). */
  public int bit() {
    return bit;
  }

  /** Its name in a policy: the constant's name in lower case. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
