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
 * HEADER OUTPUT_DIR WORK_DIR}); {@link UapiJava} writes the class.
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
    String java = UapiJava.javaSource(ordered, probe, enums, structs, functions);
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
