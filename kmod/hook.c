// SPDX-License-Identifier: GPL-2.0
/*
 * Hook engine: find a function by name, attach one ftrace_ops to it with
 * SAVE_REGS | RECURSION | IPMODIFY, and redirect the saved instruction
 * pointer to a wrapper unless the call comes from this module (that is the
 * wrapper calling the original).  Hooks are installed all or none.
 */
#define pr_fmt(fmt) "ftguard: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "compat.h"
#include "hook.h"

static unsigned long (*ftg_lookup_name)(const char *name);

#if FTG_KALLSYMS_VIA_KPROBE
int ftg_resolve_init(void)
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
int ftg_resolve_init(void)
{
	ftg_lookup_name = kallsyms_lookup_name;
	return 0;
}
#endif

static atomic_t ftg_inflight = ATOMIC_INIT(0);

void ftg_wrapper_enter(void)
{
	atomic_inc(&ftg_inflight);
}

void ftg_wrapper_exit(void)
{
	atomic_dec(&ftg_inflight);
}

unsigned int ftg_wrappers_inflight(void)
{
	return atomic_read(&ftg_inflight);
}

static void notrace ftg_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops,
				     ftg_fregs_t *fregs)
{
	struct ftg_hook *hook = container_of(ops, struct ftg_hook, ops);
	struct pt_regs *regs = ftg_get_regs(fregs);

	this_cpu_inc(*(u64 __percpu *)ops->private);
	if (hook->probe) {
		hook->probe(regs);
		return;
	}
	/* The wrapper calling the original: let it through. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	if (hook->decide) {
		unsigned long ip = hook->decide(regs);

		if (ip)
			regs->ip = ip;
		return;
	}
	regs->ip = (unsigned long)hook->wrapper;
}

static int ftg_hook_install(struct ftg_hook *hook)
{
	u64 __percpu *hits;
	int err;

	hook->address = ftg_lookup_name(hook->name);
	if (!hook->address) {
		pr_err("%s: no such symbol in kallsyms\n", hook->name);
		return -ENOENT;
	}
	if (hook->orig)
		*hook->orig = hook->address;

	hits = alloc_percpu(u64);
	if (!hits)
		return -ENOMEM;

	hook->ops.func = ftg_ftrace_thunk;
	hook->ops.private = (void __force *)hits;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTG_OPS_FL_RECURSION;
	if (hook->wrapper || hook->decide)
		hook->ops.flags |= FTRACE_OPS_FL_IPMODIFY;

	err = ftrace_set_filter_ip(&hook->ops, hook->address, 0, 0);
	if (err) {
		pr_err("%s: not traceable (ftrace_set_filter_ip: %d)\n",
		       hook->name, err);
		goto free_hits;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		/* -EBUSY: another IPMODIFY user (livepatch?) owns it. */
		pr_err("%s: register_ftrace_function: %d%s\n", hook->name, err,
		       err == -EBUSY ? " (already modified by another ftrace user)" : "");
		goto clear_filter;
	}
	hook->attached = true;
	return 0;

clear_filter:
	ftrace_set_filter_ip(&hook->ops, hook->address, 1, 0);
free_hits:
	free_percpu(hits);
	hook->ops.private = NULL;
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
	err = ftrace_set_filter_ip(&hook->ops, hook->address, 1, 0);
	if (err)
		pr_err("%s: removing the ftrace filter: %d\n", hook->name, err);
	hook->attached = false;
}

/*
 * Wait until no task can be in module text reached through a hook: ftrace
 * has finished its callbacks once unregistering returns; a task may still
 * run a wrapper (or be between the redirect and ftg_wrapper_enter, which an
 * RCU-tasks grace period covers, since such a task has not yet switched
 * voluntarily).  The final grace period covers the instructions after
 * ftg_wrapper_exit.
 */
static void ftg_hooks_quiesce(void)
{
	synchronize_rcu_tasks();
	while (atomic_read(&ftg_inflight))
		msleep(20);
	synchronize_rcu_tasks();
}

static void ftg_hooks_free(struct ftg_hook *hooks, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free_percpu((u64 __percpu *)hooks[i].ops.private);
		hooks[i].ops.private = NULL;
	}
}

void ftg_hooks_remove(struct ftg_hook *hooks, size_t count)
{
	size_t i;

	for (i = count; i-- > 0;)
		ftg_hook_detach(&hooks[i]);
	ftg_hooks_quiesce();
	ftg_hooks_free(hooks, count);
}

int ftg_hooks_install(struct ftg_hook *hooks, size_t count)
{
	size_t i;
	int err;

	for (i = 0; i < count; i++) {
		err = ftg_hook_install(&hooks[i]);
		if (err) {
			pr_err("installing %s failed; removing the %zu hooks already installed\n",
			       hooks[i].name, i);
			ftg_hooks_remove(hooks, i);
			return err;
		}
		pr_debug("%s hooked at %pS\n", hooks[i].name, (void *)hooks[i].address);
	}
	return 0;
}

u64 ftg_hook_hits(const struct ftg_hook *hooks, size_t index)
{
	const u64 __percpu *hits = (const u64 __percpu __force *)hooks[index].ops.private;
	u64 sum = 0;
	int cpu;

	if (!hits)
		return 0;
	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(hits, cpu);
	return sum;
}
