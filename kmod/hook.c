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

int ftg_resolve_init(void)
{
	int err = ftg_find_lookup_name();

#ifdef FTG_TEST_ENTRY
	if (!err)
		ftg_test_entries();
#endif
	return err;
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

static int ftg_hook_install(struct ftg_hook *hook)
{
	int err;

	/* A probe or guard added without its callback (hook.h): a module bug. */
	if ((hook->probe || hook->decide) && !hook->callback && !hook->may_recurse) {
		pr_err("%s: no callback for its probe or guard (FTG_HOOK_PROBE/GUARD)\n",
		       hook->name);
		return -EINVAL;
	}
	hook->address = ftg_lookup_name(hook->name);
	if (!hook->address) {
		pr_err("%s: no such symbol in kallsyms\n", hook->name);
		return -ENOENT;
	}
	if (hook->wrap) {
		unsigned long entry;

		err = ftg_wrapper_entry(hook, &entry);
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
				 hook->skip_fentry ? ftg_wrap_skip_thunk : ftg_wrap_thunk;
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
