import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates {@code dev.ftguard.abi.Uapi}, the Java mirror of {@code kmod/include/uapi/ftguard.h},
 * from the header as gcc sees it; run by the build at generate-sources ({@code java UapiGen.java
 * HEADER OUTPUT_DIR WORK_DIR}).
 *
 * <p>Names come from the header: every {@code FTG_} macro ({@code gcc -E -dM}), every enumerator
 * and every {@code struct ftg_*} member ({@code gcc -E -P}). Values come from the compiler: a probe
 * program compiled against the header prints every constant, every {@code sizeof} and {@code
 * offsetof}, and every value of the function-like macros over their domain ({@code kind}: {@code 0
 * .. FTG_KINDS - 1}, {@code slot}: {@code 0 .. FTG_SELS - 1}). Nothing is typed twice, so the Java
 * side cannot drift from the header: a change to the header changes the generated class, or fails
 * the build with gcc's message.
 */
public final class UapiGen {
  private UapiGen() {}

  /** A member of a struct as declared: C type, name, array dimension ("" none, "[]" flexible). */
  record Member(String struct, String type, String name, String dim) {
    boolean flexible() {
      return dim.equals("[]");
    }

    boolean array() {
      return !dim.isEmpty();
    }
  }

  /** A struct as declared, its members in order. */
  record Struct(String name, List<Member> members) {}

  /** A function-like macro of one parameter, evaluated over the parameter's domain. */
  record FunctionMacro(String name, String parameter, String bound) {}

  /** What gcc printed for a member: offset, size and element size. */
  record Placed(long offset, long size, long elementSize) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: java UapiGen.java HEADER OUTPUT_DIR WORK_DIR");
      System.exit(2);
    }
    Path header = Path.of(args[0]).toAbsolutePath();
    Path out = Path.of(args[1]);
    Path work = Path.of(args[2]);
    Files.createDirectories(work);
    String raw = Files.readString(header);
    String macros = gcc(work, "-E", "-dM", header.toString());
    String preprocessed = gcc(work, "-E", "-P", header.toString());

    SequencedMap<String, String> defines = new LinkedHashMap<>();
    List<FunctionMacro> functions = new ArrayList<>();
    Matcher d =
        Pattern.compile("(?m)^#define (FTG_\\w+)(?:\\(([^)]*)\\))?(?: (.*))?$").matcher(macros);
    while (d.find()) {
      if (d.group(2) != null) {
        String parameter = d.group(2).strip();
        functions.add(new FunctionMacro(d.group(1), parameter, domain(d.group(1), parameter)));
      } else {
        defines.put(d.group(1), d.group(3) == null ? "" : d.group(3).strip());
      }
    }
    SequencedMap<String, List<String>> enums = enums(preprocessed);
    List<Struct> structs = structs(preprocessed);

    SequencedSet<String> numeric = new LinkedHashSet<>();
    List<String> strings = new ArrayList<>();
    for (var e : defines.entrySet()) {
      if (e.getValue().startsWith("\"")) {
        strings.add(e.getKey());
      } else if (!e.getValue().isEmpty()) {
        numeric.add(e.getKey());
      }
    }
    enums.values().forEach(numeric::addAll);
    List<String> ordered = inHeaderOrder(raw, numeric);

    Probe probe = probe(work, header, ordered, strings, structs, functions);
    String java = javaSource(header, ordered, probe, enums, structs, functions);
    Path file = out.resolve("dev/ftguard/abi/Uapi.java");
    Files.createDirectories(file.getParent());
    if (!Files.exists(file) || !Files.readString(file).equals(java)) {
      Files.writeString(file, java);
    }
  }

  /** The domain of a function-like macro's parameter: the count that bounds it. */
  static String domain(String macro, String parameter) {
    return switch (parameter) {
      case "kind" -> "FTG_KINDS";
      case "slot" -> "FTG_SELS";
      default ->
          throw new IllegalStateException(
              macro
                  + "("
                  + parameter
                  + "): the generator knows the domain of parameters named kind and slot only");
    };
  }

  static SequencedMap<String, List<String>> enums(String text) {
    SequencedMap<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("enum\\s+(ftg_\\w+)\\s*\\{([^}]*)\\}").matcher(text);
    while (m.find()) {
      List<String> names = new ArrayList<>();
      for (String item : m.group(2).split(",")) {
        String name = item.strip().split("[\\s=]+")[0];
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
      out.put(m.group(1), List.copyOf(names));
    }
    return out;
  }

  static List<Struct> structs(String text) {
    List<Struct> out = new ArrayList<>();
    Matcher m = Pattern.compile("struct\\s+(ftg_\\w+)\\s*\\{([^}]*)\\}\\s*;").matcher(text);
    Pattern decl =
        Pattern.compile(
            "^(struct\\s+ftg_\\w+|\\w+)\\s+(\\w+)\\s*(\\[[^\\]]*\\])?$", Pattern.DOTALL);
    while (m.find()) {
      List<Member> members = new ArrayList<>();
      for (String item : m.group(2).split(";")) {
        String s = item.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
          continue;
        }
        Matcher md = decl.matcher(s);
        if (!md.matches()) {
          throw new IllegalStateException(
              "struct " + m.group(1) + ": cannot read the member declaration '" + s + "'");
        }
        String dim = md.group(3) == null ? "" : md.group(3).replace(" ", "");
        members.add(new Member(m.group(1), md.group(1), md.group(2), dim));
      }
      out.add(new Struct(m.group(1), List.copyOf(members)));
    }
    return out;
  }

  /** The names, ordered by where the raw header defines them. */
  static List<String> inHeaderOrder(String raw, SequencedSet<String> names) {
    Map<String, Integer> at = new LinkedHashMap<>();
    for (String n : names) {
      Matcher m =
          Pattern.compile("(?m)^(?:#define\\s+" + n + "\\b|\\s*" + n + "\\s*[=,])").matcher(raw);
      at.put(n, m.find() ? m.start() : Integer.MAX_VALUE);
    }
    return names.stream().sorted((a, b) -> Integer.compare(at.get(a), at.get(b))).toList();
  }

  /** Everything the probe printed. */
  record Probe(
      Map<String, Long> constants,
      Map<String, String> strings,
      Map<String, Long> sizes,
      Map<String, Placed> members,
      Map<String, List<Long>> functions) {}

  static Probe probe(
      Path work,
      Path header,
      List<String> numeric,
      List<String> strings,
      List<Struct> structs,
      List<FunctionMacro> functions)
      throws IOException, InterruptedException {
    String c = probeSource(header, numeric, strings, structs, functions);
    Path source = work.resolve("uapi_probe.c");
    Path binary = work.resolve("uapi_probe");
    Files.writeString(source, c);
    gcc(work, "-std=gnu11", "-Wall", "-Werror", "-o", binary.toString(), source.toString());
    return parse(run(work, List.of(binary.toString())));
  }

  /** A C program that prints every constant, size, offset and function value. */
  static String probeSource(
      Path header,
      List<String> numeric,
      List<String> strings,
      List<Struct> structs,
      List<FunctionMacro> functions) {
    StringBuilder c = new StringBuilder();
    c.append("/* generated by UapiGen */\n#include <stdio.h>\n#include <stddef.h>\n");
    c.append("#include \"").append(header).append("\"\n\nint main(void)\n{\n\tint i;\n\n");
    for (String n : numeric) {
      c.append("\tprintf(\"const %s %lld\\n\", \"")
          .append(n)
          .append("\", (long long)(")
          .append(n)
          .append("));\n");
    }
    for (String n : strings) {
      c.append("\tprintf(\"string %s %s\\n\", \"").append(n).append("\", ").append(n);
      c.append(");\n");
    }
    for (Struct s : structs) {
      String t = "struct " + s.name();
      c.append("\tprintf(\"size %s %zu\\n\", \"")
          .append(s.name())
          .append("\", sizeof(")
          .append(t)
          .append("));\n");
      for (Member m : s.members()) {
        String key = s.name() + "." + m.name();
        String of = "offsetof(" + t + ", " + m.name() + ")";
        String ref = "((" + t + " *)0)->" + m.name();
        String size = m.flexible() ? "(size_t)0" : "sizeof(" + ref + ")";
        String element = m.array() ? "sizeof(" + ref + "[0])" : size;
        c.append("\tprintf(\"member %s %zu %zu %zu\\n\", \"")
            .append(key)
            .append("\", ")
            .append(of)
            .append(", ")
            .append(size)
            .append(", ")
            .append(element)
            .append(");\n");
      }
    }
    for (FunctionMacro f : functions) {
      c.append("\tfor (i = 0; i < ")
          .append(f.bound())
          .append("; i++)\n\t\tprintf(\"function %s %lld\\n\", \"")
          .append(f.name())
          .append("\", (long long)(")
          .append(f.name())
          .append("(i)));\n");
    }
    c.append("\treturn 0;\n}\n");
    return c.toString();
  }

  /** What the probe printed, one {@code kind name value...} line each. */
  static Probe parse(String output) {

    Map<String, Long> constants = new LinkedHashMap<>();
    Map<String, String> strs = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    Map<String, Placed> members = new LinkedHashMap<>();
    Map<String, List<Long>> fns = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      String[] w = line.split(" ", 3);
      switch (w[0]) {
        case "const" -> constants.put(w[1], Long.parseLong(w[2]));
        case "string" -> strs.put(w[1], w[2]);
        case "size" -> sizes.put(w[1], Long.parseLong(w[2]));
        case "member" -> {
          String[] v = w[2].split(" ");
          members.put(
              w[1], new Placed(Long.parseLong(v[0]), Long.parseLong(v[1]), Long.parseLong(v[2])));
        }
        case "function" ->
            fns.computeIfAbsent(w[1], _ -> new ArrayList<>()).add(Long.parseLong(w[2]));
        default -> throw new IllegalStateException("probe printed '" + line + "'");
      }
    }
    return new Probe(constants, strs, sizes, members, fns);
  }

  static String javaName(String cName) {
    return cName.substring("FTG_".length());
  }

  static String camel(String cName) {
    StringBuilder sb = new StringBuilder();
    for (String part : javaName(cName).toLowerCase(java.util.Locale.ROOT).split("_")) {
      sb.append(sb.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return sb.toString();
  }

  static String layoutName(String struct) {
    return struct.substring("ftg_".length()).toUpperCase(java.util.Locale.ROOT);
  }

  static String carrier(long size) {
    return switch ((int) size) {
      case 1 -> "JAVA_BYTE";
      case 2 -> "JAVA_SHORT";
      case 4 -> "JAVA_INT";
      case 8 -> "JAVA_LONG";
      default -> throw new IllegalStateException("no Java carrier for a scalar of " + size);
    };
  }

  static String javaSource(
      Path header,
      List<String> numeric,
      Probe p,
      SequencedMap<String, List<String>> enums,
      List<Struct> structs,
      List<FunctionMacro> functions) {
    StringBuilder j = new StringBuilder();
    j.append("package dev.ftguard.abi;\n\n");
    for (String imp :
        List.of(
            "static java.lang.foreign.MemoryLayout.paddingLayout",
            "static java.lang.foreign.MemoryLayout.sequenceLayout",
            "static java.lang.foreign.MemoryLayout.structLayout",
            "static java.lang.foreign.ValueLayout.JAVA_BYTE",
            "static java.lang.foreign.ValueLayout.JAVA_INT",
            "static java.lang.foreign.ValueLayout.JAVA_LONG",
            "static java.lang.foreign.ValueLayout.JAVA_SHORT",
            "java.lang.foreign.GroupLayout",
            "java.util.LinkedHashMap",
            "java.util.List",
            "java.util.Map",
            "java.util.SequencedMap",
            "java.util.function.IntUnaryOperator")) {
      j.append("import ").append(imp).append(";\n");
    }
    j.append(
        """

        /**
         * Generated by abi/src/build/UapiGen.java from kmod/include/uapi/ftguard.h as gcc compiles it:
         * every constant (named as in C without {@code FTG_}), every struct as a {@link GroupLayout}
         * (named after its tag without {@code ftg_}, members named as in C), every function-like
         * macro as a method over its domain. Do not edit; {@link Abi} is the hand-written side.
         */
        @SuppressWarnings("all")
        public class Uapi {
          Uapi() {}

        """);
    constants(j, numeric, p);
    for (Struct s : structs) {
      structLayout(j, s, p);
    }
    maps(j, numeric, p, enums, structs);
    functions(j, functions, p);
    j.append(
        "  /** Function-like macros of the header with one {@code int} argument, by C name. */\n");
    j.append(
        "  public static final Map<String, IntUnaryOperator> FUNCTION_MACROS = Map.ofEntries(");
    j.append(
        String.join(
            ", ",
            functions.stream()
                .map(
                    f ->
                        "Map.<String, IntUnaryOperator>entry(\""
                            + f.name()
                            + "\", Uapi::"
                            + camel(f.name())
                            + ")")
                .toList()));
    j.append(");\n}\n");
    return j.toString();
  }

  /** The constants, numeric then strings, as {@code public static final} fields. */
  static void constants(StringBuilder j, List<String> numeric, Probe p) {
    for (String n : numeric) {
      long v = p.constants().get(n);
      boolean isInt = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      j.append("  /** {@code ").append(n).append("}. */\n");
      j.append("  public static final ")
          .append(isInt ? "int " : "long ")
          .append(javaName(n))
          .append(" = ")
          .append(v)
          .append(isInt ? "" : "L")
          .append(";\n\n");
    }
    for (var s : p.strings().entrySet()) {
      j.append("  /** {@code ").append(s.getKey()).append("}. */\n");
      j.append("  public static final String ")
          .append(javaName(s.getKey()))
          .append(" = \"")
          .append(s.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
          .append("\";\n\n");
    }
  }

  /** The maps by C name: constants, strings, enums, structs and flexible array offsets. */
  static void maps(
      StringBuilder j,
      List<String> numeric,
      Probe p,
      SequencedMap<String, List<String>> enums,
      List<Struct> structs) {
    j.append("  /** Every numeric constant of the header, keyed by C name, in header order. */\n");
    j.append("  public static final SequencedMap<String, Long> CONSTANTS = constants();\n\n");
    j.append("  private static SequencedMap<String, Long> constants() {\n");
    j.append("    var m = new LinkedHashMap<String, Long>();\n");
    for (String n : numeric) {
      j.append("    m.put(\"")
          .append(n)
          .append("\", ")
          .append(p.constants().get(n))
          .append("L);\n");
    }
    j.append("    return java.util.Collections.unmodifiableSequencedMap(m);\n  }\n\n");
    j.append("  /** String constants of the header, keyed by C name. */\n");
    j.append("  public static final Map<String, String> STRING_CONSTANTS = Map.ofEntries(");
    j.append(
        String.join(
            ", ",
            p.strings().keySet().stream()
                .map(k -> "Map.entry(\"" + k + "\", " + javaName(k) + ")")
                .toList()));
    j.append(");\n\n");
    j.append(
        "  /** The enumerators of every enum of the header, by tag, in declaration order. */\n");
    j.append("  public static final SequencedMap<String, List<String>> ENUMS = enums();\n\n");
    j.append("  private static SequencedMap<String, List<String>> enums() {\n");
    j.append("    var m = new LinkedHashMap<String, List<String>>();\n");
    for (var e : enums.entrySet()) {
      j.append("    m.put(\"").append(e.getKey()).append("\", List.of(");
      j.append(String.join(", ", e.getValue().stream().map(s -> "\"" + s + "\"").toList()));
      j.append("));\n");
    }
    j.append("    return java.util.Collections.unmodifiableSequencedMap(m);\n  }\n\n");
    j.append("  /** Every struct of the header, by C struct tag (without {@code struct}). */\n");
    j.append("  public static final SequencedMap<String, GroupLayout> STRUCTS = structs();\n\n");
    j.append("  private static SequencedMap<String, GroupLayout> structs() {\n");
    j.append("    var m = new LinkedHashMap<String, GroupLayout>();\n");
    for (Struct s : structs) {
      j.append("    m.put(\"").append(s.name()).append("\", ").append(layoutName(s.name()));
      j.append(");\n");
    }
    j.append("    return java.util.Collections.unmodifiableSequencedMap(m);\n  }\n\n");
    j.append("  /** Offsets of the flexible array members, by {@code \"struct.member\"}. */\n");
    j.append("  public static final Map<String, Long> FLEXIBLE_ARRAY_OFFSETS = Map.ofEntries(");
    List<String> flex = new ArrayList<>();
    for (Struct s : structs) {
      for (Member m : s.members()) {
        if (m.flexible()) {
          String key = s.name() + "." + m.name();
          flex.add("Map.entry(\"" + key + "\", " + p.members().get(key).offset() + "L)");
        }
      }
    }
    j.append(String.join(", ", flex)).append(");\n\n");
  }

  /** Each function-like macro as a method over a table of its values. */
  static void functions(StringBuilder j, List<FunctionMacro> functions, Probe p) {
    for (FunctionMacro f : functions) {
      List<Long> values = p.functions().get(f.name());
      String table = javaName(f.name()) + "_VALUES";
      j.append("  private static final int[] ").append(table).append(" = {");
      j.append(String.join(", ", values.stream().map(String::valueOf).toList())).append("};\n\n");
      j.append("  /**\n   * {@code ")
          .append(f.name())
          .append("(")
          .append(f.parameter())
          .append(")} for {@code 0 <= ")
          .append(f.parameter())
          .append(" < ")
          .append(f.bound())
          .append("}.\n   *\n   * @throws IllegalArgumentException outside that domain\n   */\n");
      j.append("  public static int ")
          .append(camel(f.name()))
          .append("(int ")
          .append(f.parameter())
          .append(") {\n");
      j.append("    if (")
          .append(f.parameter())
          .append(" < 0 || ")
          .append(f.parameter())
          .append(" >= ")
          .append(table)
          .append(".length) {\n");
      j.append("      throw new IllegalArgumentException(\"")
          .append(f.name())
          .append(": ")
          .append(f.parameter())
          .append(" out of range: \" + ")
          .append(f.parameter())
          .append(");\n    }\n");
      j.append("    return ").append(table).append("[").append(f.parameter()).append("];\n  }\n\n");
    }
  }

  static void structLayout(StringBuilder j, Struct s, Probe p) {
    j.append("  /** {@code struct ").append(s.name()).append("}");
    if (s.members().stream().anyMatch(Member::flexible)) {
      j.append(", without its flexible array member (see {@link #FLEXIBLE_ARRAY_OFFSETS})");
    }
    j.append(". */\n");
    j.append("  public static final GroupLayout ").append(layoutName(s.name()));
    j.append(" =\n      structLayout(\n");
    List<String> parts = new ArrayList<>();
    long at = 0;
    for (Member m : s.members()) {
      Placed placed = p.members().get(s.name() + "." + m.name());
      if (m.flexible()) {
        continue;
      }
      if (placed.offset() > at) {
        parts.add("paddingLayout(" + (placed.offset() - at) + ")");
      }
      String element =
          m.type().startsWith("struct ")
              ? layoutName(m.type().substring("struct ".length()).strip())
              : carrier(placed.elementSize());
      String layout =
          m.array()
              ? "sequenceLayout(" + placed.size() / placed.elementSize() + ", " + element + ")"
              : element;
      parts.add(layout + ".withName(\"" + m.name() + "\")");
      at = placed.offset() + placed.size();
    }
    long size = p.sizes().get(s.name());
    if (size > at) {
      parts.add("paddingLayout(" + (size - at) + ")");
    }
    j.append("              ").append(String.join(",\n              ", parts));
    j.append(")\n          .withName(\"").append(s.name()).append("\");\n\n");
  }

  static String gcc(Path work, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("gcc");
    cmd.addAll(List.of(args));
    return run(work, cmd);
  }

  static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "failed (exit " + p.exitValue() + "): " + String.join(" ", cmd));
    }
    return out;
  }
}
