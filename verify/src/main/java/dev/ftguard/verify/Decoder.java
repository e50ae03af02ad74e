package dev.ftguard.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Decodes the functions of an {@link ElfObject} with Capstone and resolves each control transfer's
 * target through the object's relocations. Not thread-safe; close it to free the Capstone handle.
 */
public final class Decoder implements AutoCloseable {
  private final ElfObject elf;
  private final Capstone capstone;

  private Decoder(ElfObject elf, Capstone capstone) {
    this.elf = elf;
    this.capstone = capstone;
  }

  /** A decoder for this object; needs libcapstone.so.5 or libcapstone.so.4. */
  public static Decoder open(ElfObject elf) throws VerifyException {
    return new Decoder(elf, Capstone.open());
  }

  public ElfObject elf() {
    return elf;
  }

  /**
   * A function's decoded body.
   *
   * @param instructions every instruction decoded from its first byte on
   * @param transfers its jumps, calls and returns, with their targets
   * @param undecodedAt the section offset of the first byte Capstone could not decode, or -1 when
   *     the whole body ({@code st_size} bytes) was decoded
   */
  public record FunctionCode(
      ElfObject.Symbol function,
      ElfObject.Section section,
      List<Instruction> instructions,
      List<Transfer> transfers,
      long undecodedAt) {
    public boolean complete() {
      return undecodedAt < 0;
    }
  }

  /** Decodes the whole body of a function symbol ({@code st_value}, {@code st_size} bytes). */
  public FunctionCode decode(ElfObject.Symbol function) {
    ElfObject.Section section = elf.section(function.sectionIndex());
    byte[] data = elf.data(section);
    long start = function.value();
    long end = Math.min(start + function.size(), data.length);
    if (start < 0 || start > end) {
      return new FunctionCode(function, section, List.of(), List.of(), start);
    }
    byte[] code = Arrays.copyOfRange(data, (int) start, (int) end);
    List<Instruction> insns = capstone.disassemble(code, start);
    long decodedEnd = insns.isEmpty() ? start : insns.getLast().end();
    long undecodedAt = decodedEnd < start + function.size() ? decodedEnd : -1;
    List<Transfer> transfers = new ArrayList<>();
    for (Instruction i : insns) {
      if (i.isTransfer()) {
        transfers.add(transfer(function, section, i));
      }
    }
    return new FunctionCode(
        function, section, List.copyOf(insns), List.copyOf(transfers), undecodedAt);
  }

  private Transfer transfer(
      ElfObject.Symbol function, ElfObject.Section section, Instruction insn) {
    Transfer.Kind kind;
    if (insn.isReturn()) {
      kind = Transfer.Kind.RETURN;
    } else if (insn.isCall()) {
      kind = Transfer.Kind.CALL;
    } else if (insn.isUnconditionalJump()) {
      kind = Transfer.Kind.JUMP;
    } else {
      kind = Transfer.Kind.CONDITIONAL_JUMP;
    }
    ElfObject.Relocation reloc = relocationIn(section, insn);
    Target target;
    if (kind == Transfer.Kind.RETURN || insn.operands().isEmpty()) {
      target = new Target.Return();
    } else {
      target =
          switch (insn.operands().getFirst()) {
            case Operand.Immediate imm ->
                reloc != null
                    ? relocated(reloc, insn)
                    : new Target.Local(section.index(), section.name(), imm.value());
            case Operand.Register reg -> new Target.Register(reg.name());
            case Operand.Memory mem -> memory(section, insn, mem, reloc);
          };
    }
    return new Transfer(function, section, insn, kind, target, reloc);
  }

  /** The relocation that patches the instruction's operand bytes (after its first byte). */
  private ElfObject.Relocation relocationIn(ElfObject.Section section, Instruction insn) {
    Map.Entry<Long, ElfObject.Relocation> e =
        elf.relocations(section).ceilingEntry(insn.address() + 1);
    return e != null && e.getKey() < insn.end() ? e.getValue() : null;
  }

  /** What a relocation makes of the field it patches in {@code insn}. */
  private Target relocated(ElfObject.Relocation r, Instruction insn) {
    long value = r.addend() + (r.pcRelative() ? insn.end() - r.offset() : 0);
    ElfObject.Symbol s = r.symbol();
    if (s.defined()) {
      return new Target.Local(
          s.sectionIndex(), elf.section(s.sectionIndex()).name(), s.value() + value);
    }
    return new Target.External(s.name(), value);
  }

  private Target memory(
      ElfObject.Section section, Instruction insn, Operand.Memory m, ElfObject.Relocation reloc) {
    Target pointer = null;
    String disp;
    if (reloc != null) {
      pointer = relocated(reloc, insn);
      disp = name(pointer);
    } else {
      boolean registers = !m.base().isEmpty() || !m.index().isEmpty();
      disp = m.disp() == 0 && registers && !m.ripRelative() ? "" : ElfObject.hex(m.disp());
      if (m.ripRelative()) {
        pointer = new Target.Local(section.index(), section.name(), insn.end() + m.disp());
      }
    }
    StringBuilder sb = new StringBuilder("*");
    if (!m.segment().isEmpty()) {
      sb.append('%').append(m.segment()).append(':');
    }
    sb.append(disp);
    if (!m.base().isEmpty() || !m.index().isEmpty()) {
      sb.append('(');
      if (!m.base().isEmpty()) {
        sb.append('%').append(m.base());
      }
      if (!m.index().isEmpty()) {
        sb.append(",%").append(m.index()).append(',').append(m.scale());
      }
      sb.append(')');
    }
    return new Target.Memory(sb.toString(), pointer);
  }

  /** A target as objdump would print it: {@code ftg_execve.cold+0x4}, {@code *%rax}. */
  public String name(Target t) {
    return switch (t) {
      case Target.Return r -> "return";
      case Target.Local l -> elf.describe(l.section(), l.offset());
      case Target.External e -> ElfObject.plus(e.symbol(), e.offset());
      case Target.Register r -> "*%" + r.name();
      case Target.Memory m -> m.operand();
    };
  }

  /** The instruction with its target named: {@code jmp __x86_indirect_thunk_rax}. */
  public String text(Transfer t) {
    Instruction i = t.instruction();
    if (t.target() instanceof Target.Return) {
      return i.operandText().isEmpty() ? i.name() : i.name() + " " + i.operandText();
    }
    return i.name() + " " + name(t.target());
  }

  @Override
  public void close() {
    capstone.close();
  }
}
