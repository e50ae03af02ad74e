// SPDX-License-Identifier: GPL-2.0
/*
 * ftguard: watch and guard a Linux host from inside the kernel with ftrace
 * hooks.  Load order: the hook families add their hooks (nothing attached
 * yet), events, decisions, declared calls, hooks (all or none), device;
 * unload in reverse, waiting for every wrapper still running before the
 * text goes.
 */
#include "common.h"

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "content.h"
#include "decide.h"
#include "events.h"
#include "hook.h"
#include "policy.h"
#include "tamper.h"

static unsigned int buffer_kb = 1024;
module_param(buffer_kb, uint, 0444);
MODULE_PARM_DESC(buffer_kb, "Ring buffer size per CPU in KiB (64..65536, default 1024)");

static bool lock;
module_param(lock, bool, 0444);
MODULE_PARM_DESC(lock,
		 "Lock at load, until reboot: no unload, and the first rule table written is final (as FTG_IOC_LOCK)");

/*
 * The parameter keeps what was asked; what auto chose is logged at load
 * and reported per wrapper (FTG_HOOK_SKIP_FENTRY, FTG_IOC_HOOK_INFO).
 */
static char *call_mode = "auto";
module_param(call_mode, charp, 0444);
MODULE_PARM_DESC(call_mode,
		 "How wrappers call the original: guard (through its fentry site; the callback lets the module's own call through), skip (past the fentry site: one callback per call) or auto (skip where it can be used, guard under IBT and for a wrapper whose fentry site is unknown; default)");

/* call_mode resolved: whether wrappers skip the fentry site. */
static int __init ftg_call_mode(bool *skip)
{
	const char *why;

	if (strcmp(call_mode, "auto")) {
		*skip = !strcmp(call_mode, "skip");
		return ftg_hooks_set_skip_fentry(*skip, true);
	}
	why = ftg_hooks_skip_unavailable();
	*skip = !why;
	if (why)
		pr_info("call_mode=auto: guard (%s)\n", why);
	return ftg_hooks_set_skip_fentry(*skip, false);
}

/*
 * The built-in hook families, in the order their hooks attach and are
 * numbered (FTG_IOC_HOOK_INFO), as landlock_init() adds its hooks.
 */
static void __init ftg_add_hooks(void)
{
	ftg_add_task_hooks();
	ftg_add_exec_hooks();
	ftg_add_file_hooks();
	ftg_add_net_hooks();
	ftg_add_module_hooks();
	ftg_add_cred_hooks();
	ftg_add_tamper_hooks();
#ifdef FTG_TEST_BENCH
	ftg_add_bench_hooks();
#endif
}

static int __init ftg_init(void)
{
	bool skip;
	int err;

	if (buffer_kb < 64 || buffer_kb > 65536) {
		pr_err("buffer_kb=%u is out of range 64..65536\n", buffer_kb);
		return -EINVAL;
	}
	if (!call_mode || (strcmp(call_mode, "auto") && strcmp(call_mode, "guard") &&
			   strcmp(call_mode, "skip"))) {
		pr_err("call_mode=%s: give auto, guard or skip\n", call_mode ? call_mode : "");
		return -EINVAL;
	}
	ftg_add_hooks();
	err = ftg_resolve_init();
	if (err)
		return err;
	err = ftg_call_mode(&skip);
	if (err)
		return err;
	err = ftg_events_init(buffer_kb);
	if (err)
		return err;
	err = ftg_decide_init();
	if (err)
		goto events_exit;
	err = ftg_content_init();
	if (err)
		goto decide_exit;
	err = ftg_calls_init();
	if (err)
		goto content_exit;
	err = ftg_hooks_install();
	if (err)
		goto calls_exit;
	err = ftg_device_init();
	if (err)
		goto hooks_remove;
	pr_info("loaded: %zu hooks, %u KiB per CPU, call_mode=%s%s\n",
		ftg_hooks_count(), buffer_kb, skip ? "skip" : "guard",
		strcmp(call_mode, "auto") ? "" : " (auto)");
	if (lock)
		ftg_table_lock_down("the lock parameter");
	return 0;

hooks_remove:
	ftg_hooks_remove();
calls_exit:
	ftg_calls_exit();
content_exit:
	ftg_content_exit();
decide_exit:
	ftg_decide_exit();
events_exit:
	ftg_events_exit();
	return err;
}

static void __exit ftg_exit(void)
{
	u64 generation;
	u32 rules, bytes;

	ftg_table_info(&generation, &rules, &bytes);
	if (rules)
		pr_warn("unloading: the %u rules of table %llu are no longer enforced\n",
			rules, generation);
	ftg_device_exit();
	/* Declared hooks go with the table; the wait for tasks comes after. */
	ftg_tables_exit();
	ftg_hooks_remove();
	ftg_calls_exit();
	ftg_content_exit();
	ftg_decide_exit();
	ftg_events_exit();
	pr_info("unloaded\n");
}

module_init(ftg_init);
module_exit(ftg_exit);

MODULE_DESCRIPTION("ftguard: process monitoring and blocking through ftrace hooks");
MODULE_LICENSE("GPL");
