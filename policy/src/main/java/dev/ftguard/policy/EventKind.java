package dev.ftguard.policy;

import java.util.List;

/** The kinds of event a rule can match, each with the selectors valid for it. */
public enum EventKind {
  EXEC(
      "exec",
      List.of(
          "binary",
          "parentBinary",
          "ancestorBinary",
          "uid",
          "euid",
          "argvContains",
          "fileless",
          "fromTempDir")),
  OPEN("open", List.of("path", "access", "binary")),
  CONNECT("connect", List.of("address", "port", "binary")),
  MODULE_LOAD("module_load", List.of("name", "binary")),
  PTRACE("ptrace", List.of("target", "binary")),
  PRIVILEGE("privilege", List.of("binary", "gains")),
  /** A call of a function the policy declares under {@code hooks:}. */
  CALL("call", List.of("args", "binary"));

  private final String yaml;
  private final List<String> selectors;

  EventKind(String yaml, List<String> selectors) {
    this.yaml = yaml;
    this.selectors = selectors;
  }

  public String yamlName() {
    return yaml;
  }

  /** The selector names valid under {@code match:} for this kind, in documentation order. */
  public List<String> selectors() {
    return selectors;
  }
}
