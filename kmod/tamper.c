// SPDX-License-Identifier: GPL-2.0
/*
 * The tamper family: what root can do to switch the module's hooks off,
 * and the lock.
 *
 * Every ftrace_ops of the module is FTRACE_OPS_FL_PERMANENT (hook.c,
 * call_slots.c), so the kernel refuses `sysctl kernel.ftrace_enabled=0`
 * while the module is loaded; the write is seen here (proc_sys_write) and
 * reported.  delete_module(2) of this module is seen at the system call's
 * entry and reported; once locked, the module holds a reference on itself
 * (the kernel refuses the unload) and refuses every forced delete_module(2)
 * (O_TRUNC, which would ignore that reference: Debian builds its kernels
 * with CONFIG_MODULE_FORCE_UNLOAD).  The force flag is a register, not user
 * memory, so that refusal cannot be raced; the module name is read only to
 * say which module it was.
 *
 * Each attempt is a tamper record, a counter (FTG_IOC_STATS) and a line in
 * the kernel log.
 */
#include "common.h"

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "arch.h"
#include "compat.h"
#include "events.h"
#include "hook.h"
#include "policy.h"
#include "tamper.h"

static atomic64_t ftg_tampers[FTG_TAMPERS];

static const char *const ftg_tamper_names[FTG_TAMPERS] = {
	[FTG_TAMPER_FTRACE_OFF] = "write of 0 to",
	[FTG_TAMPER_UNLOAD] = "delete_module",
	[FTG_TAMPER_TABLE] = "rule table change",
};

/* Record, count and log one attempt.  Any context; never sleeps. */
void notrace ftg_tamper_report(enum ftg_tamper what, int result, const char *target)
{
	struct ftg_tamper_event ev;
	struct ftg_stamp stamp;
	u32 rules, bytes;

	ftg_stamp_now(&stamp);
	memset(&ev, 0, sizeof(ev));
	ev.what = what;
	ev.result = result;
	ev.locked = ftg_table_locked();
	ftg_table_info(&ev.generation, &rules, &bytes);
	if (target)
		strscpy(ev.target, target, sizeof(ev.target));
	ftg_fill_header(&ev.hdr, FTG_EV_TAMPER, sizeof(ev), &stamp);
	ftg_emit(&ev.hdr);
	atomic64_inc(&ftg_tampers[what]);
	pr_warn_ratelimited("%s%s%s by pid %d (%s): %s (%d); %u rules in force%s\n",
			    ftg_tamper_names[what], ev.target[0] ? " " : "", ev.target,
			    task_tgid_nr(current),
			    current->comm, result ? "refused" : "goes ahead", result, rules,
			    ev.locked ? ", locked" : "");
}

void ftg_tamper_stats(struct ftg_stats *stats)
{
	int i;

	for (i = 0; i < FTG_TAMPERS; i++)
		stats->tamper[i] = atomic64_read(&ftg_tampers[i]);
	stats->locked = ftg_table_locked();
}

/* Called once, when the table lock engages: the module stays until reboot. */
void ftg_tamper_locked(const char *by)
{
	__module_get(THIS_MODULE);
	pr_notice("locked by %s (pid %d, %s): no unload and no table change until reboot\n",
		  by, task_tgid_nr(current), current->comm);
}

/* ---- kernel.ftrace_enabled ------------------------------------------ */

static bool notrace ftg_name_is(const struct dentry *d, const char *name)
{
	return d && !strcmp((const char *)d->d_name.name, name);
}

/*
 * proc_sys_write(struct kiocb *, struct iov_iter *): the value is read from
 * a copy of the iterator (the caller's is left as it is) without faulting.
 */
static void notrace ftg_probe_sysctl_write(struct pt_regs *regs)
{
	struct kiocb *iocb = (struct kiocb *)ftg_arg(regs, 0);
	struct iov_iter it = *(struct iov_iter *)ftg_arg(regs, 1);
	struct dentry *d = iocb->ki_filp->f_path.dentry;
	char val[8] = "";
	size_t n;
	long v;

	if (d->d_sb->s_magic != PROC_SUPER_MAGIC || !ftg_name_is(d, "ftrace_enabled") ||
	    !ftg_name_is(d->d_parent, "kernel"))
		return;
	n = min(iov_iter_count(&it), sizeof(val) - 1);
	pagefault_disable();
	n = copy_from_iter(val, n, &it);
	pagefault_enable();
	val[n] = '\0';
	/* What the kernel parses (proc_dointvec); unreadable counts as an attempt. */
	if (n && !kstrtol(strim(val), 10, &v) && v)
		return;
	ftg_tamper_report(FTG_TAMPER_FTRACE_OFF, -EBUSY, "kernel.ftrace_enabled");
}

/* ---- delete_module(2) ----------------------------------------------- */

/* delete_module(const char __user *name, unsigned int flags) */
static unsigned long notrace ftg_guard_delete_module(struct pt_regs *regs)
{
	const struct pt_regs *user = ftg_syscall_regs(regs);
	const char __user *uname = (const char __user *)ftg_syscall_arg(user, 0);
	unsigned int flags = ftg_syscall_arg(user, 1);
	bool locked = ftg_table_locked();
	char name[MODULE_NAME_LEN];
	bool ours;

	/* strncpy_from_user_nofault() is not exported: the same, by hand. */
	pagefault_disable();
	if (strncpy_from_user(name, uname, sizeof(name)) <= 0)
		name[0] = '\0';
	pagefault_enable();
	name[sizeof(name) - 1] = '\0';
	ours = !strcmp(name, THIS_MODULE->name);
	if (locked && flags & O_TRUNC) {
		ftg_tamper_report(FTG_TAMPER_UNLOAD, -EPERM, name);
		ftg_set_return(regs, (unsigned long)-EPERM);
		return (unsigned long)ftg_deny_return;
	}
	/* What the kernel will answer: in use (readers, the lock) unless forced. */
	if (ours)
		ftg_tamper_report(FTG_TAMPER_UNLOAD,
				  !(flags & O_TRUNC) && module_refcount(THIS_MODULE) ?
				  -EWOULDBLOCK : 0, name);
	return 0;
}

static struct ftg_hook ftg_tamper_hooks[] = {
	FTG_HOOK_PROBE_LOCKED("proc_sys_write", ftg_probe_sysctl_write),
	FTG_HOOK_GUARD_LOCKED(FTG_SYSCALL("delete_module"), ftg_guard_delete_module, NULL),
};

/* They print, and printk() may run console drivers: guarded (hook.c). */
void __init ftg_add_tamper_hooks(void)
{
	ftg_hooks_add_may_recurse(ftg_tamper_hooks, ARRAY_SIZE(ftg_tamper_hooks));
}
