/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a denying hook sends the hooked function (x86_64; ftg_deny(),
 * arch.h): at its fentry site the stack still holds the caller's return
 * address and nothing else, so a bare return hands the error the ftrace
 * callback put in %rax straight back to the caller, as if the function had
 * run and failed.
 *
 * ftrace reaches it by returning to the rewritten regs->ip, not through a
 * pointer, but its address is taken, so under IBT it starts with ENDBR64
 * like every such function (FTG_ENDBR, compat.h).
 */
#include <linux/linkage.h>
#include <asm/linkage.h>

#include "../compat.h"

	.text
SYM_START(ftg_deny_return, SYM_L_GLOBAL, SYM_A_ALIGN)
	FTG_ENDBR
	RET
SYM_FUNC_END(ftg_deny_return)
