package dev.ftguard.verify;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Proves on a built module that no hook wrapper reaches its original function through a tail call.
 *
 * <p>A wrapper calls the original through a function pointer; the ftrace callback lets that call
 * through because its {@code parent_ip} lies inside the module. Compiled as a tail (sibling) call,
 * the wrapper would jump instead: {@code parent_ip} would be the wrapper's caller in the kernel,
 * the callback would redirect the original to the wrapper again, and the CPU would loop forever.
 *
 * <p>The module lists every wrapper in the section {@code .ftg_wrappers}: 16-byte entries {@code
 * struct ftg_wrapper { void *fn; unsigned long *orig; }} filled by {@code R_X86_64_64} relocations.
 * For each wrapper the verifier decodes its whole body ({@code st_size} bytes) and the {@code
 * <name>.cold} parts the compiler split off that it jumps to, and reports every control transfer
 * that leaves them other than a return: a jump to a retpoline thunk, through a register or through
 * memory, a jump or conditional jump to another function. Returns ({@code ret}, {@code jmp
 * __x86_return_thunk}, also conditional), jumps inside the wrapper and its parts, and calls are
 * fine. Bytes the decoder cannot read are a finding too: the proof would be incomplete.
 */
public final class Verifier {
  /** The section that lists the wrappers ({@code FTG_WRAPPERS_SECTION} in kmod/hook.h). */
  public static final String SECTION = ".ftg_wrappers";

  /** {@code sizeof(struct ftg_wrapper)} on x86-64. */
  public static final int ENTRY_SIZE = 16;

  /** A return under return-thunk mitigation ({@code -mfunction-return=thunk-extern}). */
  static final String RETURN_THUNK = "__x86_return_thunk";

  /** Retpoline thunks: {@code __x86_indirect_thunk_<reg>} and the later jump/call variants. */
  private static final Pattern INDIRECT_THUNK =
      Pattern.compile("__x86_indirect_(?:jump_|call_)?thunk_(\\w+)");

  private Verifier() {}

  /**
   * Verifies one module file.
   *
   * @throws VerifyException when the file is missing, not an x86-64 relocatable ELF object, has no
   *     well-formed {@code .ftg_wrappers} section, or neither libcapstone.so.5 nor libcapstone.so.4
   *     loads
   */
  public static Report verify(Path ko) throws VerifyException {
    ElfObject elf = ElfObject.read(ko);
    List<Entry> entries = entries(elf);
    List<Report.Wrapper> wrappers = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    try (Decoder decoder = Decoder.open(elf)) {
      for (Entry e : entries) {
        new WrapperCheck(decoder, e).run(wrappers, findings);
      }
    }
    return new Report(ko, wrappers, findings);
  }

  /**
   * One {@code .ftg_wrappers} entry.
   *
   * @param originalVariable where the wrapper's pointer to the original lives
   * @param original what that variable is initialised to in the object, if anything (test objects;
   *     the module fills it at run time)
   */
  record Entry(
      ElfObject.Symbol function, String originalName, Target originalVariable, Target original) {}

  static List<Entry> entries(ElfObject elf) throws VerifyException {
    Path file = elf.file();
    ElfObject.Section sec =
        elf.section(SECTION)
            .orElseThrow(
                () ->
                    new VerifyException(
                        VerifyException.Kind.NO_WRAPPERS,
                        file
                            + " has no "
                            + SECTION
                            + " section: it is not an ftguard module, or it was built from sources"
                            + " that do not list their wrappers (FTG_DEFINE_WRAPPER in kmod/hook.h)"));
    if (sec.size() % ENTRY_SIZE != 0) {
      throw bad(file, "its size " + sec.size() + " is not a multiple of " + ENTRY_SIZE);
    }
    NavigableMap<Long, ElfObject.Relocation> relocs = elf.relocations(sec);
    List<Entry> out = new ArrayList<>();
    for (long n = 0; n < sec.size() / ENTRY_SIZE; n++) {
      final long i = n;
      ElfObject.Relocation fn = pointer(file, relocs, i, 0, "fn");
      ElfObject.Relocation orig = pointer(file, relocs, i, 8, "orig");
      ElfObject.Symbol s = fn.symbol();
      if (!s.defined()) {
        throw bad(
            file, "entry " + i + " names " + s.name() + ", which is not defined in the module");
      }
      long at = s.value() + fn.addend();
      ElfObject.Symbol function =
          elf.functionAt(s.sectionIndex(), at)
              .orElseThrow(
                  () ->
                      bad(
                          file,
                          "entry "
                              + i
                              + " points to "
                              + ElfObject.plus(elf.section(s.sectionIndex()).name(), at)
                              + ", where no function starts"));
      ElfObject.Symbol o = orig.symbol();
      Target variable;
      String name;
      Target initial = null;
      if (o.defined()) {
        long oat = o.value() + orig.addend();
        variable = new Target.Local(o.sectionIndex(), elf.section(o.sectionIndex()).name(), oat);
        name = elf.describe(o.sectionIndex(), oat);
        ElfObject.Relocation init = elf.relocations(elf.section(o.sectionIndex())).get(oat);
        if (init != null && init.type() == ElfObject.R_X86_64_64) {
          ElfObject.Symbol t = init.symbol();
          initial =
              t.defined()
                  ? new Target.Local(
                      t.sectionIndex(),
                      elf.section(t.sectionIndex()).name(),
                      t.value() + init.addend())
                  : new Target.External(t.name(), init.addend());
        }
      } else {
        variable = new Target.External(o.name(), orig.addend());
        name = ElfObject.plus(o.name(), orig.addend());
      }
      out.add(new Entry(function, name, variable, initial));
    }
    return out;
  }

  private static ElfObject.Relocation pointer(
      Path file,
      NavigableMap<Long, ElfObject.Relocation> relocs,
      long entry,
      int field,
      String name)
      throws VerifyException {
    ElfObject.Relocation r = relocs.get(entry * ENTRY_SIZE + field);
    if (r == null) {
      throw bad(file, "entry " + entry + " has no relocation for its " + name + " pointer");
    }
    if (r.type() != ElfObject.R_X86_64_64) {
      throw bad(
          file,
          "entry "
              + entry
              + "'s "
              + name
              + " pointer has relocation type "
              + r.type()
              + ", not R_X86_64_64");
    }
    return r;
  }

  private static VerifyException bad(Path file, String what) {
    return new VerifyException(
        VerifyException.Kind.BAD_WRAPPERS,
        file + ": " + SECTION + " is not a list of struct ftg_wrapper: " + what);
  }

  /** The check of one wrapper: its body, then each split-off part it jumps to. */
  private static final class WrapperCheck {
    private final Decoder decoder;
    private final ElfObject elf;
    private final Entry entry;
    private final Pattern coldName;
    private final Set<ElfObject.Symbol> parts = new LinkedHashSet<>();
    private final Deque<ElfObject.Symbol> todo = new ArrayDeque<>();
    private final List<Decoder.FunctionCode> decoded = new ArrayList<>();

    WrapperCheck(Decoder decoder, Entry entry) {
      this.decoder = decoder;
      this.elf = decoder.elf();
      this.entry = entry;
      this.coldName =
          Pattern.compile(Pattern.quote(entry.function().name()) + "\\.cold(?:\\.\\d+)?");
    }

    void run(List<Report.Wrapper> wrappers, List<Finding> findings) {
      add(entry.function());
      // first find every part (a jump from a later part may lead back into an earlier one)
      while (!todo.isEmpty()) {
        Decoder.FunctionCode code = decoder.decode(todo.removeFirst());
        decoded.add(code);
        for (Transfer t : code.transfers()) {
          if (t.kind() == Transfer.Kind.JUMP || t.kind() == Transfer.Kind.CONDITIONAL_JUMP) {
            if (t.target() instanceof Target.Local l && !inside(l)) {
              elf.functionContaining(l.section(), l.offset())
                  .filter(f -> coldName.matcher(f.name()).matches())
                  .ifPresent(this::add);
            }
          }
        }
      }
      int instructions = 0;
      for (Decoder.FunctionCode code : decoded) {
        instructions += code.instructions().size();
        for (Transfer t : code.transfers()) {
          Finding f = check(t);
          if (f != null) {
            findings.add(f);
          }
        }
        if (!code.complete()) {
          ElfObject.Symbol fn = code.function();
          findings.add(
              new Finding(
                  entry.function().name(),
                  fn.name(),
                  code.section().name(),
                  code.undecodedAt() - fn.value(),
                  code.undecodedAt(),
                  "(bad)",
                  "",
                  Finding.Reason.UNDECODABLE,
                  (fn.value() + fn.size() - code.undecodedAt())
                      + " of "
                      + fn.size()
                      + " bytes not decoded"));
        }
      }
      List<Report.Part> ps =
          parts.stream()
              .map(
                  p ->
                      new Report.Part(
                          p.name(), elf.section(p.sectionIndex()).name(), p.value(), p.size()))
              .toList();
      wrappers.add(
          new Report.Wrapper(entry.function().name(), entry.originalName(), ps, instructions));
    }

    private void add(ElfObject.Symbol part) {
      if (parts.add(part)) {
        todo.addLast(part);
      }
    }

    private boolean inside(Target.Local l) {
      return parts.stream()
          .anyMatch(
              p ->
                  p.sectionIndex() == l.section()
                      && l.offset() >= p.value()
                      && l.offset() < p.value() + p.size());
    }

    /** Why a jump leaves the wrapper, and what it names. */
    private record Why(Finding.Reason reason, String detail) {
      Why(Finding.Reason reason) {
        this(reason, "");
      }
    }

    /** A finding for this transfer, or null when it stays in the wrapper or returns. */
    private Finding check(Transfer t) {
      Why why =
          switch (t.kind()) {
            case RETURN, CALL -> null;
            case JUMP, CONDITIONAL_JUMP ->
                t.instruction().isFarJump()
                    ? new Why(Finding.Reason.FAR_JUMP)
                    : jump(t.target(), t.kind() == Transfer.Kind.CONDITIONAL_JUMP);
          };
      if (why == null) {
        return null;
      }
      return new Finding(
          entry.function().name(),
          t.function().name(),
          t.section().name(),
          t.functionOffset(),
          t.sectionOffset(),
          decoder.text(t),
          decoder.name(t.target()),
          why.reason(),
          why.detail());
    }

    /** Why a jump to {@code target} leaves the wrapper, or null when it does not. */
    private Why jump(Target target, boolean conditional) {
      Finding.Reason tailCall =
          conditional ? Finding.Reason.CONDITIONAL_TAIL_CALL : Finding.Reason.TAIL_CALL;
      String toOriginal = "the function " + entry.originalName() + " points to";
      return switch (target) {
        case Target.Return r -> new Why(Finding.Reason.FAR_JUMP);
        case Target.Local l -> {
          if (inside(l)) {
            yield null;
          } else if (elf.functionContaining(l.section(), l.offset()).isEmpty()) {
            yield new Why(Finding.Reason.JUMP_OUTSIDE);
          } else if (l.equals(entry.original())) {
            yield new Why(Finding.Reason.TAIL_CALL_TO_ORIGINAL, toOriginal);
          }
          yield new Why(tailCall);
        }
        case Target.External e -> {
          var thunk = INDIRECT_THUNK.matcher(e.symbol());
          if (e.symbol().equals(RETURN_THUNK) && e.offset() == 0) {
            yield null;
          } else if (thunk.matches() && e.offset() == 0) {
            yield new Why(
                conditional
                    ? Finding.Reason.CONDITIONAL_RETPOLINE_TAIL_CALL
                    : Finding.Reason.RETPOLINE_TAIL_CALL,
                "through the pointer in %" + thunk.group(1));
          } else if (e.equals(entry.original())) {
            yield new Why(Finding.Reason.TAIL_CALL_TO_ORIGINAL, toOriginal);
          }
          yield new Why(tailCall);
        }
        case Target.Register r ->
            new Why(Finding.Reason.INDIRECT_JUMP_REGISTER, "through the pointer in %" + r.name());
        case Target.Memory m -> {
          String detail = "";
          if (m.pointer() != null && m.pointer().equals(entry.originalVariable())) {
            detail = "the original, through " + entry.originalName();
          } else if (m.pointer() != null) {
            detail = "through the pointer at " + decoder.name(m.pointer());
          }
          yield new Why(Finding.Reason.INDIRECT_JUMP_MEMORY, detail);
        }
      };
    }
  }
}
