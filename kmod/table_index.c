// SPDX-License-Identifier: GPL-2.0
/*
 * The lookup index of a checked rule table, built in new memory before the
 * table is published: exact keys hashed into buckets, prefix lengths per
 * kind, the rules of each kind without a key selector, the identities of
 * the files that exec and open rules name, the open rules' name filter
 * (name_filter.c), and each declared hook's call rules.
 */
#include "common.h"

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "policy.h"
#include "table.h"

static int ftg_ientry_cmp(const void *a, const void *b)
{
	const struct ftg_ientry *x = a, *y = b;
	int d;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	d = memcmp(x->key, y->key, x->key_len);
	if (d)
		return d;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * Entries sorted by bucket first, so that a bucket is one slice; inside a
 * bucket equal keys stay adjacent and in rule order.
 */
static int ftg_ientry_bucket_cmp(const void *a, const void *b, const void *priv)
{
	const struct ftg_ientry *x = a, *y = b;
	u32 mask = *(const u32 *)priv;
	u32 bx = (u32)x->hash & mask, by = (u32)y->hash & mask;

	if (bx != by)
		return bx < by ? -1 : 1;
	return ftg_ientry_cmp(a, b);
}

/* Each declared hook's rules, in rule order, in one array. */
static int ftg_build_call_lists(struct ftg_table *t)
{
	u32 r, n = 0;

	if (!t->nr_hooks)
		return 0;
	t->call_rules = kvcalloc(max_t(u32, t->kind_rules[FTG_KIND_CALL], 1), sizeof(u32),
				 GFP_KERNEL);
	if (!t->call_rules)
		return -ENOMEM;
	for (r = 0; r < t->nr_rules; r++)
		if (t->rules[r].kind == FTG_KIND_CALL)
			t->call[t->rules[r].hook].nr_rules++;
	for (r = 0; r < t->nr_hooks; r++) {
		t->call[r].first_rule = n;
		n += t->call[r].nr_rules;
		t->call[r].nr_rules = 0;
	}
	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];
		struct ftg_call_hook *h;

		if (rule->kind != FTG_KIND_CALL)
			continue;
		h = &t->call[rule->hook];
		t->call_rules[h->first_rule + h->nr_rules++] = r;
		if (rule->action == FTG_ACT_DENY)
			h->deny = true;
	}
	return 0;
}

/* The kinds whose key values name files by identity too: exec and open. */
static bool ftg_kind_has_idents(u32 kind)
{
	return kind == FTG_KIND_EXEC || kind == FTG_KIND_OPEN;
}

/*
 * Values that may name a file (exact) or a directory (prefix) by identity:
 * an upper bound.
 */
static u32 ftg_ident_values(const struct ftg_table *t, const struct ftg_rule *rule)
{
	const struct ftg_sel *sel = &rule->sel[FTG_KIND_KEY_SLOT(rule->kind)];
	u32 i, n = 0;

	if (!ftg_kind_has_idents(rule->kind))
		return 0;
	for (i = 0; i < sel->count; i++)
		n += t->values[sel->first + i].type != FTG_VAL_GLOB;
	return n;
}

/* Count first, to allocate once.  Call rules go to their hook's list. */
static int ftg_index_alloc(struct ftg_table *t, u32 *nb)
{
	u32 r, slot, n = 0, na = 0, ni = 0;

	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];

		if (rule->kind == FTG_KIND_CALL)
			continue;
		slot = FTG_KIND_KEY_SLOT(rule->kind);
		if (rule->sel[slot].count)
			n += rule->sel[slot].count;
		else
			na++;
		ni += ftg_ident_values(t, rule);
	}
	n += ni;
	*nb = n ? roundup_pow_of_two(n) : 1;
	t->entries = kvcalloc(max_t(u32, n, 1), sizeof(*t->entries), GFP_KERNEL);
	t->always = kvcalloc(max_t(u32, na, 1), sizeof(*t->always), GFP_KERNEL);
	t->bucket_start = kvcalloc(*nb + 1, sizeof(u32), GFP_KERNEL);
	t->idents = kvcalloc(max_t(u32, ni, 1), sizeof(*t->idents), GFP_KERNEL);
	if (!t->entries || !t->always || !t->bucket_start || !t->idents)
		return -ENOMEM;
	t->bucket_mask = *nb - 1;
	return 0;
}

/* Rule @r's entries: one per key value, or one "always" entry without any. */
static void ftg_index_rule(struct ftg_table *t, u32 r, u32 *n, u32 *na)
{
	const struct ftg_rule *rule = &t->rules[r];
	u32 k = rule->kind;
	const struct ftg_sel *sel = &rule->sel[FTG_KIND_KEY_SLOT(k)];
	u32 i;

	if (!sel->count) {
		t->always[(*na)++] = (struct ftg_ientry) {
			.rule = r, .value = FTG_NO_VALUE,
			.kind = k, .type = FTG_IDX_ALWAYS,
		};
		return;
	}
	for (i = 0; i < sel->count; i++) {
		const struct ftg_value *v = &t->values[sel->first + i];
		struct ftg_ientry *e = &t->entries[(*n)++];

		e->rule = r;
		e->value = sel->first + i;
		e->kind = k;
		e->key = t->strings + v->str_off;
		if (v->type == FTG_VAL_EXACT) {
			e->type = FTG_IDX_EXACT;
			e->key_len = v->str_len;
			t->has_exact[k] = true;
		} else {
			e->type = FTG_IDX_PREFIX;
			e->key_len = v->type == FTG_VAL_GLOB ?
				ftg_glob_literal_len(e->key, v->str_len) : v->str_len;
			__set_bit(e->key_len, t->prefix_lens[k]);
		}
		e->hash = ftg_fnv(e->key, e->key_len);
	}
}

/*
 * The identity of the file an exact value @v names now, or of the
 * directory a prefix value names, resolved in the caller's namespaces,
 * symlinks followed; false when there is none (the value then matches by
 * name only).  @buf holds FTG_KEY_MAX + 1 bytes.  May sleep.
 */
static bool ftg_resolve_ident(const struct ftg_table *t, const struct ftg_value *v,
			      char *buf, struct ftg_ident_key *k)
{
	struct inode *inode;
	struct path path;

	if (v->str_len > FTG_KEY_MAX || t->strings[v->str_off] != '/')
		return false;
	memcpy(buf, t->strings + v->str_off, v->str_len);
	buf[v->str_len] = '\0';
	if (kern_path(buf, LOOKUP_FOLLOW, &path))
		return false;
	inode = d_inode(path.dentry);
	if (inode && v->type == FTG_VAL_PREFIX && !S_ISDIR(inode->i_mode))
		inode = NULL;
	if (inode) {
		k->ino = inode->i_ino;
		k->dev = inode->i_sb->s_dev;
		k->gen = inode->i_generation;
	}
	path_put(&path);
	return inode;
}

/*
 * One FTG_IDX_IDENT entry per exact value of an exec or open rule's key
 * that names an existing file, one FTG_IDX_IDENT_DIR entry per prefix value
 * that names a directory; keeps no reference on them.
 */
static int ftg_index_idents(struct ftg_table *t, u32 *n)
{
	char *buf;
	u32 r, i;

	buf = kmalloc(FTG_KEY_MAX + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];
		const struct ftg_sel *sel = &rule->sel[FTG_KIND_KEY_SLOT(rule->kind)];

		if (!ftg_ident_values(t, rule))
			continue;
		for (i = 0; i < sel->count; i++) {
			const struct ftg_value *v = &t->values[sel->first + i];
			struct ftg_ident_key *k = &t->idents[t->nr_idents];
			struct ftg_ientry *e;

			if (v->type == FTG_VAL_GLOB || !ftg_resolve_ident(t, v, buf, k))
				continue;
			t->nr_idents++;
			e = &t->entries[(*n)++];
			*e = (struct ftg_ientry) {
				.key = (const u8 *)k, .key_len = sizeof(*k),
				.rule = r, .value = sel->first + i, .kind = rule->kind,
				.type = v->type == FTG_VAL_EXACT ? FTG_IDX_IDENT : FTG_IDX_IDENT_DIR,
			};
			e->hash = ftg_fnv(e->key, e->key_len);
			if (v->type == FTG_VAL_EXACT)
				t->has_ident[rule->kind] = true;
			else
				t->has_dir_ident[rule->kind] = true;
		}
	}
	kfree(buf);
	return 0;
}

int ftg_table_build_index(struct ftg_table *t)
{
	u32 r, i, nb, k, n = 0, na = 0;
	int err;

	err = ftg_index_alloc(t, &nb);
	if (err)
		return err;
	/* The "always" entries of one kind stay together, kinds in order. */
	for (k = 0; k < FTG_KINDS; k++) {
		t->always_first[k] = na;
		if (k == FTG_KIND_CALL)
			continue;
		for (r = 0; r < t->nr_rules; r++)
			if (t->rules[r].kind == k)
				ftg_index_rule(t, r, &n, &na);
	}
	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];

		t->kind_masks[rule->kind] |= rule->mask ?: U32_MAX;
		if (rule->kind == FTG_KIND_EXEC && rule->sel[FTG_SEL_SHA256].count)
			t->has_content = true;
	}
	t->always_first[FTG_KINDS] = na;
	err = ftg_index_idents(t, &n);
	if (err)
		return err;
	t->nr_entries = n;
	err = ftg_name_filter_build(t, FTG_KIND_OPEN, &t->open_names);
	if (err)
		return err;

	sort_r(t->entries, n, sizeof(*t->entries), ftg_ientry_bucket_cmp, NULL,
	       &t->bucket_mask);
	for (i = 0; i < n; i++)
		t->bucket_start[((u32)t->entries[i].hash & t->bucket_mask) + 1]++;
	for (i = 0; i < nb; i++)
		t->bucket_start[i + 1] += t->bucket_start[i];
	return ftg_build_call_lists(t);
}
