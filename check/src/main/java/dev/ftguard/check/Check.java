package dev.ftguard.check;

import java.util.Objects;

/**
 * The outcome of one rule.
 *
 * @param id stable identifier for machines ({@code config.kprobes}, {@code hooks.traceable})
 * @param status pass, warn or fail
 * @param title what is checked, for people ({@code CONFIG_KPROBES})
 * @param detail what was found and what it means
 * @param fix what to do about it; empty when nothing needs doing
 */
public record Check(String id, Status status, String title, String detail, String fix) {
  public Check {
    Objects.requireNonNull(id);
    Objects.requireNonNull(status);
    Objects.requireNonNull(title);
    Objects.requireNonNull(detail);
    fix = fix == null ? "" : fix;
  }

  static Check pass(String id, String title, String detail) {
    return new Check(id, Status.PASS, title, detail, "");
  }

  static Check warn(String id, String title, String detail, String fix) {
    return new Check(id, Status.WARN, title, detail, fix);
  }

  static Check fail(String id, String title, String detail, String fix) {
    return new Check(id, Status.FAIL, title, detail, fix);
  }
}
