// SPDX-License-Identifier: GPL-2.0
/*
 * Hook engine: find a function by name, attach one ftrace_ops to it with
 * SAVE_REGS | IPMODIFY, and redirect the saved instruction pointer to a
 * wrapper unless the call comes from this module (that is the wrapper
 * calling the original).  Hooks are installed all or none.
 */
#include "common.h"

#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "hook.h"

/*
 * The hooks the families added (ftg_hooks_add()), in attach order.  Written
 * at load before any is installed, read-only until unload: no lock.
 */
static LIST_HEAD(ftg_hook_list);
static size_t ftg_nr_hooks;

static unsigned long (*ftg_lookup_name)(const char *name);
static unsigned long (*ftg_ftrace_location)(unsigned long ip);
static bool ftg_skip_fentry;

#if FTG_KALLSYMS_VIA_KPROBE
static int ftg_find_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("cannot find kallsyms_lookup_name through a kprobe (%d); is CONFIG_KPROBES set?\n",
		       ret);
		return ret;
	}
	ftg_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return ftg_lookup_name ? 0 : -ENOENT;
}
#else
static int ftg_find_lookup_name(void)
{
	ftg_lookup_name = kallsyms_lookup_name;
	return 0;
}
#endif

unsigned long ftg_symbol_address(const char *name)
{
	return ftg_lookup_name(name);
}

/* Wrappers entered minus wrappers left, per CPU (hook.h). */
DEFINE_PER_CPU(long, ftg_inflight);

/* The sum over the CPUs, each read once; see ftg_hooks_quiesce(). */
static long ftg_inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(ftg_inflight, cpu));
	return sum;
}

/*
 * For FTG_IOC_STATS, while hooks run: the CPUs are read one after the
 * other, so a wrapper that moved between two of them may be seen leaving
 * and not entering; such a sum is momentary and below 0 is shown as 0.
 */
unsigned int ftg_wrappers_inflight(void)
{
	long sum = ftg_inflight_sum();

	return sum > 0 ? sum : 0;
}

/*
 * Recursion.  No ops of the engine asks ftrace for recursion protection
 * (FTRACE_OPS_FL_RECURSION): it sends every call through
 * ftrace_ops_assist_func(), about as much again as the bare trampoline.
 * A callback can only recurse if it reaches a function some hook of the
 * module attaches to, and the built-in callbacks do not:
 *
 *  - the probes (fork, exit) stamp, fill and emit a record: the clocks, the
 *    ring buffer (kernel/trace, never traced) and irq_work_queue();
 *  - the guards read their arguments and, in ftg_begin()..ftg_end()
 *    (decide.c), the rule table, paths (d_path(), whose d_dname()s only
 *    format names), the binary (get_file_rcu(), fput(), which in a task
 *    defers the last release to task_work), the ancestors (task_lock()),
 *    rename_lock, the argument area (copy_from_user_nofault()), the
 *    content cache (no file is read: hashing with kernel_read() happens in
 *    the wrappers, exec.c), and emit a record; ftg_end() may send SIGKILL,
 *    commit_creds()'s guard may abort_creds(): none of that calls an LSM
 *    hook, commit_creds(), wake_up_new_task(), acct_collect(),
 *    vfs_utimes(), proc_sys_write() or a system call entry;
 *  - the wrappers are no callbacks: they run after the callback returned,
 *    and their own call of the original is let through (parent_ip).
 *
 * The tamper family's callbacks print (pr_warn_ratelimited()), and
 * printk() may run console drivers: they are added with
 * ftg_hooks_add_may_recurse() and take ftrace_test_recursion_trylock(), as
 * kprobe_ftrace_handler() does (compat.h: before 5.11 ftrace does it).
 * Declared hooks (call_slots.c) may be attached to any function, those the
 * callbacks call included: they keep FTRACE_OPS_FL_RECURSION.
 *
 * Preemption: the assist disabled it around every callback.  Nothing here
 * needs it: this_cpu_inc() is preemption safe, within_module() compares
 * addresses, and the guards' decisions disable preemption and take RCU
 * themselves from ftg_begin() to ftg_end() (their per-CPU scratch; the
 * file family's look before, ftg_file_may_decide(), takes RCU alone); the
 * records are written by ftg_emit(), which the wrappers call preemptibly
 * too (ring_buffer_write() disables preemption itself).  A task preempted
 * in a callback holds up synchronize_rcu_tasks(), so unloading still waits
 * for it (ftg_hooks_quiesce()).
 */

/*
 * A wrapper hook's callback.  With call_mode=guard a wrapper reaches its
 * original through the original's fentry site, so this runs twice per
 * hooked call: once to redirect, once for the wrapper's own call, which
 * parent_ip (inside this module) lets through.  With call_mode=skip the
 * wrapper enters the original just past its fentry site: once per call.
 * A guard's (hook.h) lets the wrapper's call through the same way.
 */
static void notrace ftg_wrap_thunk(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *ops, ftg_fregs_t *fregs)
{
	struct ftg_hook *hook = ftg_hook_of(ops);

	this_cpu_inc(*hook->hits);
	if (!within_module(parent_ip, THIS_MODULE))
		ftg_fregs_set_ip(fregs, (unsigned long)hook->wrap->fn);
}

/*
 * The same with call_mode=skip: the wrapper's own call of the original
 * enters past the fentry site and never comes here, so every pass is a
 * call to redirect and parent_ip need not be looked at.  A call of the
 * function from elsewhere in this module, if there were one, would be
 * decided by the wrapper like any other, never loop: the wrapper calls
 * past the site.
 */
static void notrace ftg_wrap_skip_thunk(unsigned long ip, unsigned long parent_ip,
					struct ftrace_ops *ops, ftg_fregs_t *fregs)
{
	struct ftg_hook *hook = ftg_hook_of(ops);

	this_cpu_inc(*hook->hits);
	ftg_fregs_set_ip(fregs, (unsigned long)hook->wrap->fn);
}

/*
 * The callback of a hook that may recurse (ftg_hooks_add_may_recurse()),
 * whatever its kind: ftrace's recursion lock around what the others do.
 * Such hooks are rare and their functions seldom called: it calls the
 * probe or the guard through the pointer.
 */
static void notrace ftg_locked_thunk(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops, ftg_fregs_t *fregs)
{
	struct ftg_hook *hook = ftg_hook_of(ops);
	struct pt_regs *regs = ftg_get_regs(fregs);
	int bit = ftg_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	this_cpu_inc(*hook->hits);
	if (hook->probe) {
		hook->probe(regs);
	} else if (!within_module(parent_ip, THIS_MODULE)) {
		unsigned long to = hook->decide ? hook->decide(regs) :
			(unsigned long)hook->wrap->fn;

		if (to)
			ftg_set_ip(regs, to);
	}
	ftg_recursion_unlock(bit);
}

/*
 * call_mode=auto takes skip where it can be used: NULL, or why not.  Under
 * IBT the wrapper's indirect call would land past the fentry site, where
 * there is no ENDBR64, and trap: guard calls the function's entry, whose
 * ENDBR is checked at install (ftg_check_ibt()).
 */
const char *ftg_hooks_skip_unavailable(void)
{
	if (!FTG_ARCH_FENTRY_SKIP)
		return "not implemented on " FTG_ARCH_NAME;
	if (ftg_ibt_enforced())
		return "indirect branch tracking is enforced: there is no ENDBR64 past the fentry site (ibt=off allows skip)";
	if (!ftg_ftrace_location)
		ftg_ftrace_location = (void *)ftg_lookup_name("ftrace_location");
	if (!ftg_ftrace_location)
		return "ftrace_location not found in kallsyms";
	return NULL;
}

int ftg_hooks_set_skip_fentry(bool skip)
{
	const char *why = skip ? ftg_hooks_skip_unavailable() : NULL;

	if (why) {
		pr_err("call_mode=skip: %s (use guard)\n", why);
		return -EOPNOTSUPP;
	}
	ftg_skip_fentry = skip;
	return 0;
}

bool ftg_hooks_skip_fentry(void)
{
	return ftg_skip_fentry;
}

/*
 * Where the wrapper calls: the function itself, or (call_mode=skip) the
 * instruction after its fentry site, which must hold what ftrace patches
 * there (on x86_64 a 5-byte call or NOP, arch.h).
 */
static int ftg_original_entry(const struct ftg_hook *hook, unsigned long *entry)
{
#if FTG_ARCH_FENTRY_SKIP
	unsigned long site;
	u8 insn[FTG_ARCH_FENTRY_SIZE];
#endif

	if (!ftg_skip_fentry) {
		*entry = hook->address;
		return 0;
	}
#if FTG_ARCH_FENTRY_SKIP
	site = ftg_ftrace_location(hook->address);
	if (!site || site - hook->address > 16 ||
	    ftg_copy_from_kernel_nofault(insn, (void *)site, sizeof(insn))) {
		pr_err("%s: no fentry site near the function start\n", hook->name);
		return -EINVAL;
	}
	if (!ftg_arch_fentry_insn(insn)) {
		pr_err("%s: %*ph at the fentry site is neither a call nor a NOP\n",
		       hook->name, FTG_ARCH_FENTRY_SIZE, insn);
		return -EINVAL;
	}
	*entry = site + FTG_ARCH_FENTRY_SIZE;
	return 0;
#else
	/* Not reached: ftg_hooks_set_skip_fentry() refuses skip here. */
	return -EOPNOTSUPP;
#endif
}

/*
 * With indirect branch tracking (IBT), a call through a pointer must land on
 * an ENDBR64.  The kernel seals the ENDBR of every function it never calls
 * through a pointer, at boot and at module load (apply_seal_endbr()): it
 * writes a 4-byte NOP over it, and entering such a function through a
 * pointer traps.  The bytes are compared here rather than with is_endbr(),
 * which from 6.2 also accepts the sealing NOP (so a sealed function looked
 * callable) and since 7.2 is not exported.  The byte patterns live in
 * .rodata, never as immediates in text, where they would be branch targets.
 * IBT is x86_64's: elsewhere ftg_arch_ibt_enforced() (arch.h) is false and
 * no entry is ever checked.
 */
static const u8 ftg_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const u8 ftg_endbr_seals[][4] = {
	{ 0x66, 0x0f, 0x1f, 0x00 },	/* osp nopl (%rax): 5.18 to 6.x */
	{ 0x0f, 0x1f, 0x40, 0xd6 },	/* nopl -42(%rax): later kernels */
};

enum ftg_entry ftg_entry_kind(unsigned long entry)
{
	u8 insn[4];
	size_t i;

	if (ftg_copy_from_kernel_nofault(insn, (void *)entry, sizeof(insn)))
		return FTG_ENTRY_UNREADABLE;
	if (!memcmp(insn, ftg_endbr64, sizeof(insn)))
		return FTG_ENTRY_ENDBR;
	for (i = 0; i < ARRAY_SIZE(ftg_endbr_seals); i++)
		if (!memcmp(insn, ftg_endbr_seals[i], sizeof(insn)))
			return FTG_ENTRY_SEALED;
	return FTG_ENTRY_PLAIN;
}

const char *ftg_entry_name(enum ftg_entry kind)
{
	switch (kind) {
	case FTG_ENTRY_ENDBR:
		return "endbr";
	case FTG_ENTRY_SEALED:
		return "sealed";
	case FTG_ENTRY_PLAIN:
		return "plain";
	case FTG_ENTRY_UNREADABLE:
		break;
	}
	return "unreadable";
}

#ifdef FTG_TEST_IBT
/*
 * Test-only build (make FTG_TEST_IBT=1).  test_ibt=1 makes the module act
 * as on a CPU that enforces IBT where neither the CPU nor the emulator has
 * it; each function named in test_entry is classified at load and logged,
 * so that a test can hold the check against the text a kernel really runs.
 */
static bool test_ibt;
module_param(test_ibt, bool, 0444);
MODULE_PARM_DESC(test_ibt, "Test build: act as if the CPU enforced IBT");

#define FTG_TEST_ENTRIES_MAX 64
static char *test_entry[FTG_TEST_ENTRIES_MAX];
static int test_entry_count;
module_param_array(test_entry, charp, &test_entry_count, 0444);
MODULE_PARM_DESC(test_entry, "Test build: functions whose entry to classify at load");

static void ftg_test_entries(void)
{
	int i;

	for (i = 0; i < test_entry_count; i++) {
		unsigned long addr = ftg_lookup_name(test_entry[i]);

		pr_info("test: entry %s %s callable=%s\n", test_entry[i],
			addr ? ftg_entry_name(ftg_entry_kind(addr)) : "missing",
			ftg_callable_address(test_entry[i]) ? "yes" : "no");
	}
}
#endif

bool ftg_ibt_enforced(void)
{
	if (ftg_arch_ibt_enforced())
		return true;
#ifdef FTG_TEST_IBT
	return test_ibt;
#else
	return false;
#endif
}

int ftg_resolve_init(void)
{
	int err = ftg_find_lookup_name();

#ifdef FTG_TEST_IBT
	if (!err)
		ftg_test_entries();
#endif
	return err;
}

static bool ftg_endbr_intact(unsigned long entry)
{
	if (!ftg_ibt_enforced())
		return true;
	return ftg_entry_kind(entry) == FTG_ENTRY_ENDBR;
}

static int ftg_check_ibt(const struct ftg_hook *hook, unsigned long entry)
{
	if (!ftg_endbr_intact(entry)) {
		pr_err("%s: its ENDBR was sealed: a call through a pointer would trap (ibt=off allows it)\n",
		       hook->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

unsigned long ftg_callable_address(const char *name)
{
	unsigned long addr = ftg_lookup_name(name);

	return addr && ftg_endbr_intact(addr) ? addr : 0;
}

static int ftg_hook_install(struct ftg_hook *hook)
{
	int err;

	hook->address = ftg_lookup_name(hook->name);
	if (!hook->address) {
		pr_err("%s: no such symbol in kallsyms\n", hook->name);
		return -ENOENT;
	}
	if (hook->wrap) {
		unsigned long entry;

		err = ftg_original_entry(hook, &entry);
		if (!err)
			err = ftg_check_ibt(hook, entry);
		if (err)
			return err;
		*hook->wrap->orig = entry;
	}

	hook->hits = alloc_percpu(u64);
	if (!hook->hits)
		return -ENOMEM;

	/*
	 * Each kind its own callback; recursion protected only where a
	 * callback may recurse (above).
	 */
	if (hook->may_recurse) {
		hook->ops.func = ftg_locked_thunk;
		hook->ops.flags = FTG_OPS_FL_OWN_RECURSION;
	} else {
		hook->ops.func = hook->callback ?:
				 ftg_skip_fentry ? ftg_wrap_skip_thunk : ftg_wrap_thunk;
		hook->ops.flags = FTG_OPS_FL_NO_RECURSION;
	}
	/* PERMANENT: the kernel refuses kernel.ftrace_enabled=0 (tamper.c). */
	hook->ops.flags |= FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_PERMANENT;
	if (hook->wrap || hook->decide)
		hook->ops.flags |= FTRACE_OPS_FL_IPMODIFY;

	err = ftrace_set_filter_ip(&hook->ops, hook->address, 0, 0);
	if (err) {
		pr_err("%s: not traceable (ftrace_set_filter_ip: %d)\n",
		       hook->name, err);
		goto free_hits;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		/*
		 * -EBUSY: another IPMODIFY user (livepatch?) owns it, or
		 * kernel.ftrace_enabled is 0 (a PERMANENT ops cannot attach).
		 */
		pr_err("%s: register_ftrace_function: %d%s\n", hook->name, err,
		       err == -EBUSY ?
		       " (modified by another ftrace user, or kernel.ftrace_enabled=0)" : "");
		goto clear_filter;
	}
	hook->attached = true;
	return 0;

clear_filter:
	ftg_ftrace_free_filter(&hook->ops, hook->address);
free_hits:
	free_percpu(hook->hits);
	hook->hits = NULL;
	return err;
}

/* Detach one hook.  Callers wait for ftrace and wrappers afterwards. */
static void ftg_hook_detach(struct ftg_hook *hook)
{
	int err;

	if (!hook->attached)
		return;
	err = unregister_ftrace_function(&hook->ops);
	if (err)
		pr_err("%s: unregister_ftrace_function: %d\n", hook->name, err);
	/* The filter hash belongs to the ops: free it, or it leaks at unload. */
	ftg_ftrace_free_filter(&hook->ops, hook->address);
	hook->attached = false;
}

/*
 * Wait until no task can be in module text reached through a hook: ftrace
 * has finished its callbacks once unregistering returns; a task may still
 * run a wrapper (or be between the redirect and ftg_wrapper_enter, which an
 * RCU-tasks grace period covers, since such a task has not yet switched
 * voluntarily).  The final grace period covers the instructions after
 * ftg_wrapper_exit.
 *
 * Why a sum of per-CPU counts read one CPU after the other cannot be 0
 * while a wrapper still runs: after the first grace period no task enters
 * a wrapper any more (no callback redirects, and every task redirected
 * before has passed ftg_wrapper_enter(), the first thing a wrapper does,
 * or the grace period would not have ended), so from then on the counts
 * only fall, each by one when a wrapper leaves.  Each CPU's count as read
 * is therefore at least its count at the end of the read, and the sum as
 * read at least the true sum then: the number of wrappers still running,
 * which is never below 0.  A sum read as 0 means none was running at its
 * end, and none can start after it.
 */
static void ftg_hooks_quiesce(void)
{
	synchronize_rcu_tasks();
	while (ftg_inflight_sum())
		msleep(20);
	synchronize_rcu_tasks();
}

static void ftg_hooks_free(void)
{
	struct ftg_hook *hook;

	list_for_each_entry(hook, &ftg_hook_list, list) {
		free_percpu(hook->hits);
		hook->hits = NULL;
	}
}

void ftg_hooks_add(struct ftg_hook *hooks, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		list_add_tail(&hooks[i].list, &ftg_hook_list);
	ftg_nr_hooks += count;
}

void ftg_hooks_add_may_recurse(struct ftg_hook *hooks, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		hooks[i].may_recurse = true;
	ftg_hooks_add(hooks, count);
}

size_t ftg_hooks_count(void)
{
	return ftg_nr_hooks;
}

const struct ftg_hook *ftg_hook_at(size_t index)
{
	const struct ftg_hook *hook;

	list_for_each_entry(hook, &ftg_hook_list, list)
		if (!index--)
			return hook;
	return NULL;
}

/* Detach every attached hook in reverse order, wait, free. */
void ftg_hooks_remove(void)
{
	struct ftg_hook *hook;

	list_for_each_entry_reverse(hook, &ftg_hook_list, list)
		ftg_hook_detach(hook);
	ftg_hooks_quiesce();
	ftg_hooks_free();
}

int ftg_hooks_install(void)
{
	struct ftg_hook *hook;
	size_t i = 0;
	int err;

	list_for_each_entry(hook, &ftg_hook_list, list) {
		err = ftg_hook_install(hook);
		if (err) {
			/* Those after it are not attached and hold nothing. */
			pr_err("installing %s failed; removing the %zu hooks already installed\n",
			       hook->name, i);
			ftg_hooks_remove();
			return err;
		}
		pr_debug("%s hooked at %pS\n", hook->name, (void *)hook->address);
		i++;
	}
	return 0;
}

u64 ftg_hook_hits(const struct ftg_hook *hook)
{
	const u64 __percpu *hits = hook->hits;
	u64 sum = 0;
	int cpu;

	if (!hits)
		return 0;
	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(hits, cpu);
	return sum;
}
