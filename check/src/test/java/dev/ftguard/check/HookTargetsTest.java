package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link HookTargets} against the module's own sources: the table at the end of kmod/hooks.c and
 * the version switches in kmod/compat.h. Only each entry's macro and first argument (the target)
 * are read, and whether a guard's last argument is NULL, so other argument changes do not break
 * this test.
 */
class HookTargetsTest {
  /** The directory holding kmod/, found by walking up from the working directory. */
  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (Path d = p; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("kmod"))) {
        return d;
      }
    }
    throw new AssertionError("no kmod/ above " + p);
  }

  static String source(String name) throws IOException {
    String text = Files.readString(repoRoot().resolve("kmod").resolve(name));
    // comments out, so a commented-out entry does not count
    return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
  }

  /** The entries of ftg_builtin_hooks[] in hooks.c. */
  static List<HookTargets.Entry> parseTable(String hooksC) {
    int start = hooksC.indexOf("ftg_builtin_hooks[]");
    assertThat(start).as("ftg_builtin_hooks[] in kmod/hooks.c").isNotNegative();
    int open = hooksC.indexOf('{', hooksC.indexOf('=', start));
    int close = hooksC.indexOf("};", open);
    // entries of the test-only builds (make FTG_TEST_...=1) are not part of the module
    String table =
        hooksC.substring(open + 1, close).replaceAll("(?s)#ifdef FTG_TEST_\\w+.*?#endif", " ");
    Matcher m = Pattern.compile("FTG_HOOK_(PROBE|WRAP|GUARD)\\s*\\(").matcher(table);
    List<HookTargets.Entry> out = new ArrayList<>();
    int from = 0;
    while (m.find(from)) {
      List<String> args = arguments(table, m.end());
      HookTargets.Kind kind = HookTargets.Kind.valueOf(m.group(1));
      String first = args.getFirst();
      Matcher sys = Pattern.compile("^FTG_SYSCALL\\s*\\(\\s*\"([^\"]+)\"\\s*\\)$").matcher(first);
      Matcher lit = Pattern.compile("^\"([^\"]+)\"$").matcher(first);
      boolean syscall = sys.matches();
      assertThat(syscall || lit.matches()).as("target of " + m.group()).isTrue();
      String name = syscall ? sys.group(1) : lit.group(1);
      boolean wrapped =
          switch (kind) {
            case PROBE -> false;
            case WRAP -> true;
            case GUARD -> !args.getLast().equals("NULL");
          };
      out.add(new HookTargets.Entry(name, syscall, kind, wrapped, List.of()));
      from = m.end();
    }
    return out;
  }

  /** The top-level, comma-separated arguments of the call whose '(' ends at {@code at}. */
  static List<String> arguments(String text, int at) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (int i = at; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        int end = text.indexOf('"', i + 1);
        cur.append(text, i, end + 1);
        i = end;
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        if (depth-- == 0) {
          args.add(cur.toString().trim());
          return args;
        }
      } else if (c == ',' && depth == 0) {
        args.add(cur.toString().trim());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    throw new AssertionError("unbalanced parentheses after offset " + at);
  }

  @Test
  void theTableMatchesKmodHooksC() throws IOException {
    List<HookTargets.Entry> parsed = parseTable(source("hooks.c"));
    assertThat(parsed).as("entries in kmod/hooks.c").isNotEmpty();
    List<String> expected =
        HookTargets.TABLE.stream()
            .map(
                e ->
                    e.kind()
                        + " "
                        + e.name()
                        + (e.syscall() ? " (syscall)" : "")
                        + (e.wrapped() ? " wrapped" : ""))
            .toList();
    List<String> actual =
        parsed.stream()
            .map(
                e ->
                    e.kind()
                        + " "
                        + e.name()
                        + (e.syscall() ? " (syscall)" : "")
                        + (e.wrapped() ? " wrapped" : ""))
            .toList();
    assertThat(HookTargets.TABLE.size()).isEqualTo(parsed.size());
    assertThat(expected)
        .as("HookTargets.TABLE vs kmod/hooks.c, in order")
        .containsExactlyElementsOf(actual);
  }

  @Test
  void systemCallNamesMatchKmodCompatH() throws IOException {
    String compat = source("compat.h");
    Matcher m =
        Pattern.compile(
                "#if\\s+KERNEL_VERSION\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)\\s*<=\\s*LINUX_VERSION_CODE\\s*\n"
                    + "(?:(?!#if|#else|#endif)[^\n]*\n)*?"
                    + "#define\\s+FTG_SYSCALL\\((\\w+)\\)\\s+FTG_ARCH_SYSCALL\\(\\4\\)\\s*\n"
                    + "#else\\s*\n"
                    + "(?:(?!#if|#else|#endif)[^\n]*\n)*?"
                    + "#define\\s+FTG_SYSCALL\\((\\w+)\\)\\s+\"([^\"]*)\"\\s+\\5\\s*\n")
            .matcher(compat);
    assertThat(m.find()).as("FTG_SYSCALL in kmod/compat.h").isTrue();
    assertThat(
            new KernelVersion(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))))
        .isEqualTo(KernelVersion.PTREGS_SYSCALLS);
    assertThat(m.group(6)).isEqualTo(HookTargets.OLD_SYSCALL_PREFIX);
    // the x86_64 stubs' prefix is the architecture layer's
    Matcher x86 =
        Pattern.compile("#define\\s+FTG_ARCH_SYSCALL\\((\\w+)\\)\\s+\"([^\"]*)\"\\s+\\1\\s*\n")
            .matcher(source("arch/x86.h"));
    assertThat(x86.find()).as("FTG_ARCH_SYSCALL in kmod/arch/x86.h").isTrue();
    assertThat(x86.group(2)).isEqualTo(HookTargets.SYSCALL_PREFIX);
  }

  @Test
  void versionThresholdsMatchKmodCompatH() throws IOException {
    String compat = source("compat.h");
    Matcher ipmodify =
        Pattern.compile(
                "#if\\s+KERNEL_VERSION\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)\\s*>\\s*LINUX_VERSION_CODE\\s*\n#error[^\n]*IPMODIFY")
            .matcher(compat);
    assertThat(ipmodify.find()).as("the IPMODIFY #error in kmod/compat.h").isTrue();
    assertThat(version(ipmodify)).isEqualTo(KernelVersion.IPMODIFY);
    Matcher kprobe =
        Pattern.compile(
                "#if\\s+KERNEL_VERSION\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)\\s*<=\\s*LINUX_VERSION_CODE\\s*\n#define\\s+FTG_KALLSYMS_VIA_KPROBE\\s+1")
            .matcher(compat);
    assertThat(kprobe.find()).as("FTG_KALLSYMS_VIA_KPROBE in kmod/compat.h").isTrue();
    assertThat(version(kprobe)).isEqualTo(KernelVersion.KALLSYMS_VIA_KPROBE);
  }

  private static KernelVersion version(Matcher m) {
    return new KernelVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  @Test
  void theParserReadsOnlyTheTargetOfEachEntry() {
    String c =
        """
        struct ftg_hook ftg_builtin_hooks[] = {
        \tFTG_HOOK_PROBE("a", probe_a),
        \t/* FTG_HOOK_WRAP("commented", &w), */
        \tFTG_HOOK_WRAP(FTG_SYSCALL("b"), &ftg_wrap_b, FTG_FLAG(1, 2)),
        \tFTG_HOOK_GUARD("c", guard_c, &ftg_wrap_c),
        \tFTG_HOOK_GUARD("d", guard_d, NULL),
        };
        """
            .replaceAll("(?s)/\\*.*?\\*/", " ");
    assertThat(parseTable(c))
        .containsExactly(
            new HookTargets.Entry("a", false, HookTargets.Kind.PROBE, false, List.of()),
            new HookTargets.Entry("b", true, HookTargets.Kind.WRAP, true, List.of()),
            new HookTargets.Entry("c", false, HookTargets.Kind.GUARD, true, List.of()),
            new HookTargets.Entry("d", false, HookTargets.Kind.GUARD, false, List.of()));
  }

  @Test
  void systemCallsAreNamedByVersion() {
    assertThat(HookTargets.forVersion(KernelVersion.parse("4.17.0")))
        .extracting(HookTargets.Target::symbol)
        .contains("__x64_sys_execve", "__x64_sys_execveat");
    assertThat(HookTargets.forVersion(KernelVersion.parse("4.16.18")))
        .extracting(HookTargets.Target::symbol)
        .contains("sys_execve", "sys_execveat")
        .doesNotContain("__x64_sys_execve");
    assertThat(HookTargets.forVersion(Optional.empty()))
        .extracting(HookTargets.Target::symbol)
        .contains("__x64_sys_execve");
    assertThat(HookTargets.forVersion(Optional.empty()))
        .filteredOn(HookTargets.Target::ipModify)
        .extracting(HookTargets.Target::kind)
        .doesNotContain(HookTargets.Kind.PROBE);
  }
}
