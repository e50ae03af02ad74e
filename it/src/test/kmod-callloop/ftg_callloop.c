// SPDX-License-Identifier: GPL-2.0
/*
 * Prices one call of a kernel function from inside the kernel, without the
 * system call around it: writing a name to the parameter "target" picks the
 * function (a system call stub taking the saved user registers, by default
 * __x64_sys_getppid); writing N to "run" calls it N times through a pointer
 * and keeps the time taken; reading "result" gives "<calls> <ns>".  With a
 * hook on the function (ftguard's benchmark build, the comparison module
 * kmod-compare), every call goes through it.
 */
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

#define FTG_LOOP_MAX	100000000UL
#define FTG_NAME_MAX	64

static unsigned long (*ftg_lookup_name)(const char *name);
static long (*ftg_target)(const struct pt_regs *regs);
static char ftg_target_name[FTG_NAME_MAX] = "__x64_sys_getppid";
static DEFINE_MUTEX(ftg_loop_lock);
static unsigned long ftg_calls;
static u64 ftg_ns;

static int ftg_run_set(const char *val, const struct kernel_param *kp)
{
	struct pt_regs regs = { };
	unsigned long n, i;
	u64 t0, t1;
	int err;

	err = kstrtoul(val, 0, &n);
	if (err)
		return err;
	if (!n || n > FTG_LOOP_MAX)
		return -ERANGE;
	mutex_lock(&ftg_loop_lock);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ftg_target(&regs);
		if ((i & 1023) == 1023)
			cond_resched();
	}
	t1 = ktime_get_ns();
	ftg_calls = n;
	ftg_ns = t1 - t0;
	mutex_unlock(&ftg_loop_lock);
	return 0;
}

static int ftg_result_get(char *buf, const struct kernel_param *kp)
{
	int len;

	mutex_lock(&ftg_loop_lock);
	len = sysfs_emit(buf, "%lu %llu\n", ftg_calls, ftg_ns);
	mutex_unlock(&ftg_loop_lock);
	return len;
}

static int ftg_target_set(const char *val, const struct kernel_param *kp)
{
	char name[FTG_NAME_MAX];
	unsigned long addr;

	if (strscpy(name, val, sizeof(name)) < 0)
		return -E2BIG;
	strim(name);
	addr = ftg_lookup_name(name);
	if (!addr)
		return -ENOENT;
	mutex_lock(&ftg_loop_lock);
	ftg_target = (void *)addr;
	strscpy(ftg_target_name, name, sizeof(ftg_target_name));
	mutex_unlock(&ftg_loop_lock);
	return 0;
}

static int ftg_target_get(char *buf, const struct kernel_param *kp)
{
	int len;

	mutex_lock(&ftg_loop_lock);
	len = sysfs_emit(buf, "%s\n", ftg_target_name);
	mutex_unlock(&ftg_loop_lock);
	return len;
}

static const struct kernel_param_ops ftg_run_ops = { .set = ftg_run_set };
static const struct kernel_param_ops ftg_result_ops = { .get = ftg_result_get };
static const struct kernel_param_ops ftg_target_ops = {
	.set = ftg_target_set,
	.get = ftg_target_get,
};
module_param_cb(run, &ftg_run_ops, NULL, 0200);
module_param_cb(result, &ftg_result_ops, NULL, 0400);
module_param_cb(target, &ftg_target_ops, NULL, 0600);

static int __init ftg_callloop_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err;

	/* A kprobe finds kallsyms_lookup_name, which is not exported. */
	err = register_kprobe(&kp);
	if (err)
		return err;
	ftg_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	ftg_target = (void *)ftg_lookup_name(ftg_target_name);
	return ftg_target ? 0 : -ENOENT;
}

static void __exit ftg_callloop_exit(void)
{
}

module_init(ftg_callloop_init);
module_exit(ftg_callloop_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ftguard benchmark module: calls a system call stub in a loop");
