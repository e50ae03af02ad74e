package dev.ftguard.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel configuration ({@code .config}, {@code /proc/config.gz}, {@code /boot/config-R}). An
 * option that is absent or {@code # CONFIG_X is not set} is off.
 *
 * @param values option name (with {@code CONFIG_}) to value as written ({@code y}, {@code m},
 *     {@code "string"}, {@code 42}); options that are not set are absent
 * @param header the version in the generated header ({@code # Linux/x86 6.1.76 Kernel
 *     Configuration}), if there is one
 */
public record KernelConfig(Map<String, String> values, Optional<KernelVersion> header) {
  private static final Pattern SET = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
  private static final Pattern HEADER =
      Pattern.compile("^# Linux/\\S+ (\\S+) Kernel Configuration");

  /** How an option is set. */
  public enum State {
    /** {@code =y}: built in. */
    YES,
    /** {@code =m}: built as a module. */
    MODULE,
    /** Not set, absent, or {@code =n}. */
    NO,
    /** Any other value (a string or a number). */
    VALUE
  }

  public KernelConfig {
    values = Map.copyOf(values);
  }

  public static KernelConfig parse(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    Optional<KernelVersion> header = Optional.empty();
    for (String line : text.split("\n", -1)) {
      String l = line.strip();
      Matcher m = SET.matcher(l);
      if (m.matches()) {
        values.put(m.group(1), m.group(2));
        continue;
      }
      Matcher h = HEADER.matcher(l);
      if (header.isEmpty() && h.find()) {
        header = KernelVersion.parse(h.group(1));
      }
    }
    return new KernelConfig(values, header);
  }

  public State state(String option) {
    String v = values.get(option);
    if (v == null || v.equals("n")) {
      return State.NO;
    }
    return switch (v) {
      case "y" -> State.YES;
      case "m" -> State.MODULE;
      default -> State.VALUE;
    };
  }

  public boolean isYes(String option) {
    return state(option) == State.YES;
  }

  /** {@code =y}, {@code =m}, {@code ="..."} or {@code not set}. */
  public String describe(String option) {
    String v = values.get(option);
    return v == null ? "not set" : "=" + v;
  }

  /** True if the text has at least one {@code CONFIG_} line: it is a kernel configuration. */
  public boolean looksLikeConfig() {
    return !values.isEmpty();
  }
}
