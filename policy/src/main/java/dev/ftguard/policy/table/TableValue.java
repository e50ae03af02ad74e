package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.Cidr;
import dev.ftguard.policy.Range;

/**
 * A value of a rule before layout ({@code struct ftg_value}): its type and either a string, a range
 * (or mask) or a network.
 */
record TableValue(int type, String str, long lo, long hi, byte[] addr, int prefixLen) {
  static TableValue string(int type, String s) {
    return new TableValue(type, s, 0, 0, null, 0);
  }

  static TableValue range(Range r) {
    return new TableValue(Abi.VAL_RANGE, null, r.low(), r.high(), null, 0);
  }

  static TableValue cidr(Cidr c) {
    byte[] a = c.address().getAddress();
    return new TableValue(
        a.length == 4 ? Abi.VAL_CIDR4 : Abi.VAL_CIDR6, null, 0, 0, a, c.prefixLength());
  }
}
