package dev.ftguard.verify;

/**
 * One control transfer instruction of a function.
 *
 * @param function the function symbol whose body holds it
 * @param section the function's section
 * @param instruction the decoded instruction
 * @param target where it goes: a relocation that covers its operand bytes decides (symbol + addend
 *     + the distance from the relocated field to the end of the instruction for PC-relative types);
 *     otherwise the decoded operand
 * @param relocation that relocation, or null
 */
public record Transfer(
    ElfObject.Symbol function,
    ElfObject.Section section,
    Instruction instruction,
    Kind kind,
    Target target,
    ElfObject.Relocation relocation) {

  public enum Kind {
    /** {@code jmp}, {@code ljmp}. */
    JUMP,
    /** {@code jcc}, {@code jrcxz}, {@code loop}: may fall through. */
    CONDITIONAL_JUMP,
    CALL,
    RETURN,
  }

  /** The offset of the instruction in its function. */
  public long functionOffset() {
    return instruction.address() - function.value();
  }

  /** The offset of the instruction in its section. */
  public long sectionOffset() {
    return instruction.address();
  }
}
