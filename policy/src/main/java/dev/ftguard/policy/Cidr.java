package dev.ftguard.policy;

import java.net.InetAddress;

/** A network: an IPv4 or IPv6 address with its host bits clear, and a prefix length. */
public record Cidr(InetAddress address, int prefixLength) {
  @Override
  public String toString() {
    return address.getHostAddress() + "/" + prefixLength;
  }
}
