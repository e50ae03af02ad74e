package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the decoder against {@code objdump -drw}: for every function symbol of a corpus of kernel
 * modules (ftguard itself and a deterministic sample of the modules Debian ships), the branch
 * instructions the verifier sees (section offset, mnemonic, target as relocation symbol + offset or
 * as decoded address) must be exactly those objdump prints. The function symbols themselves must be
 * those {@code objdump -t} lists.
 */
class ObjdumpCorpusTest {
  /** How many of Debian's modules are compared. */
  static final int SAMPLE = 40;

  /** The largest modules are in the sample. */
  static final int LARGEST = 8;

  /**
   * Modules with instructions Capstone 4 cannot decode (AVX-512, movdir64b and enqcmds, rdpkru),
   * which the length decoder measures (Capstone 5 decodes them): in the sample when the kernel
   * ships them.
   */
  static final List<String> MEASURED =
      List.of("lib/raid6/raid6_pq.ko", "drivers/dma/idxd/idxd.ko", "arch/x86/kvm/kvm-amd.ko");

  @TempDir Path tmp;

  /** One branch instruction, as both sides name it. */
  record Branch(String section, long offset, String mnemonic, String target)
      implements Comparable<Branch> {
    @Override
    public int compareTo(Branch o) {
      return Comparator.comparing(Branch::section)
          .thenComparingLong(Branch::offset)
          .thenComparing(Branch::mnemonic)
          .thenComparing(Branch::target)
          .compare(this, o);
    }

    @Override
    public String toString() {
      return section + "+0x" + Long.toHexString(offset) + " " + mnemonic + " " + target;
    }
  }

  /**
   * A deterministic sample: the {@link #MEASURED} modules, the {@link #LARGEST} largest (by size,
   * then path), then the first by sorted path up to {@link #SAMPLE}.
   */
  static List<Path> sample() {
    List<Path> all = Tools.shippedModules();
    List<Path> picked = new ArrayList<>();
    for (String m : MEASURED) {
      all.stream().filter(p -> p.toString().endsWith("/kernel/" + m)).forEach(picked::add);
    }
    all.stream()
        .sorted(
            Comparator.comparingLong((Path p) -> p.toFile().length())
                .reversed()
                .thenComparing(Path::toString))
        .filter(p -> !picked.contains(p))
        .limit(LARGEST)
        .forEach(picked::add);
    all.stream()
        .filter(p -> !picked.contains(p))
        .limit(SAMPLE - picked.size())
        .forEach(picked::add);
    return picked;
  }

  @Test
  void decoderAgreesWithObjdumpOnTheModuleAndDebianModules() throws Exception {
    Path kmod = tmp.resolve("kmod");
    Tools.copySources(Repository.root().resolve("kmod"), kmod);
    List<Path> corpus = new ArrayList<>();
    corpus.add(Tools.buildModule(kmod, Tools.kernelHeaders()));
    List<Path> sample = sample();
    assertThat(sample).as("the sample of Debian's modules").hasSize(SAMPLE);
    for (Path p : sample) {
      corpus.add(Tools.plainModule(p, tmp));
    }
    long functions = 0;
    long branches = 0;
    long[] measured = {0};
    List<String> problems = new ArrayList<>();
    for (Path ko : corpus) {
      ElfObject elf = ElfObject.read(ko);
      checkFunctionSymbols(elf, problems);
      Set<Branch> mine = mine(elf, measured);
      Set<Branch> theirs = objdump(elf);
      functions += elf.functions().size();
      branches += theirs.size();
      Set<Branch> onlyMine = new TreeSet<>(mine);
      onlyMine.removeAll(theirs);
      Set<Branch> onlyTheirs = new TreeSet<>(theirs);
      onlyTheirs.removeAll(mine);
      if (!onlyMine.isEmpty() || !onlyTheirs.isEmpty()) {
        problems.add(
            ko
                + ": only the verifier sees "
                + onlyMine.stream().limit(15).toList()
                + (onlyMine.size() > 15 ? " (" + onlyMine.size() + " in all)" : "")
                + "; only objdump sees "
                + onlyTheirs.stream().limit(15).toList()
                + (onlyTheirs.size() > 15 ? " (" + onlyTheirs.size() + " in all)" : ""));
      }
    }
    assertThat(problems).as("disagreements with objdump").isEmpty();
    assertThat(functions).as("functions compared").isGreaterThan(10_000);
    assertThat(branches).as("branch instructions compared").isGreaterThan(100_000);
    if (Capstone.layout().major() == 4) {
      // Capstone 4 does not know the MEASURED modules' AVX-512, movdir64b, enqcmds, rdpkru
      assertThat(measured[0]).as("instructions only the length decoder read").isGreaterThan(100);
    } else {
      // Capstone 5 decodes them itself: the length decoder is left with a few
      assertThat(measured[0]).as("instructions only the length decoder read").isLessThan(100);
    }
  }

  // ---- the verifier's side ---------------------------------------------------------------

  /** The verifier's branches; counts in {@code measured[0]} what the length decoder read. */
  static Set<Branch> mine(ElfObject elf, long[] measured) throws VerifyException {
    Set<Branch> out = new HashSet<>();
    try (Decoder d = Decoder.open(elf)) {
      for (ElfObject.Symbol fn : elf.functions()) {
        if (!elf.section(fn.sectionIndex()).executable()) {
          continue;
        }
        Decoder.FunctionCode code = d.decode(fn);
        measured[0] += code.instructions().stream().filter(i -> i.id() == 0).count();
        for (Transfer t : code.transfers()) {
          out.add(
              new Branch(t.section().name(), t.sectionOffset(), t.instruction().name(), target(t)));
        }
        if (!code.complete()) {
          out.add(new Branch(code.section().name(), code.undecodedAt(), "(undecoded)", fn.name()));
        }
      }
    }
    return out;
  }

  static String target(Transfer t) {
    ElfObject.Relocation r = t.relocation();
    Instruction i = t.instruction();
    if (t.kind() == Transfer.Kind.RETURN || i.operands().isEmpty()) {
      return "";
    }
    String reloc =
        r == null
            ? null
            : ElfObject.plus(
                r.symbol().name(), r.addend() + (r.pcRelative() ? i.end() - r.offset() : 0));
    return switch (i.operands().getFirst()) {
      case Operand.Immediate imm -> reloc != null ? reloc : "@" + Long.toHexString(imm.value());
      case Operand.Register reg -> "*%" + reg.name();
      case Operand.Memory m ->
          reloc != null
              ? "*[" + reloc + "]"
              : memory(
                  m.segment(), m.disp(), m.base(), m.index(), m.index().isEmpty() ? 0 : m.scale());
    };
  }

  static String memory(String segment, long disp, String base, String index, int scale) {
    return "*mem(" + segment + ":" + disp + ":" + base + ":" + index + ":" + scale + ")";
  }

  // ---- objdump's side --------------------------------------------------------------------

  private static final Pattern SECTION = Pattern.compile("^Disassembly of section (\\S+):$");
  private static final Pattern INSN =
      Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\\s*(?:\\t(.*))?$");
  private static final Pattern RELOC = Pattern.compile("^([0-9a-f]+): (R_X86_64_\\w+)$");
  private static final Pattern PREFIX =
      Pattern.compile(
          "cs|ds|es|ss|fs|gs|notrack|bnd|lock|rep|repz|repnz|repe|repne|data16|data32|addr32|rex(\\.[WRXB]+)?");
  private static final Pattern MEM =
      Pattern.compile("\\*(?:%(\\w+):)?(-?0x[0-9a-f]+)?(?:\\((?:%(\\w+))?(?:,%(\\w+),(\\d))?\\))?");
  private static final Set<String> BRANCHES =
      Set.of(
          "jmp", "ljmp", "call", "lcall", "ret", "lret", "iret", "iretd", "iretq", "ja", "jae",
          "jb", "jbe", "je", "jne", "jg", "jge", "jl", "jle", "jo", "jno", "jp", "jnp", "js", "jns",
          "jrcxz", "jecxz", "jcxz", "loop", "loope", "loopne");

  /** Canonical names: size suffixes dropped; objdump's far return under Capstone's name. */
  static String mnemonic(String m) {
    return switch (m) {
      case "jmpq", "jmpl", "jmpw" -> "jmp";
      case "callq", "calll", "callw" -> "call";
      case "retq", "retl", "retw" -> "ret";
      case "lret", "lretq", "lretl" -> "retf";
      case "ljmpq", "ljmpl" -> "ljmp";
      case "lcallq", "lcalll" -> "lcall";
      default -> m;
    };
  }

  static Set<Branch> objdump(ElfObject elf) {
    // function ranges per section: start -> furthest end
    Map<String, TreeMap<Long, Long>> ranges = new HashMap<>();
    for (ElfObject.Symbol fn : elf.functions()) {
      ElfObject.Section s = elf.section(fn.sectionIndex());
      if (s.executable()) {
        ranges
            .computeIfAbsent(s.name(), k -> new TreeMap<>())
            .merge(fn.value(), fn.value() + fn.size(), Math::max);
      }
    }
    String out =
        Tools.ok(
            elf.file().getParent(),
            List.of("objdump", "-drwz", elf.file().toString()),
            Tools.GCC,
            120);
    Set<Branch> branches = new HashSet<>();
    String section = null;
    for (String line : out.split("\n")) {
      Matcher sm = SECTION.matcher(line);
      if (sm.matches()) {
        section = sm.group(1);
        continue;
      }
      Matcher im = INSN.matcher(line);
      if (!im.matches() || section == null || im.group(3) == null) {
        continue;
      }
      long address = Long.parseLong(im.group(1), 16);
      TreeMap<Long, Long> r = ranges.get(section);
      var f = r == null ? null : r.floorEntry(address);
      if (f == null || address >= f.getValue()) {
        continue; // not in a function
      }
      int size = (im.group(2).length() + 1) / 3;
      String[] parts = im.group(3).split("\t");
      String asm = parts[0].replaceFirst("\\s*#.*$", "").trim();
      String[] tokens = asm.split("\\s+", -1);
      int t = 0;
      while (t < tokens.length - 1 && PREFIX.matcher(tokens[t]).matches()) {
        t++;
      }
      String mnemonic = mnemonic(tokens[t]);
      if (!BRANCHES.contains(mnemonic) && !mnemonic.equals("retf")) {
        continue;
      }
      String operand = t + 1 < tokens.length ? tokens[t + 1] : "";
      String reloc = null;
      for (int p = 1; p + 1 < parts.length; p += 2) {
        Matcher rm = RELOC.matcher(parts[p].trim());
        if (rm.matches() && reloc == null) {
          long at = Long.parseLong(rm.group(1), 16);
          String type = rm.group(2);
          boolean pc = type.contains("PC") || type.contains("PLT");
          Matcher sym = Pattern.compile("^(.*?)([+-]0x[0-9a-f]+)?$").matcher(parts[p + 1].trim());
          sym.matches();
          long addend = sym.group(2) == null ? 0 : Long.decode(sym.group(2).replace("+", ""));
          reloc = ElfObject.plus(sym.group(1), addend + (pc ? address + size - at : 0));
        }
      }
      String target;
      if (mnemonic.startsWith("ret") || mnemonic.startsWith("iret") || operand.isEmpty()) {
        target = "";
      } else if (operand.startsWith("*")) {
        if (reloc != null) {
          target = "*[" + reloc + "]";
        } else if (operand.matches("\\*%\\w+")) {
          target = operand;
        } else {
          Matcher mm = MEM.matcher(operand);
          if (!mm.matches()) {
            target = "?" + operand;
          } else {
            target =
                memory(
                    mm.group(1) == null ? "" : mm.group(1),
                    mm.group(2) == null ? 0 : Long.decode(mm.group(2)),
                    mm.group(3) == null ? "" : mm.group(3),
                    mm.group(4) == null ? "" : mm.group(4),
                    mm.group(5) == null ? 0 : Integer.parseInt(mm.group(5)));
          }
        }
      } else {
        target = reloc != null ? reloc : "@" + operand;
      }
      branches.add(new Branch(section, address, mnemonic, target));
    }
    return branches;
  }

  /** The function symbols the verifier reads are the ones objdump -t lists. */
  static void checkFunctionSymbols(ElfObject elf, List<String> problems) {
    String out =
        Tools.ok(
            elf.file().getParent(),
            List.of("objdump", "-tw", elf.file().toString()),
            Tools.GCC,
            60);
    Pattern fn =
        Pattern.compile("^([0-9a-f]{16}) .{6}F (\\S+)\\s+([0-9a-f]{16}) (?:\\.hidden )?(\\S*)$");
    Set<String> theirs = new TreeSet<>();
    for (String line : out.split("\n")) {
      Matcher m = fn.matcher(line);
      if (m.matches() && Long.parseLong(m.group(3), 16) > 0 && !m.group(2).equals("*UND*")) {
        theirs.add(
            m.group(4)
                + "@"
                + m.group(2)
                + "+"
                + Long.parseLong(m.group(1), 16)
                + "/"
                + Long.parseLong(m.group(3), 16));
      }
    }
    Set<String> mine = new TreeSet<>();
    for (ElfObject.Symbol s : elf.functions()) {
      mine.add(
          s.name() + "@" + elf.section(s.sectionIndex()).name() + "+" + s.value() + "/" + s.size());
    }
    if (!mine.equals(theirs)) {
      Set<String> a = new TreeSet<>(mine);
      a.removeAll(theirs);
      Set<String> b = new TreeSet<>(theirs);
      b.removeAll(mine);
      problems.add(
          elf.file()
              + ": function symbols differ: only the verifier reads "
              + a.stream().limit(10).toList()
              + ", only objdump lists "
              + b.stream().limit(10).toList());
    }
  }
}
