/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture layer: what the rest of the module needs to know about
 * the machine it hooks, under names that do not depend on it.  Each
 * architecture's header (arch/x86.h, arch/arm64.h) gives:
 *
 *   FTG_ARCH_NAME            for messages
 *   FTG_ARCH_SYSCALL(name)   the symbol of a system call's entry point
 *                            (its prefix: FTG_ARCH_SYSCALL(""))
 *   FTG_ARCH_SYSCALL_ARGS    where a system call's user registers keep its
 *                            six arguments (offsets into struct pt_regs)
 *   FTG_ARCH_FENTRY_SKIP     whether call_mode=skip is implemented; if so,
 *                            FTG_ARCH_FENTRY_SIZE and ftg_arch_fentry_insn()
 *                            describe the fentry site
 *   ftg_arch_ibt_enforced()  whether calls through pointers must land on
 *                            ENDBR64 (x86 IBT; entry.c checks the entries)
 *
 * and the assembly of ftg_deny_return (arch/deny-x86.S, arch/deny-arm64.S,
 * chosen by Kbuild).  What both have in common is here, on the kernel's own
 * helpers, which both architectures have from 5.10 to 7.2.
 */
#ifndef FTG_ARCH_H
#define FTG_ARCH_H

#include <linux/ptrace.h>
#include <linux/stddef.h>

#if defined(CONFIG_X86_64)
#include "arch/x86.h"
#elif defined(CONFIG_ARM64)
#include "arch/arm64.h"
#endif

/*
 * Argument n of the hooked function, from the registers saved at its
 * ftrace site (the first six are in registers on both architectures).
 */
static __always_inline unsigned long ftg_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/*
 * Send the hooked function elsewhere: ftrace resumes at the saved
 * instruction pointer, which the callback rewrites.
 */
static __always_inline void ftg_set_ip(struct pt_regs *regs, unsigned long ip)
{
	instruction_pointer_set(regs, ip);
}

/* The value the hooked function returns, once it does. */
static __always_inline void ftg_set_return(struct pt_regs *regs, unsigned long rc)
{
	regs_set_return_value(regs, rc);
}

/*
 * Deny: the function returns rc without running.  The value goes where the
 * calling convention returns it, and ftrace resumes at ftg_deny_return,
 * which returns to the caller at once (the kernel's own error injection,
 * override_function_with_return(), does the same from a kprobe).
 */
asmlinkage void ftg_deny_return(void);

static __always_inline void ftg_deny(struct pt_regs *regs, unsigned long rc)
{
	ftg_set_return(regs, rc);
	ftg_set_ip(regs, (unsigned long)ftg_deny_return);
}

/*
 * A system call entry point (FTG_ARCH_SYSCALL_PREFIX NAME) takes one
 * argument on both architectures: the user registers saved at entry.
 */
static __always_inline const struct pt_regs *ftg_syscall_regs(struct pt_regs *regs)
{
	return (const struct pt_regs *)ftg_arg(regs, 0);
}

/* Where a system call's user registers keep its argument n (0..5). */
static __always_inline size_t ftg_syscall_arg_offset(unsigned int n)
{
	static const size_t off[] = FTG_ARCH_SYSCALL_ARGS;

	return off[n];
}

/* Argument n (0..5) of a system call, from its user registers. */
static __always_inline unsigned long ftg_syscall_arg(const struct pt_regs *user,
						     unsigned int n)
{
	return *(const unsigned long *)((const u8 *)user + ftg_syscall_arg_offset(n));
}

#endif /* FTG_ARCH_H */
