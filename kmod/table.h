/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the rule table's files: table.c copies and publishes a table,
 * table_check.c checks it, table_index.c builds its index.
 */
#ifndef FTG_TABLE_H
#define FTG_TABLE_H

#include <linux/types.h>

struct ftg_table;

/* The first error a check found: its FTG_TERR_* code and byte offset. */
struct ftg_check {
	const u8 *blob;		/* the table's bytes, for offsets */
	u32 error;
	u32 offset;
};

/* Called with ftg_table_lock held, on a table no reader sees yet. */
int ftg_table_check(struct ftg_check *c, struct ftg_table *t);
int ftg_table_build_index(struct ftg_table *t);

#endif /* FTG_TABLE_H */
