// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ftguard: root only.  read() returns whole records, poll() says when
 * there are some, ioctl() reports counters and hooks.  Every argument from
 * userspace is checked here.
 *
 * Privilege is checked at open() and again at every read() and ioctl(): a
 * descriptor opened by root may be inherited by, or passed to, a process
 * without CAP_SYS_ADMIN, which must not read the events or the rule table,
 * nor replace the table, through it.  poll() only says whether records wait.
 */
#include "common.h"

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "content.h"
#include "decide.h"
#include "events.h"
#include "hook.h"
#include "policy.h"
#include "tamper.h"

/* The caller's privilege, whoever opened the descriptor. */
static bool ftg_privileged(void)
{
	return capable(CAP_SYS_ADMIN);
}

static int ftg_open(struct inode *inode, struct file *file)
{
	if (!ftg_privileged())
		return -EPERM;
	return nonseekable_open(inode, file);
}

static ssize_t ftg_read(struct file *file, char __user *buf, size_t len, loff_t *off)
{
	if (!ftg_privileged())
		return -EPERM;
	return ftg_events_read(buf, len, file->f_flags & O_NONBLOCK);
}

static __poll_t ftg_poll(struct file *file, poll_table *wait)
{
	return ftg_events_poll(file, wait);
}

static long ftg_ioctl_stats(void __user *arg)
{
	struct ftg_stats stats = { };
	size_t i;

	stats.abi_version = FTG_ABI_VERSION;
	stats.nr_hooks = ftg_hooks_count();
	for (i = 0; i < stats.nr_hooks; i++)
		stats.hooks_attached += ftg_hook_at(i)->attached;
	stats.inflight = ftg_wrappers_inflight();
	ftg_events_stats(&stats);
	ftg_guard_stats(&stats);
	ftg_content_stats(&stats);
	ftg_calls_stats(&stats);
	ftg_tamper_stats(&stats);
	return copy_to_user(arg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

static long ftg_ioctl_hook_info(void __user *arg)
{
	struct ftg_hook_info info;
	const struct ftg_hook *hook;
	u32 index;

	if (get_user(index, (u32 __user *)arg))
		return -EFAULT;
	hook = ftg_hook_at(index);
	if (!hook)
		return -ENOENT;

	memset(&info, 0, sizeof(info));
	info.index = index;
	if (hook->attached)
		info.flags |= FTG_HOOK_ATTACHED;
	if (hook->wrap || hook->decide)
		info.flags |= FTG_HOOK_IPMODIFY;
	if (hook->wrap && hook->skip_fentry)
		info.flags |= FTG_HOOK_SKIP_FENTRY;
	/* Kernel addresses only for those allowed to see them. */
	if (capable(CAP_SYSLOG))
		info.address = hook->address;
	info.hits = ftg_hook_hits(hook);
	strscpy(info.name, hook->name, sizeof(info.name));
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ftg_ioctl_call_hook_info(void __user *arg)
{
	struct ftg_call_hook_info info;
	u32 index;
	long err;

	if (get_user(index, (u32 __user *)arg))
		return -EFAULT;
	memset(&info, 0, sizeof(info));
	info.index = index;
	err = ftg_calls_hook_info(&info, capable(CAP_SYSLOG));
	if (err)
		return err;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* The struct goes back to the caller even on -EINVAL: it says why. */
static long ftg_ioctl_set_table(void __user *arg)
{
	struct ftg_table_arg ta;
	long err;

	if (copy_from_user(&ta, arg, sizeof(ta)))
		return -EFAULT;
	ta.generation = 0;
	ta.needed = 0;
	err = ftg_table_set(u64_to_user_ptr(ta.data), ta.size, &ta.generation,
			    &ta.error, &ta.error_offset);
	if (err && err != -EINVAL && err != -ENOMEM)
		return err;
	if (copy_to_user(arg, &ta, sizeof(ta)))
		return -EFAULT;
	return err;
}

static long ftg_ioctl_get_table(void __user *arg)
{
	struct ftg_table_arg ta;
	long err;

	if (copy_from_user(&ta, arg, sizeof(ta)))
		return -EFAULT;
	ta.error = 0;
	ta.error_offset = 0;
	err = ftg_table_get(u64_to_user_ptr(ta.data), ta.size, &ta.needed, &ta.generation);
	if (err && err != -ENOSPC)
		return err;
	if (copy_to_user(arg, &ta, sizeof(ta)))
		return -EFAULT;
	return err;
}

static long ftg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (!ftg_privileged())
		return -EPERM;
	switch (cmd) {
	case FTG_IOC_STATS:
		return ftg_ioctl_stats(uarg);
	case FTG_IOC_HOOK_INFO:
		return ftg_ioctl_hook_info(uarg);
	case FTG_IOC_SET_TABLE:
		return ftg_ioctl_set_table(uarg);
	case FTG_IOC_GET_TABLE:
		return ftg_ioctl_get_table(uarg);
	case FTG_IOC_CALL_HOOK_INFO:
		return ftg_ioctl_call_hook_info(uarg);
	case FTG_IOC_LOCK:
		ftg_table_lock_down("FTG_IOC_LOCK");
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ftg_fops = {
	.owner = THIS_MODULE,
	.open = ftg_open,
	.read = ftg_read,
	.poll = ftg_poll,
	.unlocked_ioctl = ftg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ftg_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = FTG_DEVICE_NAME,
	.fops = &ftg_fops,
	.mode = 0600,
};

int ftg_device_init(void)
{
	return misc_register(&ftg_miscdev);
}

void ftg_device_exit(void)
{
	misc_deregister(&ftg_miscdev);
}
