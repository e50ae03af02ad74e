/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a denying hook sends the hooked function (arm64; ftg_deny(),
 * arch.h): the callback has put the error in regs->regs[0] and this
 * function's address in regs->pc.
 *
 * Does a bare ret return to the hooked function's caller?  On 6.1 with
 * DYNAMIC_FTRACE_WITH_REGS, yes.  The patched entry is "mov x9, x30;
 * bl ftrace_regs_caller", before the function's prologue (so before any
 * paciasp or frame).  ftrace_regs_caller saves x9 (the function's own
 * return address) as regs->regs[30] and x30 (the address after the bl) as
 * regs->pc; after the callbacks ftrace_common restores x0-x8 from pt_regs
 * (x0: the error), x29 and x30 from regs->regs[29] and regs->regs[30], the
 * caller's stack pointer, loads regs->pc into x9 and branches there with
 * "ret x9".  So this code runs with sp, x29 and x30 as at the hooked
 * function's first instruction, and "ret" (to x30) returns to its caller
 * with the error in x0, as override_function_with_return() does from a
 * kprobe.  ftrace_common leaves x30 alone when only regs->pc changes: it
 * is regs->regs[30] that would have to be changed to return elsewhere.
 * "ret x9" is not an indirect branch BTI checks, so no landing pad is
 * needed (SYM_FUNC_START puts a "bti c" first, a NOP without BTI).
 *
 * From 6.2 arm64 has DYNAMIC_FTRACE_WITH_ARGS instead (struct ftrace_regs,
 * no pt_regs), which this module does not build for yet (docs/arm64.md).
 */
#include <linux/linkage.h>

	.text
SYM_FUNC_START(ftg_deny_return)
	ret
SYM_FUNC_END(ftg_deny_return)
