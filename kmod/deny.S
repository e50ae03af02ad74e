/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a denying hook sends the hooked function: at its fentry site the
 * stack still holds the caller's return address and nothing else, so a
 * bare return hands the error the ftrace callback put in %rax straight back
 * to the caller, as if the function had run and failed.
 */
#include <linux/linkage.h>
#include <asm/linkage.h>

	.text
SYM_FUNC_START(ftg_deny_return)
	RET
SYM_FUNC_END(ftg_deny_return)
