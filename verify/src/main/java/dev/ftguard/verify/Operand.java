package dev.ftguard.verify;

/** An operand of a decoded instruction (Capstone's {@code cs_x86_op}). */
public sealed interface Operand {
  /** A register, by Capstone's name ("rax", "r11"). */
  record Register(String name) implements Operand {}

  /** An immediate; for relative branches, the target address Capstone computed. */
  record Immediate(long value) implements Operand {}

  /**
   * A memory operand {@code segment:disp(base,index,scale)}; absent registers are "". A
   * RIP-relative operand has base "rip".
   */
  record Memory(String segment, String base, String index, int scale, long disp)
      implements Operand {
    public boolean ripRelative() {
      return base.equals("rip");
    }
  }
}
