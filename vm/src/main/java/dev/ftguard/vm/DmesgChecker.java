package dev.ftguard.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Finds kernel warnings, bugs, oopses, lockups, RCU stalls, call traces, general protection faults
 * and panics in dmesg or serial console text.
 *
 * <pre>{@code
 * List<Finding> problems = DmesgChecker.check(result.dmesg());
 * assertThat(problems).as(DmesgChecker.report(problems)).isEmpty();
 * }</pre>
 */
public final class DmesgChecker {
  private DmesgChecker() {}

  private static final Pattern TIMESTAMP =
      Pattern.compile("^\\s*(<\\d+>)?\\[\\s*\\d+\\.\\d+\\]\\s?");

  /** Checked in this order; one finding per line. */
  private static final Map<Finding.Kind, Pattern> PATTERNS = new java.util.LinkedHashMap<>();

  static {
    PATTERNS.put(Finding.Kind.PANIC, Pattern.compile("Kernel panic - not syncing"));
    PATTERNS.put(Finding.Kind.SOFT_LOCKUP, Pattern.compile("soft lockup - CPU#|BUG: soft lockup"));
    PATTERNS.put(
        Finding.Kind.RCU_STALL,
        Pattern.compile(
            "rcu: INFO: .*detected stalls?|self-detected stall on CPU|rcu_\\w+ detected stalls"));
    PATTERNS.put(Finding.Kind.GENERAL_PROTECTION, Pattern.compile("general protection fault"));
    PATTERNS.put(Finding.Kind.OOPS, Pattern.compile("\\bOops\\b"));
    PATTERNS.put(Finding.Kind.BUG, Pattern.compile("\\bBUG: |kernel BUG at "));
    PATTERNS.put(Finding.Kind.WARNING, Pattern.compile("\\bWARNING: "));
    PATTERNS.put(Finding.Kind.CALL_TRACE, Pattern.compile("Call Trace:"));
  }

  /** Findings in dmesg text ({@code source = "dmesg"}). */
  public static List<Finding> check(String text) {
    return check(text, "dmesg");
  }

  /** Findings in a dmesg file; an absent file has none. */
  public static List<Finding> check(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return check(
          Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1),
          file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static List<Finding> check(String text, String source) {
    List<Finding> found = new ArrayList<>();
    int number = 0;
    for (String raw : text.split("\r?\n", -1)) {
      number++;
      Finding.Kind kind = classify(raw);
      if (kind != null) {
        found.add(new Finding(kind, source, number, stripTimestamp(raw)));
      }
    }
    return List.copyOf(found);
  }

  /** The kind of trouble this one line signals, or {@code null}. */
  public static Finding.Kind classify(String line) {
    for (var e : PATTERNS.entrySet()) {
      if (e.getValue().matcher(line).find()) {
        return e.getKey();
      }
    }
    return null;
  }

  public static boolean isClean(String text) {
    return check(text).isEmpty();
  }

  static String stripTimestamp(String line) {
    return TIMESTAMP.matcher(line).replaceFirst("").strip();
  }

  /** A readable multi-line summary for assertion messages; "no findings" when empty. */
  public static String report(List<Finding> findings) {
    if (findings.isEmpty()) {
      return "no findings";
    }
    return findings.size()
        + " kernel finding(s):\n"
        + findings.stream().map(f -> "  " + f).collect(Collectors.joining("\n"));
  }
}
