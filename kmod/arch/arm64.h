/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 (arch.h): arguments in x0..x7 and the result in x0 (regs->regs[],
 * through regs_get_kernel_argument() and regs_set_return_value()), the
 * resume address in regs->pc.  Builds against Debian's 6.1 (docs/arm64.md);
 * what is left before it can run is listed there.
 *
 * With DYNAMIC_FTRACE_WITH_REGS (5.5 to 6.1 on arm64: from 6.2 it has
 * DYNAMIC_FTRACE_WITH_ARGS instead, which compat.h refuses) ftrace patches
 * two instructions at a function's entry, "mov x9, x30; bl ftrace_caller".
 * Entering past them (call_mode=skip) is not implemented here, and IBT is
 * x86's: BTI, its arm64 counterpart, is not checked.
 */
#ifndef FTG_ARCH_ARM64_H
#define FTG_ARCH_ARM64_H

#include <linux/types.h>
#include <asm/ptrace.h>

#define FTG_ARCH_NAME "arm64"

/* 4.19: __arm64_sys_NAME(const struct pt_regs *), arguments in x0..x5. */
#define FTG_ARCH_SYSCALL(name) "__arm64_sys_" name

#define FTG_ARCH_SYSCALL_ARGS {						\
	offsetof(struct pt_regs, regs[0]), offsetof(struct pt_regs, regs[1]), \
	offsetof(struct pt_regs, regs[2]), offsetof(struct pt_regs, regs[3]), \
	offsetof(struct pt_regs, regs[4]), offsetof(struct pt_regs, regs[5]), \
}

#define FTG_ARCH_FENTRY_SKIP 0

/* No IBT: the ENDBR64 check (entry.c) never applies; BTI is not checked. */
static __always_inline bool ftg_arch_ibt_enforced(void)
{
	return false;
}

#ifdef FTG_TEST_ENTRY
#error "FTG_TEST_ENTRY tests the x86 entry checks (ENDBR64, the fentry site); arm64 has neither"
#endif

#endif /* FTG_ARCH_ARM64_H */
