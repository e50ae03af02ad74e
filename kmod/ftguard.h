/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FTG_FTGUARD_H
#define FTG_FTGUARD_H

#include <linux/types.h>
#include "hook.h"

#define FTG_PREFIX "ftguard: "

/* hooks.c: the built-in hook table. */
extern struct ftg_hook ftg_builtin_hooks[];
extern const size_t ftg_builtin_hooks_count;

/* device.c: /dev/ftguard. */
int ftg_device_init(void);
void ftg_device_exit(void);

#endif /* FTG_FTGUARD_H */
