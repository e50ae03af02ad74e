/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every file of the module includes first: the prefix of its
 * messages, which must be defined before any kernel header defines its
 * own, and the hook families with their registration.
 */
#ifndef FTG_COMMON_H
#define FTG_COMMON_H

/* Every message starts with the module's name (ftguard, or MODNAME). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>

/*
 * The built-in hook families, one file each.  Each adds its entries to the
 * hook engine's list (ftg_hooks_add(), hook.h) and attaches nothing yet;
 * main.c adds them in the order they attach, which is the order in which
 * FTG_IOC_HOOK_INFO numbers them.  process.c has two: its fork and exit
 * events come first, its ptrace and credential decisions last.
 */
void __init ftg_add_task_hooks(void);	/* process.c: fork and exit events */
void __init ftg_add_exec_hooks(void);	/* exec.c */
void __init ftg_add_file_hooks(void);	/* file.c */
void __init ftg_add_net_hooks(void);	/* network.c */
void __init ftg_add_module_hooks(void);	/* module.c */
void __init ftg_add_cred_hooks(void);	/* process.c: ptrace, credentials */
void __init ftg_add_tamper_hooks(void);	/* tamper.c */
#ifdef FTG_TEST_BENCH
void __init ftg_add_bench_hooks(void);	/* bench.c, benchmark build only */
#endif

/* device.c: /dev/ftguard. */
int ftg_device_init(void);
void ftg_device_exit(void);

#endif /* FTG_COMMON_H */
