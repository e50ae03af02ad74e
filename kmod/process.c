// SPDX-License-Identifier: GPL-2.0
/*
 * The process family: the fork and exit events (probes: they only record)
 * and the decisions on ptrace attaching (rule kind ptrace) and on
 * privileges gained outside an exec (rule kind privilege).  Its hooks are
 * added in two groups, the events first and the decisions last of all the
 * built-in hooks (common.h), the order in which they have always attached
 * and been numbered.
 */
#include "common.h"

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "decide.h"
#include "events.h"
#include "hook.h"
#include "policy.h"

/* ---- process creation: wake_up_new_task(struct task_struct *p) -------- */

/*
 * A probe, not a wrapper: kernel_clone() waits inside for a vfork child,
 * so a wrapper there could run for as long as the child likes and pin the
 * module.  wake_up_new_task() is reached by every fork, vfork, clone,
 * clone3 and kernel thread once the child exists, with the child at hand.
 */
static void notrace ftg_new_task_probe(struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)ftg_arg(regs, 0);
	struct ftg_fork_event ev = { };
	struct ftg_stamp stamp;

	ftg_stamp_now(&stamp);
	ftg_fill_header(&ev.hdr, FTG_EV_FORK, sizeof(ev), &stamp);
	ev.child_pid = task_pid_nr(child);
	if (child->tgid == current->tgid)
		ev.clone_flags |= CLONE_THREAD;
	if (child->mm && child->mm == current->mm)
		ev.clone_flags |= CLONE_VM;
	if (child->vfork_done)
		ev.clone_flags |= CLONE_VFORK;
	ftg_emit(&ev.hdr);
}

/* ---- exit: acct_collect(long exitcode, int group_dead) ---------------- */

/*
 * do_exit() calls acct_collect() for every exiting task, after it has
 * worked out whether this is the last thread of the process; hooking it
 * gives the exit code and that answer without a race between threads.
 */
static void notrace ftg_exit_probe(struct pt_regs *regs)
{
	struct ftg_exit_event ev = { };
	struct ftg_stamp stamp;

	ftg_stamp_now(&stamp);
	ftg_fill_header(&ev.hdr, FTG_EV_EXIT, sizeof(ev), &stamp);
	ev.code = (s32)ftg_arg(regs, 0);
	if ((int)ftg_arg(regs, 1))
		ev.flags |= FTG_EXIT_GROUP_DEAD;
	ftg_emit(&ev.hdr);
}

/* ---- ptrace and credentials ----------------------------------------- */

/*
 * security_ptrace_access_check(struct task_struct *child, unsigned int mode),
 * called with task_lock(child) held: child->mm is stable.
 */
static unsigned long notrace ftg_guard_ptrace(struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;

	if (!((unsigned int)ftg_arg(regs, 1) & PTRACE_MODE_ATTACH))
		return 0;
	t = ftg_begin(FTG_KIND_PTRACE, &f);
	if (!t)
		return 0;
	f.target_pid = task_tgid_nr(child);
	if (!(child->flags & PF_KTHREAD))
		f.object_known = ftg_exe_path(child->mm, f.s->object, &f.object, &f.object_len);
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

/* commit_creds(struct cred *new): privileges gained outside an exec. */
static unsigned long notrace ftg_guard_creds(struct pt_regs *regs)
{
	struct cred *new = (struct cred *)ftg_arg(regs, 0);
	const struct cred *old = current_cred();
	const struct ftg_table *t;
	struct ftg_facts f;
	u32 gains = 0;
	unsigned long ip;

	if (current->in_execve)
		return 0;
	if ((uid_eq(new->uid, GLOBAL_ROOT_UID) && !uid_eq(old->uid, GLOBAL_ROOT_UID)) ||
	    (uid_eq(new->euid, GLOBAL_ROOT_UID) && !uid_eq(old->euid, GLOBAL_ROOT_UID)))
		gains |= FTG_GAIN_UID0;
	if (!cap_issubset(new->cap_effective, old->cap_effective) ||
	    !cap_issubset(new->cap_permitted, old->cap_permitted))
		gains |= FTG_GAIN_CAPS;
	if (!gains)
		return 0;
	t = ftg_begin(FTG_KIND_PRIVILEGE, &f);
	if (!t)
		return 0;
	f.mask = gains;
	f.new_uid = from_kuid_munged(&init_user_ns, new->uid);
	f.new_euid = from_kuid_munged(&init_user_ns, new->euid);
	ftg_binary(&f);
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	ip = ftg_end(&f, regs);
	/* commit_creds() consumes the caller's reference: so does a denial. */
	if (ip)
		abort_creds(new);
	return ip;
}

/* Their ftrace callbacks, which call them directly (hook.h). */
FTG_DEFINE_PROBE(ftg_new_task_probe)
FTG_DEFINE_PROBE(ftg_exit_probe)
FTG_DEFINE_GUARD(ftg_guard_ptrace)
FTG_DEFINE_GUARD(ftg_guard_creds)

static struct ftg_hook ftg_task_hooks[] = {
	FTG_HOOK_PROBE("wake_up_new_task", ftg_new_task_probe),
	FTG_HOOK_PROBE("acct_collect", ftg_exit_probe),
};

void __init ftg_add_task_hooks(void)
{
	ftg_hooks_add(ftg_task_hooks, ARRAY_SIZE(ftg_task_hooks));
}

static struct ftg_hook ftg_cred_hooks[] = {
	FTG_HOOK_GUARD("security_ptrace_access_check", ftg_guard_ptrace, NULL),
	FTG_HOOK_GUARD("commit_creds", ftg_guard_creds, NULL),
};

void __init ftg_add_cred_hooks(void)
{
	ftg_hooks_add(ftg_cred_hooks, ARRAY_SIZE(ftg_cred_hooks));
}
