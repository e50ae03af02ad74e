package dev.ftguard.policy;

import java.net.InetAddress;
import java.util.Arrays;

/** IPv4 and IPv6 networks ({@code 10.0.0.0/8}, {@code fd00::/8}) of address selectors. */
final class Networks {
  private final YamlChecks yaml;

  Networks(YamlChecks yaml) {
    this.yaml = yaml;
  }

  Cidr cidr(YNode at, String s) {
    String hint = "write an IPv4 or IPv6 network like 10.0.0.0/8 or fd00::/8";
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress a;
    try {
      if (addr.isEmpty() || !addr.matches("[0-9A-Fa-f.:]+")) {
        throw new IllegalArgumentException();
      }
      a = InetAddress.ofLiteral(addr);
    } catch (IllegalArgumentException e) {
      yaml.error(at.at(), "'" + s + "' is not an IP address or CIDR", hint);
      return null;
    }
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        yaml.error(
            at.at(),
            "bad prefix length '/" + p + "' in '" + s + "'",
            "use /0 to /" + bits + " for an " + (bits == 32 ? "IPv4" : "IPv6") + " address");
        return null;
      }
      prefix = Integer.parseInt(p);
    }
    byte[] b = a.getAddress();
    byte[] net = b.clone();
    for (int i = 0; i < net.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      net[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      InetAddress n = InetAddress.getByAddress(net);
      if (!Arrays.equals(b, net)) {
        yaml.error(
            at.at(),
            "'" + s + "' has host bits set",
            "did you mean " + n.getHostAddress() + "/" + prefix + "?");
        return null;
      }
      return new Cidr(n, prefix);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
