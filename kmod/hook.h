/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook engine: hooks kernel functions by name through ftrace.
 *
 * A wrapper hook (FTG_HOOK_WRAP) redirects the hooked function to a wrapper
 * in this module by rewriting the saved instruction pointer; the wrapper
 * calls the original through *orig.  A probe hook (FTG_HOOK_PROBE) only
 * observes the arguments in the ftrace callback and never redirects.  A
 * guard hook (FTG_HOOK_GUARD) decides in the callback: it may leave the call
 * alone, send it to a wrapper, or to a bare return with an error in %rax.
 */
#ifndef FTG_HOOK_H
#define FTG_HOOK_H

#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "compat.h"

struct pt_regs;

/*
 * A wrapper and the variable through which it calls the original.  Every
 * one lives in the ELF section .ftg_wrappers (FTG_DEFINE_WRAPPER), and hook
 * table entries point to it: `ftguard verify` reads that section to find
 * each wrapper in the built module and proves that none reaches its
 * original through a tail call.
 */
struct ftg_wrapper {
	void *fn;			/* runs instead of the hooked function */
	unsigned long *orig;		/* receives the original's address */
};

#define FTG_WRAPPERS_SECTION ".ftg_wrappers"

#define FTG_DEFINE_WRAPPER(_id, _fn, _orig)				\
	static const struct ftg_wrapper _id				\
	__used __aligned(8) __section(FTG_WRAPPERS_SECTION) = {	\
		.fn = (void *)(_fn), .orig = (unsigned long *)(_orig),	\
	}

typedef void (*ftg_callback_t)(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *ops, ftg_fregs_t *fregs);

struct ftg_hook {
	const char *name;		/* kernel symbol to hook */
	const struct ftg_wrapper *wrap;	/* wrap: runs instead of the function */
	void (*probe)(struct pt_regs *regs);	/* probe: sees the arguments */
	/* guard: decides; returns where the function goes instead, or 0 */
	unsigned long (*decide)(struct pt_regs *regs);
	/*
	 * probe, guard: the ftrace callback FTG_DEFINE_PROBE/GUARD made,
	 * which calls the probe or guard directly (a wrap's is the engine's).
	 */
	ftg_callback_t callback;

	/* Filled in by the engine, at module load and unload only. */
	struct list_head list;		/* in the engine's list, in attach order */
	unsigned long address;
	bool attached;
	bool may_recurse;		/* ftg_hooks_add_may_recurse() */
	bool skip_fentry;		/* wrap: enters its original past fentry */
	u64 __percpu *hits;		/* times the callback ran */
	struct ftrace_ops ops;
};

/*
 * The callbacks.  Each kind has its own, chosen at install: nothing on the
 * hot path asks which kind a hook is.  A probe's or a guard's is made for
 * it by FTG_DEFINE_PROBE(fn) or FTG_DEFINE_GUARD(fn), written after fn, so
 * that fn is called directly, not through a pointer (a retpoline where the
 * kernel has them); FTG_HOOK_PROBE/GUARD(name, fn, ...) take it.  They run
 * without ftrace's recursion protection (hook.c says why).
 */
static __always_inline struct ftg_hook *ftg_hook_of(struct ftrace_ops *ops)
{
	return container_of(ops, struct ftg_hook, ops);
}

static __always_inline void ftg_probe_callback(struct ftrace_ops *ops, ftg_fregs_t *fregs,
					       void (*probe)(struct pt_regs *regs))
{
	this_cpu_inc(*ftg_hook_of(ops)->hits);
	probe(ftg_get_regs(fregs));
}

static __always_inline void ftg_guard_callback(unsigned long parent_ip, struct ftrace_ops *ops,
					       ftg_fregs_t *fregs,
					       unsigned long (*decide)(struct pt_regs *regs))
{
	struct pt_regs *regs = ftg_get_regs(fregs);
	unsigned long ip;

	this_cpu_inc(*ftg_hook_of(ops)->hits);
	/* The wrapper calling the original: let it through. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	ip = decide(regs);
	if (ip)
		ftg_set_ip(regs, ip);
}

#define FTG_DEFINE_PROBE(_probe)						\
	static void notrace _probe##_ftrace(unsigned long ip, unsigned long parent_ip,	\
					    struct ftrace_ops *ops, ftg_fregs_t *fregs)	\
	{									\
		ftg_probe_callback(ops, fregs, _probe);				\
	}

#define FTG_DEFINE_GUARD(_guard)						\
	static void notrace _guard##_ftrace(unsigned long ip, unsigned long parent_ip,	\
					    struct ftrace_ops *ops, ftg_fregs_t *fregs)	\
	{									\
		ftg_guard_callback(parent_ip, ops, fregs, _guard);		\
	}

#define FTG_HOOK_WRAP(_name, _wrap)	\
	{ .name = (_name), .wrap = (_wrap) }
#define FTG_HOOK_PROBE(_name, _probe)	\
	{ .name = (_name), .probe = (_probe), .callback = _probe##_ftrace }
/* A guard may send the call to its wrapper (if any) or to a return. */
#define FTG_HOOK_GUARD(_name, _guard, _wrap)	\
	{ .name = (_name), .decide = (_guard), .wrap = (_wrap), .callback = _guard##_ftrace }
/*
 * For ftg_hooks_add_may_recurse(): no callback of their own, the engine's
 * locked one calls the probe or guard (hook.c).
 */
#define FTG_HOOK_PROBE_LOCKED(_name, _probe)	\
	{ .name = (_name), .probe = (_probe) }
#define FTG_HOOK_GUARD_LOCKED(_name, _guard, _wrap)	\
	{ .name = (_name), .decide = (_guard), .wrap = (_wrap) }

int ftg_resolve_init(void);
/* kallsyms_lookup_name(), found by ftg_resolve_init(); 0 when unknown. */
unsigned long ftg_symbol_address(const char *name);
/* A function to call through a pointer: 0 when unknown or its ENDBR is sealed. */
unsigned long ftg_callable_address(const char *name);

/* What a function starts with, as far as IBT is concerned. */
enum ftg_entry {
	FTG_ENTRY_ENDBR,	/* ENDBR64: may be called through a pointer */
	FTG_ENTRY_SEALED,	/* ENDBR sealed by the kernel: may not */
	FTG_ENTRY_PLAIN,	/* no ENDBR at all (kernel built without IBT) */
	FTG_ENTRY_UNREADABLE,
};

enum ftg_entry ftg_entry_kind(unsigned long entry);
const char *ftg_entry_name(enum ftg_entry kind);
/* Whether calls through pointers must land on ENDBR64 here. */
bool ftg_ibt_enforced(void);
/*
 * call_mode: skip, wrappers enter originals past the fentry site; strict
 * (call_mode=skip), a wrapper whose site is unknown fails the load instead
 * of calling its original's entry (entry.c, ftg_original_entry()).
 */
int ftg_hooks_set_skip_fentry(bool skip, bool strict);
/* call_mode=auto: NULL where skip can be used, or why not. */
const char *ftg_hooks_skip_unavailable(void);
/*
 * entry.c: where @hook's wrapper calls its original, by call_mode; an error
 * (logged) when it may not be wrapped.  Sets hook->skip_fentry.
 */
int ftg_wrapper_entry(struct ftg_hook *hook, unsigned long *entry);
#ifdef FTG_TEST_ENTRY
void ftg_test_entries(void);
#endif
/*
 * A hook family adds its entries at load, before ftg_hooks_install(); they
 * attach in the order they were added, and that order numbers them for
 * FTG_IOC_HOOK_INFO.
 */
void ftg_hooks_add(struct ftg_hook *hooks, size_t count);
/*
 * The same, for hooks whose callbacks may reach a function some hook
 * attaches to (or code the module does not control, such as printk's
 * consoles): each of their callbacks takes ftrace's recursion lock.  Every
 * other callback runs without it (hook.c says why that is safe).
 */
void ftg_hooks_add_may_recurse(struct ftg_hook *hooks, size_t count);
size_t ftg_hooks_count(void);
/* The index-th hook added, or NULL. */
const struct ftg_hook *ftg_hook_at(size_t index);
/* Every hook added, all or none. */
int ftg_hooks_install(void);
void ftg_hooks_remove(void);
u64 ftg_hook_hits(const struct ftg_hook *hook);

/*
 * Wrappers bracket their body with these so that unloading can wait until
 * no task is running module code any more.  The count is per CPU (a
 * wrapper that sleeps may leave on another CPU than it entered on: only
 * the sum means anything), so that no cache line is written by every CPU
 * on every wrapped call; hook.c sums it.
 */
DECLARE_PER_CPU(long, ftg_inflight);

static __always_inline void ftg_wrapper_enter(void)
{
	this_cpu_inc(ftg_inflight);
}

static __always_inline void ftg_wrapper_exit(void)
{
	this_cpu_dec(ftg_inflight);
}

unsigned int ftg_wrappers_inflight(void);

#endif /* FTG_HOOK_H */
