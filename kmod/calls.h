/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declared hooks (rule kind call), shared by their three files: calls.c,
 * the runtime path (the callback, the decision, the record); call_args.c,
 * the reading of arguments into fields; call_slots.c, the attach slots.
 */
#ifndef FTG_CALLS_H
#define FTG_CALLS_H

#include <linux/ftrace.h>
#include <linux/limits.h>
#include <linux/types.h>

#include "compat.h"
#include "policy.h"

struct ftg_call_slot {
	/* Written under ftg_table_lock (table.c, ftg_calls_prepare/release). */
	struct ftrace_ops ops;
	char function[FTG_FUNC_NAME_MAX];
	unsigned long address;
	int error;			/* -errno of a failed attach */
	bool in_use;			/* referenced by the current or the next table */
	bool attached;
	bool ipmodify;
	bool injectable;
	/* Set at load (ftg_call_slots_init()). */
	u64 __percpu *hits;
	s16 id;
};

/* Per CPU: the record being built and room for a path. */
struct ftg_call_scratch {
	union {
		struct ftg_call_event ev;
		u8 bytes[FTG_RECORD_MAX];
	} rec;
	char path[PATH_MAX];
	/* This CPU's, in the callback with preemption off. */
	bool busy;
};

/* Fields being written into a record. */
struct ftg_fields {
	u8 *pos;
	u8 nr;
	u64 ints[FTG_CALL_FIELDS_MAX];		/* INT values, for matching */
	const char *str[FTG_CALL_FIELDS_MAX];	/* STR values */
	u32 len[FTG_CALL_FIELDS_MAX];
	u8 flags[FTG_CALL_FIELDS_MAX];
	u16 family;				/* ADDR fields */
};

/* calls.c */
void ftg_call_thunk(unsigned long ip, unsigned long parent_ip,
		    struct ftrace_ops *ops, ftg_fregs_t *fregs);
u64 ftg_call_skipped(void);

/* call_args.c */
bool ftg_may_resolve(void);
void ftg_read_args(struct ftg_call_scratch *s, const struct ftg_table *t,
		   const struct ftg_hook_decl *d, struct pt_regs *regs,
		   struct ftg_fields *f);
void ftg_call_args_init(void);

/* call_slots.c */
int ftg_call_slots_init(void);
void ftg_call_slots_exit(void);

#endif /* FTG_CALLS_H */
