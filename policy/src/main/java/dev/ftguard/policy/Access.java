package dev.ftguard.policy;

/** A kind of file access for {@code open} rules. */
public enum Access {
  READ("read"),
  WRITE("write"),
  CREATE("create"),
  TRUNCATE("truncate");

  private final String yaml;

  Access(String yaml) {
    this.yaml = yaml;
  }

  public String yamlName() {
    return yaml;
  }
}
