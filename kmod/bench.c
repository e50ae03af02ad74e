// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only build (make FTG_TEST_BENCH=1; Kbuild builds this file only
 * then): on system calls that do almost nothing, so that a loop calling
 * them prices one hooked call (CallCostBenchmark), a wrapper that does
 * nothing but the accounting every wrapper does and the call of the
 * original (getppid), and a guard whose decision always allows (getpid).
 * Their hooks attach after all the others.
 *
 * This file is compiled with -fno-optimize-sibling-calls (see Kbuild): a
 * wrapper must reach the original with a real call, so that parent_ip
 * points into this module and the ftrace callback lets the call through.
 */
#include "common.h"

#include <linux/kernel.h>
#include <linux/ptrace.h>

#include "compat.h"
#include "hook.h"

#if !FTG_PTREGS_SYSCALLS
#error "the benchmark build needs pt_regs system calls (4.17 or later)"
#endif
static asmlinkage long (*ftg_real_getppid)(const struct pt_regs *regs);

static asmlinkage long ftg_getppid(const struct pt_regs *regs)
{
	long ret;

	ftg_wrapper_enter();
	ret = ftg_real_getppid(regs);
	ftg_wrapper_exit();
	return ret;
}

FTG_DEFINE_WRAPPER(ftg_wrap_getppid, ftg_getppid, &ftg_real_getppid);

/* The cheapest decision: let the call through. */
static unsigned long notrace ftg_bench_allow(struct pt_regs *regs)
{
	return 0;
}
FTG_DEFINE_GUARD(ftg_bench_allow)

static struct ftg_hook ftg_bench_hooks[] = {
	FTG_HOOK_WRAP(FTG_SYSCALL("getppid"), &ftg_wrap_getppid),
	FTG_HOOK_GUARD(FTG_SYSCALL("getpid"), ftg_bench_allow, NULL),
};

void __init ftg_add_bench_hooks(void)
{
	ftg_hooks_add(ftg_bench_hooks, ARRAY_SIZE(ftg_bench_hooks));
}
