/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 (arch.h): arguments in rdi, rsi, rdx, rcx, r8, r9 and the result
 * in rax (regs_get_kernel_argument(), regs_set_return_value()); ftrace
 * enters a function through the 5-byte call at its fentry site; with
 * indirect branch tracking (IBT), calls through pointers land on ENDBR64.
 */
#ifndef FTG_ARCH_X86_H
#define FTG_ARCH_X86_H

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/ftrace.h>
#include <asm/ptrace.h>

#define FTG_ARCH_NAME "x86_64"

/* 4.17: __x64_sys_NAME(const struct pt_regs *) (FTG_SYSCALL, compat.h). */
#define FTG_ARCH_SYSCALL(name) "__x64_sys_" name

/* The system call convention: the fourth argument is in r10, not rcx. */
#define FTG_ARCH_SYSCALL_ARGS {						\
	offsetof(struct pt_regs, di), offsetof(struct pt_regs, si),	\
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, r10),	\
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),	\
}

/*
 * call_mode=skip: the wrapper enters the original just past its fentry
 * site, which holds the 5-byte call ftrace patched in or the NOP it leaves
 * at an unused site: x86_nops[5], nopl 0x0(%rax,%rax,1).  Before 5.13
 * (commit "x86: Remove dynamic NOP selection") that NOP was the CPU's
 * "ideal" one, on AMD and QEMU's default CPUs k8_nops[NOP_ATOMIC5], four
 * operand-size prefixes and a nop (5.10 writes it so).  Either is one
 * instruction of 5 bytes.
 */
#define FTG_ARCH_FENTRY_SKIP 1
#define FTG_ARCH_FENTRY_SIZE MCOUNT_INSN_SIZE

static inline bool ftg_arch_fentry_insn(const u8 *insn)
{
	static const u8 nops5[][MCOUNT_INSN_SIZE] = {
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },	/* P6 and since 5.13 */
		{ 0x66, 0x66, 0x66, 0x66, 0x90 },	/* K8, before 5.13 */
	};
	size_t i;

	if (insn[0] == 0xe8)
		return true;
	for (i = 0; i < ARRAY_SIZE(nops5); i++)
		if (!memcmp(insn, nops5[i], MCOUNT_INSN_SIZE))
			return true;
	return false;
}

/* Whether the CPU enforces IBT: calls through pointers must land on ENDBR64. */
static __always_inline bool ftg_arch_ibt_enforced(void)
{
#if defined(CONFIG_X86_KERNEL_IBT)
	return cpu_feature_enabled(X86_FEATURE_IBT);
#else
	return false;
#endif
}

#endif /* FTG_ARCH_X86_H */
