package dev.ftguard.agent.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where the metrics are served: {@code http://ADDRESS:PORT/metrics}.
 *
 * @param address the address to bind: {@code 127.0.0.1} (this host only, the default), {@code
 *     0.0.0.0} / {@code ::} (every interface), or a host name that resolves to a local address
 * @param port 1 to 65535, or 0 for a free port chosen by the system ({@link AgentMetrics#port()}
 *     reports it)
 */
public record MetricsConfig(String address, int port) {
  /** The default address: this host only. */
  public static final String LOOPBACK = "127.0.0.1";

  public MetricsConfig {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new MetricsConfigException.BadPort(port);
    }
    if (address.isBlank()) {
      throw new MetricsConfigException.BadAddress(
          address, new UnknownHostException("empty address"));
    }
  }

  /** {@code port} on {@link #LOOPBACK}. */
  public static MetricsConfig loopback(int port) {
    return new MetricsConfig(LOOPBACK, port);
  }

  /** The address, resolved. */
  InetAddress inetAddress() {
    try {
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new MetricsConfigException.BadAddress(address, e);
    }
  }
}
