package dev.ftguard.verify;

import java.util.List;

/**
 * One decoded x86-64 instruction.
 *
 * @param address where it starts (the offset in its section: objects are decoded at their section
 *     offsets)
 * @param size its length in bytes
 * @param id Capstone's instruction id ({@code x86_insn}: its numbers differ between Capstone's
 *     majors, 0 for an instruction only the length decoder read)
 * @param jmp which unconditional jump it is, whatever Capstone's major numbers it
 * @param name Capstone's canonical name, without prefixes or size suffix ("jmp", "jae", "call")
 * @param mnemonic the mnemonic as printed, with prefixes (AT&amp;T: "jmpq", "notrack jmpq")
 * @param operandText the operands as printed (AT&amp;T)
 * @param groups bit set of Capstone groups ({@code 1 << CS_GRP_*})
 * @param operands the operands; read for control transfers only, empty for other instructions
 * @param encoding where displacement and immediate sit in the bytes (control transfers only)
 */
public record Instruction(
    long address,
    int size,
    int id,
    Jmp jmp,
    String name,
    String mnemonic,
    String operandText,
    int groups,
    List<Operand> operands,
    Encoding encoding) {

  /** Capstone's unconditional jumps, by name rather than by a major's {@code x86_insn} id. */
  public enum Jmp {
    /** Any other instruction. */
    NONE,
    /** {@code X86_INS_JMP}: near, direct or indirect. */
    JMP,
    /** {@code X86_INS_LJMP}: far. */
    LJMP
  }

  /** Offsets and sizes inside the instruction, 0 when absent ({@code cs_x86_encoding}). */
  public record Encoding(int dispOffset, int dispSize, int immOffset, int immSize) {
    static final Encoding NONE = new Encoding(0, 0, 0, 0);
  }

  public long end() {
    return address + size;
  }

  private boolean in(int group) {
    return (groups & (1 << group)) != 0;
  }

  /** A jump: unconditional, conditional, {@code jrcxz}, {@code loop}, far. */
  public boolean isJump() {
    return in(Capstone.CS_GRP_JUMP);
  }

  /** The unconditional jumps ({@code jmp}, {@code ljmp}): every other jump may fall through. */
  public boolean isUnconditionalJump() {
    return jmp != Jmp.NONE;
  }

  /** The far jump ({@code ljmp}). */
  public boolean isFarJump() {
    return jmp == Jmp.LJMP;
  }

  public boolean isCall() {
    return in(Capstone.CS_GRP_CALL);
  }

  /** {@code ret}, {@code retf}, {@code iret}: returns to the caller. */
  public boolean isReturn() {
    return in(Capstone.CS_GRP_RET) || in(Capstone.CS_GRP_IRET);
  }

  /** Any instruction that transfers control: a jump, a call or a return. */
  public boolean isTransfer() {
    return isJump() || isCall() || isReturn();
  }

  /** The instruction as objdump prints it (AT&amp;T). */
  public String text() {
    return operandText.isEmpty() ? mnemonic : mnemonic + " " + operandText;
  }
}
