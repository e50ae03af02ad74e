/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attempts on the module itself and the lock (tamper.c; the lock's state
 * lives with the table it freezes, table.c).
 */
#ifndef FTG_TAMPER_H
#define FTG_TAMPER_H

#include <linux/types.h>
#include "include/uapi/ftguard.h"

/* Record, count and log an attempt; result is what it gets (0 or -errno). */
void ftg_tamper_report(enum ftg_tamper what, int result, const char *target);
void ftg_tamper_stats(struct ftg_stats *stats);
/* The lock engaged (once): hold the module until reboot. */
void ftg_tamper_locked(const char *by);

/* table.c */
void ftg_table_lock_down(const char *by);
bool ftg_table_locked(void);

#endif /* FTG_TAMPER_H */
