// SPDX-License-Identifier: GPL-2.0
/*
 * Prices one call of a kernel function from inside the kernel, without the
 * system call around it: writing N to the parameter "run" calls
 * __x64_sys_getppid N times through a pointer and keeps the time taken;
 * reading "result" gives "<calls> <ns>".  With ftguard's benchmark build
 * loaded, every such call goes through the ftrace callback and the wrapper,
 * once or twice depending on the call mode.
 */
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#define FTG_LOOP_MAX	100000000UL

static long (*ftg_target)(const struct pt_regs *regs);
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

static const struct kernel_param_ops ftg_run_ops = { .set = ftg_run_set };
static const struct kernel_param_ops ftg_result_ops = { .get = ftg_result_get };
module_param_cb(run, &ftg_run_ops, NULL, 0200);
module_param_cb(result, &ftg_result_ops, NULL, 0400);

static int __init ftg_callloop_init(void)
{
	struct kprobe kp = { .symbol_name = "__x64_sys_getppid" };
	int err;

	/* A kprobe finds the address without kallsyms_lookup_name. */
	err = register_kprobe(&kp);
	if (err)
		return err;
	ftg_target = (void *)kp.addr;
	unregister_kprobe(&kp);
	return 0;
}

static void __exit ftg_callloop_exit(void)
{
}

module_init(ftg_callloop_init);
module_exit(ftg_callloop_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ftguard benchmark module: calls getppid in a loop");
