/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision on one event, shared by the hook families (decide.c): the
 * facts a rule can ask for, gathered by the family's hook, the lookup of
 * the rule table and the evaluation of the candidates, the decision record
 * and the counters.
 */
#ifndef FTG_DECIDE_H
#define FTG_DECIDE_H

#include <linux/limits.h>
#include <linux/types.h>

#include "policy.h"

struct dentry;
struct file;
struct inode;
struct linux_binprm;
struct mm_struct;
struct path;
struct pt_regs;
struct ftg_stats;

/* Per decision: paths, lookup runs and the record being built. */
struct ftg_scratch {
	char binary[PATH_MAX];
	char object[PATH_MAX];
	char other[PATH_MAX];
	struct ftg_run runs[FTG_RUNS_MAX];
	union {
		struct ftg_decision_event ev;
		u8 bytes[FTG_RECORD_MAX];
	} rec;
	/* This CPU's (ftg_begin() to ftg_end(), preemption off). */
	bool busy;
};

/* What the rules of one event can ask about. */
struct ftg_facts {
	u8 kind;
	struct ftg_scratch *s;
	/* The acting process's binary (exec: the file being executed). */
	const char *binary;
	u32 binary_len;
	bool binary_done;
	/* open: path, module_load: name, ptrace: target's binary. */
	const char *object;
	u32 object_len;
	bool object_known;
	/*
	 * The file acted on (exec: executed, open: opened; held by the
	 * caller), or NULL: a rule whose key names it, or with a prefix one
	 * of the directories above @dentry, by identity matches.
	 */
	const struct inode *inode;
	const struct dentry *dentry;
	/* The acting task's, read on first use (ftg_uids()). */
	u32 uid, euid;
	bool uids_done;
	u32 mask;			/* FTG_ACCESS_* or FTG_GAIN_* */
	u16 family, port;
	u8 addr[16];
	u32 target_pid;
	u32 new_uid, new_euid;
	struct linux_binprm *bprm;	/* exec */
	/*
	 * exec: the executed or mapped file, for a sha256 selector; its
	 * content (FTG_DEC_CONTENT_*, 0: not looked at yet) and digest, read
	 * from the cache or, where the decision may sleep (may_hash), hashed.
	 */
	struct file *file;
	bool may_hash;
	u8 content;
	u8 digest[FTG_SHA256_LEN];
	u8 via;				/* exec at a mapping: FTG_DEC_MMAP/MPROTECT */
	bool fileless;
	bool tempdir, tempdir_done;	/* ftg_exec_tempdir() */
	/* The outcome. */
	int err;
	bool kill;
	bool by_ident;			/* the reported rule matched by identity */
};

/*
 * Whether a rule of the decision's kind may match its access bits: when
 * none can, the decision needs neither the path nor the lookup.
 */
static inline bool ftg_kind_mask_may_match(const struct ftg_table *t, u8 kind, u32 mask)
{
	u32 m = t->kind_masks[kind];

	return m == U32_MAX || m & mask;
}

static inline bool ftg_mask_may_match(const struct ftg_table *t, const struct ftg_facts *f)
{
	return ftg_kind_mask_may_match(t, f->kind, f->mask);
}

/* d_path into buf[PATH_MAX]; false when it does not fit or fails. */
bool ftg_path(const struct path *path, char *buf, const char **out, u32 *len);
bool ftg_exe_path(struct mm_struct *mm, char *buf, const char **out, u32 *len);
/* The acting process's binary; computed once, on first use. */
bool ftg_binary(struct ftg_facts *f);

const struct ftg_table *ftg_begin(u8 kind, struct ftg_facts *f);
u32 ftg_candidates(const struct ftg_table *t, struct ftg_facts *f,
		   const char *key, u32 key_len, bool key_known);
bool __ftg_ident_may_match(const struct ftg_table *t, u8 kind, const struct dentry *dentry);

/*
 * Whether a rule of @kind may match the file of @dentry by identity, or a
 * directory above it: the look-up only where the table has such rules.
 * Needs no scratch: it runs before ftg_begin() too.
 */
static __always_inline bool ftg_ident_may_match(const struct ftg_table *t, u8 kind,
						const struct dentry *dentry)
{
	return (t->has_ident[kind] || t->has_dir_ident[kind]) &&
	       __ftg_ident_may_match(t, kind, dentry);
}

unsigned long ftg_end(struct ftg_facts *f, struct pt_regs *regs);
void ftg_decide(const struct ftg_table *t, struct ftg_facts *f,
		const char *key, u32 key_len, bool key_known);

/* exec.c: the new program's arguments, read from its memory. */
bool ftg_exec_argv_contains(const struct ftg_table *t, const struct ftg_sel *sel,
			    struct ftg_facts *f);
u32 ftg_exec_argv(struct ftg_facts *f, char *dst, u32 room, u8 *flags);
bool ftg_exec_tempdir(struct ftg_facts *f);
/* Whether a candidate exec rule of the file asks for its content. */
bool ftg_wants_content(const struct ftg_table *t, struct ftg_facts *f);

int ftg_decide_init(void);
void ftg_decide_exit(void);
void ftg_guard_stats(struct ftg_stats *stats);

#endif /* FTG_DECIDE_H */
