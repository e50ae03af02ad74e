package dev.ftguard.agent;

/**
 * A setting of the agent that cannot work: the message says what is wrong, where (the setting, and
 * the path or value) and how to fix it, in one line that can be shown to an operator as it is.
 * {@link #setting()} names the setting with a stable key (e.g. {@code file.max_bytes}, {@code
 * metrics.port}) that a command line can map to its option name.
 */
public abstract class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;
  private final String fix;

  protected ConfigException(String setting, String problem, String fix, Throwable cause) {
    super(setting + ": " + problem + "; " + fix, cause);
    this.setting = setting;
    this.fix = fix;
  }

  /** The setting at fault, as a stable key. */
  public String setting() {
    return setting;
  }

  /** How to fix it, in words. */
  public String fix() {
    return fix;
  }
}
