package dev.ftguard.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program generated from the Java layouts and constants against
 * kmod/include/uapi/ftguard.h and compares every size, offset and constant. A name Java uses that C
 * lacks fails compilation, and the test reports gcc's message.
 */
class AbiLayoutTest {
  @TempDir Path tmp;

  static Path repoRoot() {
    String prop = System.getProperty("ftguard.root");
    if (prop != null && !prop.isBlank() && Files.isRegularFile(header(Path.of(prop)))) {
      return Path.of(prop).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(header(p))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "kmod/include/uapi/ftguard.h not found above "
            + Path.of("").toAbsolutePath()
            + "; run from the repository or pass -Dftguard.root=<repo root>");
  }

  static Path header(Path root) {
    return root.resolve("kmod/include/uapi/ftguard.h");
  }

  /** Expected "key=value" pairs computed from the Java side; the C side prints the same keys. */
  record Probe(String key, String cExpression, String format, String javaValue) {}

  static List<Probe> probes(Map<String, GroupLayout> structs) {
    var out = new java.util.ArrayList<Probe>();
    for (var e : new java.util.TreeMap<>(structs).entrySet()) {
      String struct = "struct " + e.getKey();
      GroupLayout layout = e.getValue();
      out.add(size("sizeof(" + struct + ")", "sizeof(" + struct + ")", layout.byteSize()));
      members(out, struct, layout, "", 0);
    }
    return out;
  }

  private static void members(
      List<Probe> out, String struct, GroupLayout group, String prefix, long base) {
    for (MemoryLayout m : group.memberLayouts()) {
      if (m instanceof PaddingLayout) {
        continue;
      }
      String name =
          m.name().orElseThrow(() -> new AssertionError("unnamed member in " + struct + ": " + m));
      String path = prefix + name;
      long offset = base + group.byteOffset(MemoryLayout.PathElement.groupElement(name));
      out.add(
          size(
              "offsetof(" + struct + ", " + path + ")",
              "offsetof(" + struct + ", " + path + ")",
              offset));
      out.add(
          size(
              "sizeof(" + struct + "." + path + ")",
              "sizeof(((" + struct + " *)0)->" + path + ")",
              m.byteSize()));
      if (m instanceof ValueLayout v) {
        // scalar members: the C type has the same width as the Java carrier
        assertThat(v.byteSize()).isIn(1L, 2L, 4L, 8L);
      }
      if (m instanceof GroupLayout nested) {
        members(out, struct, nested, path + ".", offset);
      }
      if (m instanceof SequenceLayout seq && seq.elementLayout() instanceof GroupLayout element) {
        // arrays of structs (ftg_rule.sel[]): the members of the first and the last element
        long last = seq.elementCount() - 1;
        members(out, struct, element, path + "[0].", offset);
        members(out, struct, element, path + "[" + last + "].", offset + last * element.byteSize());
      }
    }
  }

  private static Probe size(String key, String expr, long value) {
    return new Probe(
        key, "(unsigned long long)(" + expr + ")", "%llu", Long.toUnsignedString(value));
  }

  static List<Probe> allProbes() {
    var out = new java.util.ArrayList<>(probes(Abi.STRUCTS));
    for (var f : new java.util.TreeMap<>(Abi.FLEXIBLE_ARRAY_OFFSETS).entrySet()) {
      String[] sm = f.getKey().split("\\.");
      String expr = "offsetof(struct " + sm[0] + ", " + sm[1] + ")";
      out.add(size(expr, expr, f.getValue()));
    }
    for (var f : new java.util.TreeMap<>(Abi.FUNCTION_MACROS).entrySet()) {
      for (int arg = 0; arg < Abi.KINDS; arg++) {
        String expr = f.getKey() + "(" + arg + ")";
        out.add(
            new Probe(
                expr,
                "(long long)(" + expr + ")",
                "%lld",
                Integer.toString(f.getValue().applyAsInt(arg))));
      }
    }
    // the address families ftg_decision_event.family holds, from the C library's headers
    out.add(new Probe("AF_INET", "(long long)(AF_INET)", "%lld", Integer.toString(Abi.AF_INET)));
    out.add(new Probe("AF_INET6", "(long long)(AF_INET6)", "%lld", Integer.toString(Abi.AF_INET6)));
    for (var c : Abi.CONSTANTS.entrySet()) {
      out.add(
          new Probe(
              c.getKey(), "(long long)(" + c.getKey() + ")", "%lld", Long.toString(c.getValue())));
    }
    for (var c : Abi.STRING_CONSTANTS.entrySet()) {
      out.add(new Probe(c.getKey(), c.getKey(), "%s", c.getValue()));
    }
    return out;
  }

  static String program(List<Probe> probes) {
    var sb = new StringBuilder();
    sb.append("/* generated by AbiLayoutTest from dev.ftguard.abi.Abi */\n");
    sb.append(
        "#include <stdio.h>\n#include <stddef.h>\n#include <sys/socket.h>\n#include \"ftguard.h\"\n\n");
    sb.append("int main(void)\n{\n");
    for (Probe p : probes) {
      sb.append("\tprintf(\"%s=")
          .append(p.format())
          .append("\\n\", \"")
          .append(p.key())
          .append("\", ")
          .append(p.cExpression())
          .append(");\n");
    }
    sb.append("\treturn 0;\n}\n");
    return sb.toString();
  }

  record Run(int exit, String output) {}

  static Run run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + cmd);
    }
    return new Run(p.exitValue(), out);
  }

  Run compile(String source) throws Exception {
    Path c = tmp.resolve("abi_probe.c");
    Files.writeString(c, source);
    List<String> cmd =
        List.of(
            "gcc",
            "-std=gnu11",
            "-Wall",
            "-Werror",
            "-I",
            header(repoRoot()).getParent().toString(),
            "-o",
            tmp.resolve("abi_probe").toString(),
            c.toString());
    try {
      return run(tmp, cmd);
    } catch (IOException e) {
      throw new AssertionError("cannot run gcc (install it: apt-get install gcc): " + e, e);
    }
  }

  @Test
  void javaLayoutsAndConstantsEqualTheCHeader() throws Exception {
    List<Probe> probes = allProbes();
    String source = program(probes);
    Run cc = compile(source);
    if (cc.exit() != 0) {
      fail(
          "gcc rejected the program generated from the Java ABI mirror (a name Java uses is missing"
              + " or different in "
              + header(repoRoot())
              + "):\n"
              + cc.output());
    }
    Run r = run(tmp, List.of(tmp.resolve("abi_probe").toString()));
    assertThat(r.exit()).as("probe exit status; output:%n%s", r.output()).isZero();

    Map<String, String> fromC = new LinkedHashMap<>();
    for (String line : r.output().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fromC.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    Map<String, String> fromJava = new LinkedHashMap<>();
    probes.forEach(p -> fromJava.put(p.key(), p.javaValue()));
    assertThat(fromC).hasSize(probes.size());
    assertThat(fromJava).containsExactlyEntriesOf(fromC);
  }

  @Test
  void everyNameOfTheHeaderHasAJavaMirror() throws IOException {
    String text = Files.readString(header(repoRoot()));
    Set<String> constants = new TreeSet<>();
    Matcher define = Pattern.compile("(?m)^#define\\s+(FTG_\\w+)").matcher(text);
    while (define.find()) {
      constants.add(define.group(1));
    }
    Matcher enumerator = Pattern.compile("(?m)^\\s*(FTG_\\w+)\\s*=").matcher(text);
    while (enumerator.find()) {
      constants.add(enumerator.group(1));
    }
    Set<String> structs = new TreeSet<>();
    Matcher struct = Pattern.compile("(?m)^struct\\s+(ftg_\\w+)\\s*\\{").matcher(text);
    while (struct.find()) {
      structs.add(struct.group(1));
    }
    Set<String> javaConstants = new TreeSet<>(Abi.CONSTANTS.keySet());
    javaConstants.addAll(Abi.STRING_CONSTANTS.keySet());
    javaConstants.addAll(Abi.FUNCTION_MACROS.keySet());
    assertThat(constants).isNotEmpty();
    assertThat(javaConstants).as("constants mirrored in Abi.CONSTANTS").containsAll(constants);
    assertThat(Abi.STRUCTS.keySet())
        .as("structs mirrored in Abi.STRUCTS")
        .containsExactlyInAnyOrderElementsOf(structs);
  }

  @Test
  void aFieldThatCLacksFailsCompilationWithGccsMessage() throws Exception {
    GroupLayout wrong =
        MemoryLayout.structLayout(
                ValueLayout.JAVA_INT.withName("abi_version"),
                ValueLayout.JAVA_INT.withName("no_such_field"))
            .withName("ftg_stats");
    Run cc = compile(program(probes(Map.of("ftg_stats", wrong))));
    assertThat(cc.exit()).isNotZero();
    assertThat(cc.output()).contains("no_such_field");
  }

  @Test
  void ioctlNumbersFollowTheAsmGenericEncoding() {
    // _IOR('F', 1, 160 bytes) = dir 2 << 30 | 160 << 16 | 'F' << 8 | 1
    assertThat(Abi.STATS.byteSize()).isEqualTo(160);
    assertThat(Abi.IOC_STATS).isEqualTo((2L << 30) | (160L << 16) | (0x46L << 8) | 1);
    assertThat(Abi.IOC_HOOK_INFO).isEqualTo((3L << 30) | (88L << 16) | (0x46L << 8) | 2);
    assertThat(Abi.TABLE_ARG.byteSize()).isEqualTo(32);
    assertThat(Abi.IOC_SET_TABLE).isEqualTo((3L << 30) | (32L << 16) | (0x46L << 8) | 3);
    assertThat(Abi.IOC_GET_TABLE).isEqualTo((3L << 30) | (32L << 16) | (0x46L << 8) | 4);
    assertThat(Abi.CALL_HOOK_INFO.byteSize()).isEqualTo(168);
    assertThat(Abi.IOC_CALL_HOOK_INFO).isEqualTo((3L << 30) | (168L << 16) | (0x46L << 8) | 5);
  }

  @Test
  void everyStructIsAMultipleOfEightBytes() {
    Abi.STRUCTS.forEach(
        (name, layout) -> assertThat(layout.byteSize() % 8).as("sizeof(struct %s)", name).isZero());
  }

  @Test
  void decisionDataStartsBeforeTheTailPadding() {
    assertThat(Abi.Decision.DATA).isEqualTo(276);
    assertThat(Abi.Decision.SIZE).isEqualTo(280);
    assertThat(Abi.Rul.SIZE).isEqualTo(224);
    assertThat(Abi.Val.SIZE).isEqualTo(40);
    assertThat(Abi.Table.SIZE).isEqualTo(64);
    assertThat(Abi.Call.DATA).isEqualTo(248);
    assertThat(Abi.HookDecl.SIZE).isEqualTo(144);
    assertThat(Abi.ArgDecl.SIZE).isEqualTo(40);
  }

  @Test
  void keySlotByKind() {
    assertThat(Abi.kindKeySlot(Abi.KIND_EXEC)).isEqualTo(Abi.SEL_BINARY);
    assertThat(Abi.kindKeySlot(Abi.KIND_OPEN)).isEqualTo(Abi.SEL_OBJECT);
    assertThat(Abi.kindKeySlot(Abi.KIND_CONNECT)).isEqualTo(Abi.SEL_BINARY);
    assertThat(Abi.kindKeySlot(Abi.KIND_MODULE_LOAD)).isEqualTo(Abi.SEL_OBJECT);
    assertThat(Abi.kindKeySlot(Abi.KIND_PTRACE)).isEqualTo(Abi.SEL_OBJECT);
    assertThat(Abi.kindKeySlot(Abi.KIND_PRIVILEGE)).isEqualTo(Abi.SEL_BINARY);
  }

  @Test
  void tableErrorNamesAreIndexedByValue() {
    assertThat(Abi.TABLE_ERROR_NAMES).hasSize(Abi.TERR_NOT_INJECTABLE + 1);
    assertThat(Abi.TABLE_ERROR_MEANINGS).hasSize(Abi.TERR_NOT_INJECTABLE + 1);
    assertThat(Abi.TABLE_ERROR_NAMES.get(Abi.TERR_SECTION)).isEqualTo("FTG_TERR_SECTION");
    assertThat(Abi.CONSTANTS.get("FTG_TERR_GLOB")).isEqualTo((long) Abi.TERR_GLOB);
  }
}
