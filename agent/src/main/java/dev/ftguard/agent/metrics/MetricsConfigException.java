package dev.ftguard.agent.metrics;

/**
 * A metrics setting that cannot work. Each subtype is one kind of problem; the message says what is
 * wrong, where, and how to fix it. {@link #setting()} is a stable key ({@code metrics.port}, {@code
 * metrics.address}).
 */
public abstract sealed class MetricsConfigException extends dev.ftguard.agent.ConfigException {
  private static final long serialVersionUID = 1L;

  private MetricsConfigException(String setting, String problem, String fix, Throwable cause) {
    super(setting, problem, fix, cause);
  }

  /** The port is not 0 to 65535. */
  public static final class BadPort extends MetricsConfigException {
    private static final long serialVersionUID = 1L;

    BadPort(int port) {
      super(
          "metrics.port",
          "port " + port + " is out of range",
          "use 1 to 65535, or 0 to let the system pick a free port (the bound port is reported)",
          null);
    }
  }

  /** The bind address is not an address of this host or cannot be resolved. */
  public static final class BadAddress extends MetricsConfigException {
    private static final long serialVersionUID = 1L;

    BadAddress(String address, Throwable cause) {
      super(
          "metrics.address",
          "cannot resolve bind address '"
              + address
              + "'"
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
          "give an IP address of this host: 127.0.0.1 (this host only), 0.0.0.0 or :: (every"
              + " interface)",
          cause);
    }
  }

  /** The HTTP server could not listen (port in use, privileged port, address not local). */
  public static final class BindFailed extends MetricsConfigException {
    private static final long serialVersionUID = 1L;

    BindFailed(String address, int port, Throwable cause) {
      super(
          port == 0 ? "metrics.address" : "metrics.port",
          "cannot listen on " + address + " port " + port + ": " + cause.getMessage(),
          hint(port, cause.getMessage()),
          cause);
    }

    private static String hint(int port, String message) {
      String m = message == null ? "" : message;
      if (m.contains("in use")) {
        return "stop what listens there or choose another port (0 picks a free one)";
      }
      if (m.contains("ermission") && port < 1024) {
        return "ports below 1024 need root or CAP_NET_BIND_SERVICE; use a higher port";
      }
      if (m.contains("assign")) {
        return "the address is not one of this host's; use 127.0.0.1 or 0.0.0.0";
      }
      return "check the address and port";
    }
  }
}
