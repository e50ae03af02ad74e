package dev.ftguard.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One line of tracefs {@code enabled_functions}: a function some ftrace user has attached to. The
 * kernel prints (kernel/trace/ftrace.c, {@code t_show})
 *
 * <pre>NAME [MODULE] (COUNT) R I D [more flags]\ttramp: ADDR (OWNER)->FUNC</pre>
 *
 * where each flag is a letter or two spaces: {@code R} an ftrace_ops saves registers, {@code I} one
 * modifies the instruction pointer (IPMODIFY: livepatch, ftguard's wrappers), {@code D} a direct
 * trampoline (BPF) is attached. Lines that start with a tab continue the line before ({@code
 * \tdirect-->...}).
 *
 * @param name the function
 * @param count how many ftrace_ops are attached
 * @param flags the flag letters
 * @param rest the text after the first tab (trampoline and callback), owner modules in brackets
 */
public record EnabledFunction(String name, long count, Set<Character> flags, String rest) {
  public EnabledFunction {
    flags = Set.copyOf(flags);
  }

  public boolean ipModify() {
    return flags.contains('I');
  }

  public boolean direct() {
    return flags.contains('D');
  }

  /** Whether the callback shown belongs to {@code module} ({@code [ftguard]}). */
  public boolean ownedBy(String module) {
    return rest.contains("[" + module + "]");
  }

  /** The flag letters, e.g. {@code R I}. */
  public String flagString() {
    return String.join(" ", new TreeSet<>(flags).stream().map(String::valueOf).toList());
  }

  /** One line, or empty for continuation lines and lines that do not parse. */
  public static Optional<EnabledFunction> parse(String line) {
    if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
      return Optional.empty();
    }
    int tab = line.indexOf('\t');
    String head = tab < 0 ? line : line.substring(0, tab);
    String rest = tab < 0 ? "" : line.substring(tab + 1);
    String[] tok = head.trim().split("\\s+");
    String name = tok[0];
    long count = -1;
    Set<Character> flags = new TreeSet<>();
    for (int i = 1; i < tok.length; i++) {
      String t = tok[i];
      if (t.startsWith("(") && t.endsWith(")") && count < 0) {
        try {
          count = Long.parseLong(t.substring(1, t.length() - 1));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      } else if (count >= 0 && t.length() == 1 && Character.isLetter(t.charAt(0))) {
        flags.add(t.charAt(0));
      }
    }
    return count < 0
        ? Optional.empty()
        : Optional.of(new EnabledFunction(name, count, flags, rest));
  }

  /** The lines of {@code wanted} functions; other lines are skipped. */
  public static Map<String, EnabledFunction> parseAll(Iterable<String> lines, Set<String> wanted) {
    Map<String, EnabledFunction> out = new LinkedHashMap<>();
    for (String l : lines) {
      parse(l).filter(f -> wanted.contains(f.name())).ifPresent(f -> out.putIfAbsent(f.name(), f));
    }
    return out;
  }
}
