package dev.ftguard.policy;

import dev.ftguard.abi.Abi;

/** SHA-256 digests as the policy language and the rule table write them: lower-case hex. */
public final class Sha256 {
  private Sha256() {}

  /** Whether {@code s} is {@code FTG_SHA256_HEX_LEN} lower-case hex digits. */
  public static boolean isDigest(String s) {
    if (s.length() != Abi.SHA256_HEX_LEN) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The hex of {@code digest}, lower case. */
  public static String hex(byte[] digest) {
    return java.util.HexFormat.of().formatHex(digest);
  }
}
