package dev.ftguard.verify;

/**
 * A control transfer that leaves a wrapper without returning: the wrapper may reach the original
 * function (or something that does) through a tail call.
 *
 * @param wrapper the wrapper, as listed in {@code .ftg_wrappers}
 * @param function the part that holds the instruction: the wrapper or one of its {@code .cold}
 *     parts
 * @param section that part's section
 * @param functionOffset the instruction's offset in {@code function}
 * @param sectionOffset the instruction's offset in {@code section}
 * @param instruction the instruction, its target named ({@code jmp __x86_indirect_thunk_rax})
 * @param target where it goes ({@code __x86_indirect_thunk_rax}, {@code *%rax}, {@code
 *     *ftg_real_execve(%rip)}, {@code orig_fn})
 * @param reason why it is a finding
 * @param detail a sentence that names what is reached, e.g. "the original, through ftg_real_execve"
 */
public record Finding(
    String wrapper,
    String function,
    String section,
    long functionOffset,
    long sectionOffset,
    String instruction,
    String target,
    Reason reason,
    String detail) {

  /** Why a control transfer is a finding. */
  public enum Reason {
    RETPOLINE_TAIL_CALL("tail call through a pointer (jump to a retpoline thunk)"),
    CONDITIONAL_RETPOLINE_TAIL_CALL(
        "conditional tail call through a pointer (conditional jump to a retpoline thunk)"),
    INDIRECT_JUMP_REGISTER("tail call through a pointer in a register"),
    INDIRECT_JUMP_MEMORY("tail call through a pointer in memory"),
    TAIL_CALL_TO_ORIGINAL("tail call to the original function"),
    TAIL_CALL("tail call: a jump to another function"),
    CONDITIONAL_TAIL_CALL("conditional tail call: a conditional jump to another function"),
    JUMP_OUTSIDE("jump to a place outside every function"),
    FAR_JUMP("far jump"),
    UNDECODABLE("bytes the decoder cannot read: the rest of the body is not proven");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /** {@code ftg_execve+0x6d (.text+0xa0d)}. */
  public String where() {
    return ElfObject.plus(function, functionOffset)
        + " ("
        + ElfObject.plus(section, sectionOffset)
        + ")";
  }

  /** One line: where, the instruction, why. */
  public String describe() {
    return where()
        + ": "
        + instruction
        + ": "
        + reason.description()
        + (detail.isEmpty() ? "" : "; " + detail);
  }
}
