package dev.ftguard.policy;

/**
 * Whether a policy's decisions are applied ({@code enforce}) or only recorded ({@code monitor}).
 */
public enum Mode {
  ENFORCE("enforce"),
  MONITOR("monitor");

  private final String yaml;

  Mode(String yaml) {
    this.yaml = yaml;
  }

  public String yamlName() {
    return yaml;
  }
}
