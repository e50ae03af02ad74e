// SPDX-License-Identifier: GPL-2.0
/*
 * The references a hooked call is priced against (CallCostBenchmark): at
 * load, attaches one of these to __x64_sys_getppid, by the parameter "mode":
 *
 *   ops        an ftrace_ops, no flags
 *   regs       an ftrace_ops with SAVE_REGS
 *   recursion  SAVE_REGS + ftrace's recursion protection (ftguard's flags
 *              without IPMODIFY)
 *   kprobe     a kprobe whose pre_handler does nothing else
 *   kprobe-arg a kprobe whose pre_handler reads the first argument
 *
 * Every handler does one per-CPU increment (as ftguard's hit counter does),
 * so that "hits" (the sum over CPUs) proves each call went through it;
 * "kprobe-arg" also adds the argument to a per-CPU sum.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/version.h>

#define FTG_TARGET "__x64_sys_getppid"

/*
 * 5.11: callbacks receive struct ftrace_regs and FTRACE_OPS_FL_RECURSION
 * asks for recursion protection; before, protection was the default and
 * FTRACE_OPS_FL_RECURSION_SAFE turned it off.
 */
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#define ftg_fregs_t struct ftrace_regs
#define FTG_FL_NO_RECURSION 0
#define FTG_FL_RECURSION FTRACE_OPS_FL_RECURSION
#else
#define ftg_fregs_t struct pt_regs
#define FTG_FL_NO_RECURSION FTRACE_OPS_FL_RECURSION_SAFE
#define FTG_FL_RECURSION 0
#endif

/*
 * ftrace_free_filter() is exported from 6.2 (and in Debian's 6.1); before,
 * removing the address frees the ops' filter hash (ftrace swaps in its
 * static empty one).
 */
static void ftg_free_filter(struct ftrace_ops *ops, unsigned long ip)
{
#if KERNEL_VERSION(6, 1, 0) <= LINUX_VERSION_CODE
	ftrace_free_filter(ops);
#else
	ftrace_set_filter_ip(ops, ip, 1, 0);
#endif
}

static char *mode = "regs";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "ops, regs, recursion, kprobe or kprobe-arg");

static DEFINE_PER_CPU(u64, ftg_hits);
static DEFINE_PER_CPU(unsigned long, ftg_sum);

static void notrace ftg_ops_func(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops, ftg_fregs_t *fregs)
{
	this_cpu_inc(ftg_hits);
}

static struct ftrace_ops ftg_ops = { .func = ftg_ops_func };

static int ftg_kprobe_empty(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(ftg_hits);
	return 0;
}

static int ftg_kprobe_arg(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(ftg_hits);
	this_cpu_add(ftg_sum, regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct kprobe ftg_kprobe = { .symbol_name = FTG_TARGET };
static bool ftg_is_kprobe;

static int ftg_hits_get(char *buf, const struct kernel_param *kp)
{
	u64 hits = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		hits += per_cpu(ftg_hits, cpu);
	return sysfs_emit(buf, "%llu\n", hits);
}

static const struct kernel_param_ops ftg_hits_ops = { .get = ftg_hits_get };
module_param_cb(hits, &ftg_hits_ops, NULL, 0400);

static unsigned long ftg_target_ip;

/* The function's address, from kallsyms_lookup_name (found by a kprobe). */
static int ftg_find_target(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup_name)(const char *name);
	int err;

	err = register_kprobe(&kp);
	if (err)
		return err;
	lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	ftg_target_ip = lookup_name(FTG_TARGET);
	return ftg_target_ip ? 0 : -ENOENT;
}

static int ftg_attach_ops(unsigned long flags)
{
	int err;

	err = ftg_find_target();
	if (err)
		return err;
	ftg_ops.flags = flags;
	err = ftrace_set_filter_ip(&ftg_ops, ftg_target_ip, 0, 0);
	if (err)
		return err;
	err = register_ftrace_function(&ftg_ops);
	if (err)
		ftg_free_filter(&ftg_ops, ftg_target_ip);
	return err;
}

static int ftg_attach_kprobe(kprobe_pre_handler_t handler)
{
	int err;

	ftg_kprobe.pre_handler = handler;
	err = register_kprobe(&ftg_kprobe);
	if (err)
		return err;
	ftg_is_kprobe = true;
	/* The reference is a kprobe on ftrace (what a probe at an entry is). */
	if (!(ftg_kprobe.flags & KPROBE_FLAG_FTRACE)) {
		pr_err("the kprobe on %s does not use ftrace\n", FTG_TARGET);
		unregister_kprobe(&ftg_kprobe);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int __init ftg_compare_init(void)
{
	int err;

	if (!strcmp(mode, "ops"))
		err = ftg_attach_ops(FTG_FL_NO_RECURSION);
	else if (!strcmp(mode, "regs"))
		err = ftg_attach_ops(FTRACE_OPS_FL_SAVE_REGS | FTG_FL_NO_RECURSION);
	else if (!strcmp(mode, "recursion"))
		err = ftg_attach_ops(FTRACE_OPS_FL_SAVE_REGS | FTG_FL_RECURSION);
	else if (!strcmp(mode, "kprobe"))
		err = ftg_attach_kprobe(ftg_kprobe_empty);
	else if (!strcmp(mode, "kprobe-arg"))
		err = ftg_attach_kprobe(ftg_kprobe_arg);
	else
		err = -EINVAL;
	if (err)
		pr_err("mode=%s on %s: %d\n", mode, FTG_TARGET, err);
	return err;
}

static void __exit ftg_compare_exit(void)
{
	if (ftg_is_kprobe) {
		unregister_kprobe(&ftg_kprobe);
		return;
	}
	unregister_ftrace_function(&ftg_ops);
	ftg_free_filter(&ftg_ops, ftg_target_ip);
}

module_init(ftg_compare_init);
module_exit(ftg_compare_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ftguard benchmark module: bare ftrace_ops and kprobes to compare with");
