/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version shims.  Everything that differs between kernel releases
 * lives here, so that the rest of the module reads as for one kernel.
 */
#ifndef FTG_COMPAT_H
#define FTG_COMPAT_H

#include <linux/version.h>

#if !defined(CONFIG_X86_64) && !defined(CONFIG_ARM64)
/*
 * The hooks read arguments and system call registers through arch.h, which
 * knows x86_64 and arm64 (docs/arm64.md); a 32-bit x86 kernel passes
 * arguments otherwise (-mregparm=3) and has no fentry site (docs/check.md).
 */
#error "ftguard builds for x86_64 and arm64 only (kmod/arch.h)"
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

#ifdef __ASSEMBLER__

/*
 * 5.18: asm/ibt.h defines ENDBR, an endbr64 where the kernel is built with
 * indirect branch tracking (commit 156ff4a544ae "x86/ibt: Base IBT bits");
 * without IBT, or before, there is nothing to emit.
 */
#if defined(CONFIG_X86_KERNEL_IBT)
#include <asm/ibt.h>
#define FTG_ENDBR ENDBR
#else
#define FTG_ENDBR
#endif

#else /* !__ASSEMBLER__ */

#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>

#include "arch.h"

/*
 * 4.17: on x86_64 every system call is entered through a stub that takes
 * the saved user registers, __x64_sys_NAME(const struct pt_regs *); arm64
 * has such stubs (__arm64_sys_NAME) from 4.19, before the 5.5 that brought
 * it DYNAMIC_FTRACE_WITH_REGS.  The names are the architecture's (arch.h).
 */
#if KERNEL_VERSION(4, 17, 0) <= LINUX_VERSION_CODE
#define FTG_PTREGS_SYSCALLS 1
#define FTG_SYSCALL(name) FTG_ARCH_SYSCALL(name)
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

/*
 * The instruction pointer set in ftrace_regs by its own setter, as
 * livepatch does, without ftrace_get_regs()'s checks for full registers
 * (every ops of this module has SAVE_REGS).  The setter came with
 * ftrace_regs carrying the arguments (HAVE_DYNAMIC_FTRACE_WITH_ARGS) as
 * ftrace_instruction_pointer_set() (Debian's 6.1) and was renamed
 * ftrace_regs_set_instruction_pointer() (6.12, 7.2); 5.10 has neither.
 * Only where the architecture defines it: the generic one does nothing.
 */
#if defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && defined(ftrace_regs_set_instruction_pointer)
#define ftg_fregs_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#elif defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && defined(ftrace_instruction_pointer_set)
#define ftg_fregs_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#define ftg_fregs_set_ip(fregs, ip) ftg_set_ip(ftg_get_regs(fregs), ip)
#endif

/*
 * A callback that guards itself against recursion, as kprobe_ftrace_handler()
 * does, instead of ftrace doing it for every call (FTRACE_OPS_FL_RECURSION
 * routes each one through ftrace_ops_assist_func()).
 *
 * 5.11: the RECURSION flag's meaning was reversed (commit "ftrace: Reverse
 * what the RECURSION flag means in the ftrace_ops"): without it ftrace adds
 * nothing, and <linux/trace_recursion.h> gives callbacks
 * ftrace_test_recursion_trylock() ("ftrace: Move the recursion testing into
 * global headers"), which from 5.15 also disables preemption ("ftrace:
 * disable preemption when recursion locked").  Before 5.11 ftrace protected
 * every ops that did not say FTRACE_OPS_FL_RECURSION_SAFE, with preemption
 * disabled, and no lock was available to modules.
 *
 *   FTG_OPS_FL_NO_RECURSION   flags of an ops whose callback needs no
 *                             protection: ftrace adds none
 *   FTG_OPS_FL_OWN_RECURSION  flags of an ops whose callback takes
 *                             ftg_recursion_trylock(); before 5.11,
 *                             ftrace's own protection, which the lock then
 *                             does not repeat
 *   ftg_recursion_trylock()   >= 0 with preemption disabled, or < 0: a
 *                             recursion, the callback must return at once
 */
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#include <linux/trace_recursion.h>

#define FTG_OPS_FL_NO_RECURSION 0
#define FTG_OPS_FL_OWN_RECURSION 0

static __always_inline int ftg_recursion_trylock(unsigned long ip, unsigned long parent_ip)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

#if KERNEL_VERSION(5, 15, 0) > LINUX_VERSION_CODE
	if (bit >= 0)
		preempt_disable_notrace();
#endif
	return bit;
}

static __always_inline void ftg_recursion_unlock(int bit)
{
#if KERNEL_VERSION(5, 15, 0) > LINUX_VERSION_CODE
	preempt_enable_notrace();
#endif
	ftrace_test_recursion_unlock(bit);
}
#else
#define FTG_OPS_FL_NO_RECURSION FTRACE_OPS_FL_RECURSION_SAFE
#define FTG_OPS_FL_OWN_RECURSION 0

static __always_inline int ftg_recursion_trylock(unsigned long ip, unsigned long parent_ip)
{
	preempt_disable_notrace();
	return 0;
}

static __always_inline void ftg_recursion_unlock(int bit)
{
	preempt_enable_notrace();
}
#endif

/* 5.8: probe_kernel_read() became copy_from_kernel_nofault(). */
#if KERNEL_VERSION(5, 8, 0) <= LINUX_VERSION_CODE
#define ftg_copy_from_kernel_nofault copy_from_kernel_nofault
#else
#define ftg_copy_from_kernel_nofault probe_kernel_read
#endif

/*
 * 5.11: kmap_local_page() maps a page for the current context only (commit
 * f3ba3c710ac5 "mm/highmem: Provide kmap_local*").  Before it, without
 * highmem (none of the architectures this module builds for has it), every
 * page is mapped already: page_address() is what kmap() would return.
 */
static __always_inline void *ftg_kmap_local(struct page *page)
{
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
	return kmap_local_page(page);
#else
	BUILD_BUG_ON(IS_ENABLED(CONFIG_HIGHMEM));
	return page_address(page);
#endif
}

static __always_inline void ftg_kunmap_local(void *addr)
{
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
	kunmap_local(addr);
#endif
}

/*
 * 6.5: get_user_pages_remote() lost its vmas argument (commit ca5e863233e8
 * "mm/gup: remove vmas parameter from get_user_pages_remote()").
 */
static __always_inline long ftg_get_user_page_remote(struct mm_struct *mm,
						     unsigned long addr,
						     struct page **page)
{
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	return get_user_pages_remote(mm, addr, 1, 0, page, NULL);
#else
	return get_user_pages_remote(mm, addr, 1, 0, page, NULL, NULL);
#endif
}

/*
 * The binary of an mm, with a reference, or NULL.  6.7: get_file_rcu()
 * takes the RCU-protected slot and retries while it changes, since files
 * are SLAB_TYPESAFE_BY_RCU (commit 0ede61d8589c "file: convert to
 * SLAB_TYPESAFE_BY_RCU").  Before, it took the file and only tried to
 * take a reference.
 */
static __always_inline struct file *ftg_mm_exe_file(struct mm_struct *mm)
{
	struct file *exe;

	rcu_read_lock();
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
	exe = get_file_rcu(&mm->exe_file);
#else
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
#endif
	rcu_read_unlock();
	return exe;
}

/*
 * Forget the one address an ops was filtered on, freeing its filter hash.
 * ftrace_free_filter() is exported since 6.2 (commit 8be9fbd5345d "ftrace:
 * Export ftrace_free_filter() to modules", in Debian's 6.1 too).  Before,
 * removing the address does it: ftrace swaps its static empty hash in for
 * the ops' own and frees that.
 */
static inline void ftg_ftrace_free_filter(struct ftrace_ops *ops, unsigned long ip)
{
#if KERNEL_VERSION(6, 1, 0) <= LINUX_VERSION_CODE
	ftrace_free_filter(ops);
#else
	ftrace_set_filter_ip(ops, ip, 1, 0);
#endif
}

/*
 * Idmapped mounts (5.12 and after) put the mount's idmapping first in the
 * inode hooks: security_inode_setxattr() and security_inode_removexattr()
 * from 5.12 (a struct user_namespace *, a struct mnt_idmap * from 6.3),
 * security_inode_setattr() from 6.0 (after 5.10, by 6.1: the supported
 * series on either side).  The dentry is the argument after it.
 */
#if KERNEL_VERSION(5, 12, 0) <= LINUX_VERSION_CODE
#define FTG_XATTR_DENTRY_ARG 1
#else
#define FTG_XATTR_DENTRY_ARG 0
#endif
#if KERNEL_VERSION(6, 0, 0) <= LINUX_VERSION_CODE
#define FTG_SETATTR_DENTRY_ARG 1
#else
#define FTG_SETATTR_DENTRY_ARG 0
#endif

#endif /* __ASSEMBLER__ */

/*
 * 6.7: the inode's timestamps are read through accessors
 * (inode_get_mtime(), inode_get_ctime()), the fields renamed later.
 */
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
#define ftg_inode_mtime(inode) inode_get_mtime(inode)
#define ftg_inode_ctime(inode) inode_get_ctime(inode)
#else
#define ftg_inode_mtime(inode) ((inode)->i_mtime)
#define ftg_inode_ctime(inode) ((inode)->i_ctime)
#endif

/* 5.11: <crypto/sha.h> split, the SHA-256 library now in <crypto/sha2.h>. */
#ifndef __ASSEMBLER__
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#include <crypto/sha2.h>
#else
#include <crypto/sha.h>
#endif
#endif /* __ASSEMBLER__ */
/*
 * 6.17: the SHA-256 library's context became struct sha256_ctx, its
 * sha256_init() out of line (lib/crypto: sha256: new API).
 */
#if KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE
#define ftg_sha256_ctx sha256_ctx
#else
#define ftg_sha256_ctx sha256_state
#endif

#endif /* FTG_COMPAT_H */
