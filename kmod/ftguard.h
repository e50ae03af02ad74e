/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FTG_FTGUARD_H
#define FTG_FTGUARD_H

#include <linux/types.h>
#include "hook.h"

#define FTG_PREFIX "ftguard: "

/* hooks.c: the built-in hook table. */
extern struct ftg_hook ftg_builtin_hooks[];
extern const size_t ftg_builtin_hooks_count;

/* guards.c: the deciding hooks (entries of the hook table). */
struct linux_binprm;
struct pt_regs;
struct ftg_stats;
unsigned long ftg_guard_bprm(struct pt_regs *regs);
unsigned long ftg_guard_open(struct pt_regs *regs);
unsigned long ftg_guard_connect(struct pt_regs *regs);
unsigned long ftg_guard_read_file(struct pt_regs *regs);
unsigned long ftg_guard_load_data(struct pt_regs *regs);
unsigned long ftg_guard_ptrace(struct pt_regs *regs);
unsigned long ftg_guard_creds(struct pt_regs *regs);
int ftg_bprm_check(struct linux_binprm *bprm);
extern int (*ftg_real_bprm_check)(struct linux_binprm *bprm);
int ftg_guards_init(void);
void ftg_guards_exit(void);
void ftg_guard_stats(struct ftg_stats *stats);

/* device.c: /dev/ftguard. */
int ftg_device_init(void);
void ftg_device_exit(void);

#endif /* FTG_FTGUARD_H */
