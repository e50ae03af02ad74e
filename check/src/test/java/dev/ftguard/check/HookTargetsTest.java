package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link HookTargets} against the module's own sources: the hook families' tables in the order
 * kmod/main.c adds them, and the version switches in kmod/compat.h. Each family's file (exec.c,
 * file.c, ...) defines {@code ftg_add_NAME_hooks()}, which adds one {@code struct ftg_hook} array
 * of that file to the engine's list; main.c calls them in attach order. Only each entry's macro and
 * first argument (the target) are read, and whether a guard's last argument is NULL, so other
 * argument changes do not break this test; every wrapper an entry names must be defined in its file
 * with FTG_DEFINE_WRAPPER.
 */
class HookTargetsTest {
  static String source(String name) throws IOException {
    return uncommented(Files.readString(Repository.root().resolve("kmod").resolve(name)));
  }

  /** Comments out, so a commented-out entry or call does not count. */
  static String uncommented(String text) {
    return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
  }

  /** Every kmod/*.c, by file name, comments out. */
  static Map<String, String> kmodSources() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(Repository.root().resolve("kmod"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".c")).toList()) {
        out.put(f.getFileName().toString(), uncommented(Files.readString(f)));
      }
    }
    return out;
  }

  /** Test-only builds' parts (make FTG_TEST_...=1) are not part of the module. */
  static String withoutTestBuilds(String text) {
    return text.replaceAll("(?s)#ifdef FTG_TEST_\\w+.*?#endif", " ");
  }

  private static final Pattern ADD_CALL =
      Pattern.compile("\\bftg_add_(\\w+)_hooks\\s*\\(\\s*\\)\\s*;");
  private static final Pattern ADD_DEF =
      Pattern.compile(
          "\\bvoid\\s+(?:__init\\s+)?ftg_add_(\\w+)_hooks\\s*\\(\\s*void\\s*\\)\\s*\\{([^}]*)\\}");
  private static final Pattern HOOKS_ADD =
      Pattern.compile(
          "^\\s*ftg_hooks_add(?:_may_recurse)?\\s*\\(\\s*(\\w+)\\s*,\\s*ARRAY_SIZE\\s*\\(\\s*\\1\\s*\\)\\s*\\)\\s*;\\s*$");
  private static final Pattern TABLE_DEF =
      Pattern.compile("\\bstruct\\s+ftg_hook\\s+(\\w+)\\s*\\[\\s*\\]\\s*=");

  /** The families main.c adds, in order, outside the test-only builds. */
  static List<String> families(String mainC) {
    List<String> out = new ArrayList<>();
    Matcher m = ADD_CALL.matcher(withoutTestBuilds(mainC));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * Every entry of the module's hook list, in attach order: each family main.c adds, its
   * ftg_add_NAME_hooks() (defined once, in one file, adding one array of that file), that array's
   * entries. Fails on a family defined but never added, added twice, or an array no family adds.
   */
  static List<HookTargets.Entry> parseHooks(Map<String, String> sources) {
    String mainC = sources.get("main.c");
    assertThat(mainC).as("kmod/main.c").isNotNull();
    List<String> families = families(mainC);
    assertThat(families)
        .as("hook families added by kmod/main.c")
        .isNotEmpty()
        .doesNotHaveDuplicates();
    Map<String, String> fileOf = new TreeMap<>();
    Map<String, String> arrayOf = new TreeMap<>();
    Map<String, Integer> arrays = new TreeMap<>();
    for (Map.Entry<String, String> src : sources.entrySet()) {
      Matcher def = ADD_DEF.matcher(src.getValue());
      while (def.find()) {
        String family = def.group(1);
        assertThat(fileOf.put(family, src.getKey()))
            .as("ftg_add_" + family + "_hooks() defined twice")
            .isNull();
        Matcher add = HOOKS_ADD.matcher(def.group(2));
        assertThat(add.matches())
            .as(
                "ftg_add_"
                    + family
                    + "_hooks() in kmod/"
                    + src.getKey()
                    + " is one ftg_hooks_add[_may_recurse](ARRAY, ARRAY_SIZE(ARRAY))")
            .isTrue();
        arrayOf.put(family, add.group(1));
      }
      Matcher table = TABLE_DEF.matcher(src.getValue());
      while (table.find()) {
        arrays.merge(src.getKey() + ":" + table.group(1), 1, Integer::sum);
      }
    }
    // every family is added by main.c once, in the module or in a test-only build
    List<String> allCalls = new ArrayList<>();
    Matcher any = ADD_CALL.matcher(mainC);
    while (any.find()) {
      allCalls.add(any.group(1));
    }
    assertThat(allCalls).as("ftg_add_*_hooks() calls in kmod/main.c").doesNotHaveDuplicates();
    assertThat(allCalls)
        .as("hook families defined in kmod/*.c vs those kmod/main.c adds")
        .containsExactlyInAnyOrderElementsOf(fileOf.keySet());
    List<String> added =
        fileOf.keySet().stream().map(f -> fileOf.get(f) + ":" + arrayOf.get(f)).toList();
    assertThat(added).as("hook arrays added").doesNotHaveDuplicates();
    assertThat(arrays.keySet())
        .as("struct ftg_hook arrays in kmod/*.c vs those the families add")
        .containsExactlyInAnyOrderElementsOf(added);
    List<HookTargets.Entry> out = new ArrayList<>();
    for (String family : families) {
      String file = fileOf.get(family);
      out.addAll(parseTable(sources.get(file), arrayOf.get(family), file));
    }
    return out;
  }

  /** The entries of the hook array {@code array} in {@code c} (the source of kmod/{@code file}). */
  static List<HookTargets.Entry> parseTable(String c, String array, String file) {
    Matcher def =
        Pattern.compile("\\bstruct\\s+ftg_hook\\s+" + Pattern.quote(array) + "\\s*\\[\\s*\\]\\s*=")
            .matcher(c);
    assertThat(def.find()).as(array + "[] in kmod/" + file).isTrue();
    int open = c.indexOf('{', def.end());
    int close = c.indexOf("};", open);
    // entries of the test-only builds (make FTG_TEST_...=1) are not part of the module
    String table = withoutTestBuilds(c.substring(open + 1, close));
    Matcher m = Pattern.compile("FTG_HOOK_(PROBE|WRAP|GUARD)(?:_LOCKED)?\\s*\\(").matcher(table);
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
      if (wrapped) {
        // FTG_HOOK_WRAP(target, wrapper), FTG_HOOK_GUARD(target, guard, wrapper)
        String wrapper = kind == HookTargets.Kind.WRAP ? args.get(1) : args.getLast();
        Matcher ref = Pattern.compile("^&\\s*(\\w+)$").matcher(wrapper);
        assertThat(ref.matches()).as("the wrapper of " + name + " in kmod/" + file).isTrue();
        assertThat(c)
            .as("FTG_DEFINE_WRAPPER(" + ref.group(1) + ", ...) in kmod/" + file)
            .containsPattern(
                "FTG_DEFINE_WRAPPER\\s*\\(\\s*" + Pattern.quote(ref.group(1)) + "\\s*,");
      }
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
  void theTableMatchesTheHookFamiliesOfKmod() throws IOException {
    List<HookTargets.Entry> parsed = parseHooks(kmodSources());
    assertThat(parsed).as("entries of the hook families in kmod/").isNotEmpty();
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
        .as("HookTargets.TABLE vs the hook families kmod/main.c adds, in order")
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
        uncommented(
            """
            FTG_DEFINE_WRAPPER(ftg_wrap_b, b, &real_b);
            FTG_DEFINE_WRAPPER(ftg_wrap_c, c, &real_c);
            static struct ftg_hook ftg_x_hooks[] = {
            \tFTG_HOOK_PROBE("a", probe_a),
            \t/* FTG_HOOK_WRAP("commented", &w), */
            \tFTG_HOOK_WRAP(FTG_SYSCALL("b"), &ftg_wrap_b, FTG_FLAG(1, 2)),
            \tFTG_HOOK_GUARD("c", guard_c, &ftg_wrap_c),
            \tFTG_HOOK_GUARD("d", guard_d, NULL),
            #ifdef FTG_TEST_X
            \tFTG_HOOK_PROBE("test", probe_t),
            #endif
            };
            """);
    assertThat(parseTable(c, "ftg_x_hooks", "x.c"))
        .containsExactly(
            new HookTargets.Entry("a", false, HookTargets.Kind.PROBE, false, List.of()),
            new HookTargets.Entry("b", true, HookTargets.Kind.WRAP, true, List.of()),
            new HookTargets.Entry("c", false, HookTargets.Kind.GUARD, true, List.of()),
            new HookTargets.Entry("d", false, HookTargets.Kind.GUARD, false, List.of()));
  }

  @Test
  void aWrapperNotDefinedInItsFileFails() {
    String c =
        """
        static struct ftg_hook ftg_x_hooks[] = {
        \tFTG_HOOK_WRAP(FTG_SYSCALL("b"), &ftg_wrap_b),
        };
        """;
    assertThatThrownBy(() -> parseTable(c, "ftg_x_hooks", "x.c"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("FTG_DEFINE_WRAPPER(ftg_wrap_b");
  }

  /** A family's file: its array and its ftg_add_NAME_hooks(). */
  private static String family(String name, String... targets) {
    StringBuilder b = new StringBuilder("static struct ftg_hook ftg_" + name + "_hooks[] = {\n");
    for (String t : targets) {
      b.append("\tFTG_HOOK_PROBE(\"").append(t).append("\", probe),\n");
    }
    return b.append("};\n\nvoid __init ftg_add_")
        .append(name)
        .append("_hooks(void)\n{\n\tftg_hooks_add(ftg_")
        .append(name)
        .append("_hooks, ARRAY_SIZE(ftg_")
        .append(name)
        .append("_hooks));\n}\n")
        .toString();
  }

  @Test
  void theHooksAreTheFamiliesInTheOrderMainCAddsThem() {
    Map<String, String> sources = new TreeMap<>();
    sources.put("a.c", family("a", "a1", "a2") + family("z", "z1"));
    sources.put("b.c", family("b", "b1"));
    sources.put("t.c", family("t", "test"));
    sources.put(
        "main.c",
        """
        static void __init ftg_add_hooks(void)
        {
        \tftg_add_a_hooks();
        \tftg_add_b_hooks();
        \tftg_add_z_hooks();
        #ifdef FTG_TEST_T
        \tftg_add_t_hooks();
        #endif
        }
        """);
    assertThat(parseHooks(sources))
        .extracting(HookTargets.Entry::name)
        .containsExactly("a1", "a2", "b1", "z1");

    sources.put("main.c", sources.get("main.c").replace("\tftg_add_z_hooks();\n", ""));
    assertThatThrownBy(() -> parseHooks(sources))
        .as("a family defined but never added")
        .isInstanceOf(AssertionError.class);
    sources.put(
        "main.c",
        sources
            .get("main.c")
            .replace(
                "ftg_add_b_hooks();",
                "ftg_add_b_hooks();\n\tftg_add_z_hooks();\n\tftg_add_a_hooks();"));
    assertThatThrownBy(() -> parseHooks(sources))
        .as("a family added twice")
        .isInstanceOf(AssertionError.class);
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
