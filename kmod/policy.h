/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule table as the module holds it: the validated bytes userspace
 * wrote (struct ftg_table_header and its sections, used in place) and a
 * lookup index built from them.  A table never changes once published;
 * a new one replaces it through one RCU pointer.
 */
#ifndef FTG_POLICY_H
#define FTG_POLICY_H

#include <linux/bitops.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include "include/uapi/ftguard.h"

/* Index entry types. */
enum ftg_idx_type {
	FTG_IDX_EXACT = 1,	/* key equals the subject */
	FTG_IDX_PREFIX = 2,	/* key starts the subject (prefixes, glob starts) */
	FTG_IDX_ALWAYS = 3,	/* rule without a key selector */
	FTG_IDX_IDENT = 4,	/* key is the identity of the file a value named */
	FTG_IDX_IDENT_DIR = 5,	/* ... of the directory a prefix value named */
};

/*
 * A file's identity, recorded when a table is set for each exact value of
 * an exec rule's binary and an open rule's path that names an existing
 * file, and each prefix value that names a directory (no reference is
 * kept); looked up for the file an exec or open acts on, and for its
 * directories up to its file system's root.  The key of FTG_IDX_IDENT and
 * FTG_IDX_IDENT_DIR entries.
 */
struct ftg_ident_key {
	u64 ino;
	u32 dev;		/* super_block s_dev */
	u32 gen;		/* i_generation */
};

#define FTG_NO_VALUE	U32_MAX
/* Longest key in the prefix index: a string value, so at most 255 bytes. */
#define FTG_KEY_MAX	FTG_TABLE_STR_MAX

/*
 * One candidate: rule `rule` has value `value` in its key selector, whose
 * indexed key is key[0..key_len).  Entries with the same (kind, type, key)
 * are adjacent and sorted by rule, so one lookup yields a sorted run.
 */
struct ftg_ientry {
	u64 hash;		/* FNV-1a 64 of the key */
	const u8 *key;
	u32 rule;
	u32 value;		/* FTG_NO_VALUE for FTG_IDX_ALWAYS */
	u16 key_len;
	u8 kind;
	u8 type;
};

/* The number of attach slots: the hooks of the current table and a new one. */
#define FTG_CALL_SLOTS	(2 * FTG_TABLE_HOOKS_MAX)

/* A declared hook as the table holds it: its fields and rules. */
struct ftg_call_hook {
	u32 first_rule;			/* in ftg_table.call_rules */
	u32 nr_rules;
	u8 nr_fields;
	u8 field_type[FTG_CALL_FIELDS_MAX];	/* enum ftg_field_type */
	u8 field_signed;		/* bit i: field i is signed */
	bool deny;			/* a deny rule: redirects, must be safe to fail */
	/* Set by ftg_calls_prepare() under ftg_table_lock, before publication. */
	s16 slot;			/* attach slot, -1: none */
	bool deny_errno;		/* a deny returns -errno, else deny_fixed */
	s64 deny_fixed;
};

/*
 * Whether a rule of a file kind may name a file by its path, answered from
 * the file's dentries without the path (name_filter.c): a Bloom filter of
 * (depth, component name) keys, two bits per key.  bits == NULL: some rule
 * of the kind cannot be filtered so, every file takes the path.
 */
struct ftg_name_filter {
	unsigned long *bits;
	u32 mask;		/* the number of bits - 1 */
	u64 exact_depths;	/* bit d: an exact value has d components */
	u64 prefix_depths;	/* bit d: a prefix value's deepest complete one is d */
};

/* Deepest component a name filter keys; a deeper file takes the path. */
#define FTG_NAME_DEPTH_MAX	63

/*
 * Published through ftg_current_table under ftg_table_lock (table.c), read
 * under RCU or with a reference (ftg_table_get_ref()); nothing in it changes
 * once published.
 */
struct ftg_table {
	refcount_t ref;
	struct rcu_head rcu;
	u64 generation;
	u32 size;
	u8 *blob;				/* the bytes as written */
	const struct ftg_policy *policies;
	const struct ftg_rule *rules;
	const struct ftg_value *values;
	const u8 *strings;
	u32 nr_policies, nr_rules, nr_values, strings_len;

	/* Hash table of EXACT and PREFIX entries, chained by bucket. */
	struct ftg_ientry *entries;
	u32 nr_entries;
	u32 *bucket_start;			/* nr_buckets + 1 */
	u32 bucket_mask;
	/* ALWAYS entries, by kind then rule. */
	struct ftg_ientry *always;
	u32 always_first[FTG_KINDS + 1];
	/* Which prefix key lengths exist, by kind (0..FTG_KEY_MAX). */
	unsigned long prefix_lens[FTG_KINDS][BITS_TO_LONGS(FTG_KEY_MAX + 1)];
	bool has_exact[FTG_KINDS];
	/* The identities FTG_IDX_IDENT(_DIR) entries point to; kinds having any. */
	struct ftg_ident_key *idents;
	u32 nr_idents;
	bool has_ident[FTG_KINDS];
	bool has_dir_ident[FTG_KINDS];
	/*
	 * The access bits (FTG_ACCESS_*) some rule of the kind asks for, or
	 * U32_MAX when a rule of it has no access selector: an open whose
	 * bits meet none is decided without its path (ftg_mask_may_match()).
	 */
	u32 kind_masks[FTG_KINDS];
	/* The open rules' names (file.c: an open no name may match). */
	struct ftg_name_filter open_names;
	/* Whether some exec rule has a sha256 selector (exec.c's mmap guard). */
	bool has_content;
	u32 kind_rules[FTG_KINDS];

	/* Declared hooks. */
	const struct ftg_hook_decl *hooks;
	const struct ftg_arg_decl *args;
	u32 nr_hooks, nr_args;
	struct ftg_call_hook *call;		/* nr_hooks */
	u32 *call_rules;			/* rule indices, by hook */
	/* Set by ftg_calls_prepare() under ftg_table_lock, before publication. */
	s16 slot_hook[FTG_CALL_SLOTS];		/* hook of each slot, -1: none */
};

/* table.c.  RCU; written under ftg_table_lock. */
extern struct ftg_table __rcu *ftg_current_table;

int ftg_table_set(const void __user *data, u32 size, u64 *generation,
		  u32 *error, u32 *error_offset);
int ftg_table_get(void __user *data, u32 size, u32 *needed, u64 *generation);
void ftg_table_info(u64 *generation, u32 *rules, u32 *bytes);
struct ftg_table *ftg_table_get_ref(void);
void ftg_table_put(struct ftg_table *t);
void ftg_tables_exit(void);

/* calls.c: attach the hooks a new table declares (table lock held). */
int ftg_calls_init(void);
void ftg_calls_exit(void);
int ftg_calls_prepare(struct ftg_table *t, u32 *error, u32 *offset, const u8 *blob);
void ftg_calls_release(const struct ftg_table *current_table);
int ftg_calls_hook_info(struct ftg_call_hook_info *info, bool privileged);
void ftg_calls_stats(struct ftg_stats *stats);

/* FNV-1a 64, the hash of every index key (match.c, name_filter.c). */
#define FTG_FNV_OFFSET	0xcbf29ce484222325ULL
#define FTG_FNV_PRIME	0x100000001b3ULL

static inline u64 ftg_fnv_step(u64 h, u8 c)
{
	return (h ^ c) * FTG_FNV_PRIME;
}

/* match.c */
u64 ftg_fnv(const u8 *s, size_t len);
bool ftg_glob_valid(const u8 *p, u32 len);
bool ftg_glob_match(const u8 *p, u32 pn, const u8 *t, u32 tn);
u32 ftg_glob_literal_len(const u8 *p, u32 len);
bool ftg_value_match_str(const struct ftg_table *t, const struct ftg_value *v,
			 const char *s, u32 len);
bool ftg_sel_match_str(const struct ftg_table *t, const struct ftg_sel *sel,
		       const char *s, u32 len);
bool ftg_sel_match_num(const struct ftg_table *t, const struct ftg_sel *sel,
		       u64 x, bool negate);
bool ftg_sel_match_addr(const struct ftg_table *t, const struct ftg_sel *sel,
			u16 family, const u8 *addr);

/* name_filter.c */
int ftg_name_filter_build(const struct ftg_table *t, u8 kind, struct ftg_name_filter *nf);
struct path;
bool ftg_name_filter_may_match(const struct ftg_name_filter *nf, const struct path *path);

/* A sorted run of candidates. */
struct ftg_run {
	const struct ftg_ientry *pos;
	const struct ftg_ientry *end;
};

/* Directories above a file looked up by identity, and runs they may add. */
#define FTG_DIR_DEPTH_MAX	256
#define FTG_DIR_RUNS_MAX	16

/*
 * 1 exact run, one per prefix length, 1 always run, 1 identity run, the
 * runs of the directories above.
 */
#define FTG_RUNS_MAX	(FTG_KEY_MAX + 4 + FTG_DIR_RUNS_MAX)

u32 ftg_lookup(const struct ftg_table *t, u8 kind, const char *subject,
	       u32 len, bool known, struct ftg_run *runs);
struct inode;
bool ftg_lookup_ident(const struct ftg_table *t, u8 kind, u8 type,
		      const struct inode *inode, struct ftg_run *run);
const struct ftg_ientry *ftg_next_candidate(const struct ftg_table *t,
					    struct ftg_run *runs, u32 nr_runs,
					    const char *subject, u32 len,
					    bool *key_ok, bool *by_ident);

#endif /* FTG_POLICY_H */
