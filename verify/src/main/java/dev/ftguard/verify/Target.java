package dev.ftguard.verify;

/** Where a control transfer goes. */
public sealed interface Target {
  /** A return: back to the caller. */
  record Return() implements Target {}

  /** A place in this object: a section and an offset in it. */
  record Local(int section, String sectionName, long offset) implements Target {}

  /** An undefined symbol (resolved when the module is loaded), plus an offset. */
  record External(String symbol, long offset) implements Target {}

  /** Through a register: {@code jmp *%rax}. */
  record Register(String name) implements Target {}

  /**
   * Through a pointer in memory: {@code jmp *ftg_real_x(%rip)}.
   *
   * @param operand the operand as written, with the symbol when a relocation gives it
   * @param pointer where the pointer is read from when known (RIP-relative or relocated), else null
   */
  record Memory(String operand, Target pointer) implements Target {}
}
