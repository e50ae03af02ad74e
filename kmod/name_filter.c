// SPDX-License-Identifier: GPL-2.0
/*
 * The name filter of a file kind: whether some rule may name a file by its
 * path, answered from the file's dentries without building the path.
 * d_path() costs an allowed open more than the rest of its decision
 * (docs/performance.md, "The price of an open decision"); most opens meet
 * no rule, and this tells them apart for a few dozen instructions.
 *
 * A path that d_path() gives for a file below the caller's root is "/"
 * followed by the names of the dentries from that root down, joined by
 * "/".  Each exact value /c1/.../cn keys (n, cn): it can only equal the
 * path of a file at depth n named cn.  Each prefix value (a glob's literal
 * start) keys (d, cd) for the deepest component cd it holds whole (followed
 * by a '/'): it can only start the path of a file whose component at depth
 * d is cd.  A value that holds no whole component ("/", "/et", a glob
 * starting with a wildcard) or a rule without a key selector makes the
 * kind unfiltered.  A value not starting with '/' matches no path and
 * adds nothing.
 *
 * The filter answers "no rule names this file" only where the walk up the
 * dentries is the path: the file in the caller's root mount, below its
 * root, not the mount's root, hashed (an unlinked file's path ends in
 * " (deleted)"), at most FTG_NAME_DEPTH_MAX deep, and no rename (rename_lock's
 * sequence) or new root during the walk.  Elsewhere, and on any Bloom hit (a false
 * positive costs the path, never a decision), the decision takes the path
 * as before.  Identities are not its business: callers probe them apart.
 */
#include "common.h"

#include <linux/dcache.h>
#include <linux/fs_struct.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/slab.h>

#include "policy.h"

/* Bits per key (two set per key: about 5 % false positives), and at most. */
#define FTG_NAME_BITS_PER_KEY	16
#define FTG_NAME_BITS_MIN	512
#define FTG_NAME_BITS_MAX	(1U << 24)

/* The key of component @name at @depth: FNV-1a over the name, then the depth. */
static inline u64 ftg_name_key(u64 name_hash, u32 depth)
{
	return ftg_fnv_step(name_hash, depth);
}

static inline bool ftg_name_test(const struct ftg_name_filter *nf, u64 key)
{
	return test_bit(key & nf->mask, nf->bits) &&
	       test_bit((key >> 32) & nf->mask, nf->bits);
}

/*
 * The key a value adds, in *key; 0: none (it matches no path), 1: a key,
 * -1: it cannot be filtered.  @exact: an exact value, else a prefix.
 */
static int ftg_value_key(const u8 *s, u32 len, bool exact, u64 *key, u32 *depth)
{
	u32 i, start = 1, d = 0, whole_start = 0, whole_depth = 0, whole_end = 0;
	u64 h;

	if (!len)
		return exact ? 0 : -1;
	if (s[0] != '/')
		return 0;
	for (i = 1; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		d++;
		if (i < len) {		/* a whole component: s[start..i) */
			whole_start = start;
			whole_end = i;
			whole_depth = d;
		} else if (exact) {	/* the last one */
			whole_start = start;
			whole_end = i;
			whole_depth = d;
		}
		start = i + 1;
	}
	if (!whole_depth)
		return -1;
	/* A file deeper than the filter keys takes the path anyway. */
	if (whole_depth > FTG_NAME_DEPTH_MAX)
		return 0;
	h = FTG_FNV_OFFSET;
	for (i = whole_start; i < whole_end; i++)
		h = ftg_fnv_step(h, s[i]);
	*key = ftg_name_key(h, whole_depth);
	*depth = whole_depth;
	return 1;
}

/*
 * Calls @fn for the key of each value of kind @kind's rules; false when the
 * kind cannot be filtered.
 */
static bool ftg_each_key(const struct ftg_table *t, u8 kind, struct ftg_name_filter *nf,
			 void (*fn)(struct ftg_name_filter *nf, u64 key))
{
	u32 r, i, depth;
	u64 key;

	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];
		const struct ftg_sel *sel = &rule->sel[FTG_KIND_KEY_SLOT(kind)];

		if (rule->kind != kind)
			continue;
		if (!sel->count)
			return false;
		for (i = 0; i < sel->count; i++) {
			const struct ftg_value *v = &t->values[sel->first + i];
			bool exact = v->type == FTG_VAL_EXACT;
			u32 len = v->str_len;

			if (v->type == FTG_VAL_GLOB)
				len = ftg_glob_literal_len(t->strings + v->str_off, len);
			else if (!exact && v->type != FTG_VAL_PREFIX)
				return false;
			switch (ftg_value_key(t->strings + v->str_off, len, exact, &key, &depth)) {
			case -1:
				return false;
			case 1:
				if (exact)
					nf->exact_depths |= BIT_ULL(depth);
				else
					nf->prefix_depths |= BIT_ULL(depth);
				fn(nf, key);
				break;
			}
		}
	}
	return true;
}

static void ftg_name_count(struct ftg_name_filter *nf, u64 key)
{
	nf->mask++;
}

static void ftg_name_set(struct ftg_name_filter *nf, u64 key)
{
	__set_bit(key & nf->mask, nf->bits);
	__set_bit((key >> 32) & nf->mask, nf->bits);
}

/*
 * Builds @nf for kind @kind of @t (before publication; may sleep).  An
 * unfilterable kind leaves nf->bits NULL.
 */
int ftg_name_filter_build(const struct ftg_table *t, u8 kind, struct ftg_name_filter *nf)
{
	u64 nbits;

	memset(nf, 0, sizeof(*nf));
	if (!t->kind_rules[kind] || !ftg_each_key(t, kind, nf, ftg_name_count))
		goto unfiltered;
	nbits = (u64)nf->mask * FTG_NAME_BITS_PER_KEY;
	nbits = clamp_t(u64, nbits, FTG_NAME_BITS_MIN, FTG_NAME_BITS_MAX);
	nbits = roundup_pow_of_two(nbits);
	nf->bits = kvcalloc(BITS_TO_LONGS(nbits), sizeof(unsigned long), GFP_KERNEL);
	if (!nf->bits)
		return -ENOMEM;
	nf->mask = nbits - 1;
	nf->exact_depths = 0;
	nf->prefix_depths = 0;
	ftg_each_key(t, kind, nf, ftg_name_set);
	return 0;
unfiltered:
	memset(nf, 0, sizeof(*nf));
	return 0;
}

/* FNV-1a over a dentry's name, read as RCU-walk reads it: up to its NUL. */
static u64 notrace ftg_dentry_name_hash(const struct dentry *d)
{
	const unsigned char *p = READ_ONCE(d->d_name.name);
	u64 h = FTG_FNV_OFFSET;
	u32 i;

	for (i = 0; i <= NAME_MAX && p[i]; i++)
		h = ftg_fnv_step(h, p[i]);
	return h;
}

/*
 * The depth of @d below @root in @mnt (the caller's root mount), or 0 when
 * the walk does not reach it there within FTG_NAME_DEPTH_MAX steps.
 */
static u32 notrace ftg_depth_below(const struct dentry *d, const struct vfsmount *mnt,
				   const struct dentry *root)
{
	u32 depth = 0;

	while (d != root) {
		const struct dentry *parent = READ_ONCE(d->d_parent);

		if (d == mnt->mnt_root || parent == d || ++depth > FTG_NAME_DEPTH_MAX)
			return 0;
		d = parent;
	}
	return depth;
}

/* With rename_lock's sequence read: whether a key of @nf names @d's path. */
static bool notrace ftg_names_hit(const struct ftg_name_filter *nf, const struct dentry *d,
				  u32 depth)
{
	u64 prefix = nf->prefix_depths & GENMASK_ULL(depth, 1);

	if (nf->exact_depths & BIT_ULL(depth)) {
		if (ftg_name_test(nf, ftg_name_key(ftg_dentry_name_hash(d), depth)))
			return true;
		/* A prefix at the file's own depth keys the same (depth, name). */
		prefix &= ~BIT_ULL(depth);
	}
	/* From the file up: the component at each depth a prefix keys. */
	for (; prefix; depth--, d = READ_ONCE(d->d_parent)) {
		if (!(prefix & BIT_ULL(depth)))
			continue;
		if (ftg_name_test(nf, ftg_name_key(ftg_dentry_name_hash(d), depth)))
			return true;
		prefix &= ~BIT_ULL(depth);
	}
	return false;
}

/*
 * Whether a rule keyed by @nf may name the file at @path by its path:
 * false only when none can (see the top of this file).  Under RCU, which
 * keeps the dentries, their names and the mounts read here from being
 * freed.  The caller's root is read without fs->seq (a spinlock's
 * seqcount or a seqlock by kernel) and checked unchanged after the walk:
 * a chroot or pivot_root meanwhile takes the path, as a rename does.
 */
bool notrace ftg_name_filter_may_match(const struct ftg_name_filter *nf,
				       const struct path *path)
{
	struct fs_struct *fs = current->fs;
	const struct dentry *d = path->dentry, *root;
	const struct vfsmount *mnt;
	unsigned int seq;
	bool hit;
	u32 depth;

	if (!nf->bits || !fs)
		return true;
	mnt = READ_ONCE(fs->root.mnt);
	root = READ_ONCE(fs->root.dentry);
	if (path->mnt != mnt || d_unhashed(d))
		return true;
	seq = raw_read_seqcount(&rename_lock.seqcount);
	if (seq & 1)
		return true;
	/* rename_lock's count before the names and parents (read_seqbegin()). */
	smp_rmb();
	depth = ftg_depth_below(d, mnt, root);
	hit = !depth || ftg_names_hit(nf, d, depth);
	return hit || read_seqretry(&rename_lock, seq) ||
	       READ_ONCE(fs->root.mnt) != mnt || READ_ONCE(fs->root.dentry) != root;
}
