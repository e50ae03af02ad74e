/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version shims.  Everything that differs between kernel releases
 * lives here, so that the rest of the module reads as for one kernel.
 */
#ifndef FTG_COMPAT_H
#define FTG_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>

#if !defined(CONFIG_X86_64)
/*
 * The hooks read arguments by the x86_64 calling convention and hook the
 * __x64_sys_* entry points; a 32-bit kernel passes arguments otherwise
 * (-mregparm=3) and has neither (docs/check.md).
 */
#error "ftguard needs x86_64: its hooks read arguments the x86_64 way"
#endif

#if KERNEL_VERSION(3, 19, 0) > LINUX_VERSION_CODE
#error "ftguard needs FTRACE_OPS_FL_IPMODIFY, added in Linux 3.19"
#endif

#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#error "ftguard needs CONFIG_DYNAMIC_FTRACE_WITH_REGS to rewrite the saved instruction pointer"
#endif

#if !defined(CONFIG_KALLSYMS)
#error "ftguard needs CONFIG_KALLSYMS to find hook targets by name"
#endif

/*
 * 4.17: on x86_64 every system call is entered through a stub that takes
 * the saved user registers, __x64_sys_NAME(const struct pt_regs *).
 */
#if KERNEL_VERSION(4, 17, 0) <= LINUX_VERSION_CODE
#define FTG_PTREGS_SYSCALLS 1
#define FTG_SYSCALL(name) "__x64_sys_" name
#else
#define FTG_PTREGS_SYSCALLS 0
#define FTG_SYSCALL(name) "sys_" name
#endif

/*
 * 5.7: kallsyms_lookup_name() is no longer exported; its address is taken
 * from a temporary kprobe instead (see hook.c).
 */
#if KERNEL_VERSION(5, 7, 0) <= LINUX_VERSION_CODE
#define FTG_KALLSYMS_VIA_KPROBE 1
#else
#define FTG_KALLSYMS_VIA_KPROBE 0
#endif

/*
 * 5.11: callbacks receive struct ftrace_regs, and FTRACE_OPS_FL_RECURSION
 * asks ftrace for recursion protection.  Before, protection was the default
 * and FTRACE_OPS_FL_RECURSION_SAFE turned it off, so asking for it is 0.
 */
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#define ftg_fregs_t struct ftrace_regs
#define FTG_OPS_FL_RECURSION FTRACE_OPS_FL_RECURSION

static __always_inline struct pt_regs *ftg_get_regs(ftg_fregs_t *fregs)
{
	return ftrace_get_regs(fregs);
}
#else
#define ftg_fregs_t struct pt_regs
#define FTG_OPS_FL_RECURSION 0

static __always_inline struct pt_regs *ftg_get_regs(ftg_fregs_t *regs)
{
	return regs;
}
#endif

/* 5.8: probe_kernel_read() became copy_from_kernel_nofault(). */
#if KERNEL_VERSION(5, 8, 0) <= LINUX_VERSION_CODE
#define ftg_copy_from_kernel_nofault copy_from_kernel_nofault
#else
#define ftg_copy_from_kernel_nofault probe_kernel_read
#endif

#endif /* FTG_COMPAT_H */
