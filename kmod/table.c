// SPDX-License-Identifier: GPL-2.0
/*
 * Rule tables: copy what userspace wrote, check every field, count, length
 * and offset before anything else reads it, build the lookup index in new
 * memory, then publish it with one RCU pointer.  On any error the current
 * table stays.  Readers in ftrace callbacks use the table under RCU; the
 * exec wrapper, which sleeps, holds a reference.
 */
#define pr_fmt(fmt) "ftguard: " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "policy.h"

struct ftg_table __rcu *ftg_current_table;
static DEFINE_MUTEX(ftg_table_lock);	/* writers of ftg_current_table */
static u64 ftg_generation;

static void ftg_table_free(struct ftg_table *t)
{
	if (!t)
		return;
	kvfree(t->entries);
	kvfree(t->always);
	kvfree(t->bucket_start);
	kvfree(t->blob);
	kfree(t);
}

struct ftg_table *ftg_table_get_ref(void)
{
	struct ftg_table *t;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	if (t && !refcount_inc_not_zero(&t->ref))
		t = NULL;
	rcu_read_unlock();
	return t;
}

/* May sleep.  The published pointer holds one reference. */
void ftg_table_put(struct ftg_table *t)
{
	if (t && refcount_dec_and_test(&t->ref))
		ftg_table_free(t);
}

/* ---- validation ------------------------------------------------------ */

struct ftg_check {
	const u8 *blob;
	u32 error;
	u32 offset;
};

static int ftg_bad(struct ftg_check *c, u32 error, const void *field)
{
	c->error = error;
	c->offset = (const u8 *)field - c->blob;
	return -EINVAL;
}

/* Slots each kind may use. */
static const u32 ftg_kind_slots[FTG_KINDS] = {
	[FTG_KIND_EXEC] = BIT(FTG_SEL_BINARY) | BIT(FTG_SEL_PARENT) | BIT(FTG_SEL_ANCESTOR) |
			  BIT(FTG_SEL_UID) | BIT(FTG_SEL_EUID) | BIT(FTG_SEL_ARGV),
	[FTG_KIND_OPEN] = BIT(FTG_SEL_OBJECT) | BIT(FTG_SEL_BINARY),
	[FTG_KIND_CONNECT] = BIT(FTG_SEL_ADDRESS) | BIT(FTG_SEL_PORT) | BIT(FTG_SEL_BINARY),
	[FTG_KIND_MODULE_LOAD] = BIT(FTG_SEL_OBJECT) | BIT(FTG_SEL_BINARY),
	[FTG_KIND_PTRACE] = BIT(FTG_SEL_OBJECT) | BIT(FTG_SEL_BINARY),
	[FTG_KIND_PRIVILEGE] = BIT(FTG_SEL_BINARY),
};

static const u32 ftg_kind_masks[FTG_KINDS] = {
	[FTG_KIND_OPEN] = FTG_ACCESS_READ | FTG_ACCESS_WRITE | FTG_ACCESS_CREATE |
			  FTG_ACCESS_TRUNCATE,
	[FTG_KIND_PRIVILEGE] = FTG_GAIN_UID0 | FTG_GAIN_CAPS,
};

static const u32 ftg_kind_flags[FTG_KINDS] = {
	[FTG_KIND_EXEC] = FTG_RULE_NEGATE_UID | FTG_RULE_NEGATE_EUID | FTG_RULE_FILELESS_SET |
			  FTG_RULE_FILELESS | FTG_RULE_TEMPDIR_SET | FTG_RULE_TEMPDIR,
	[FTG_KIND_CONNECT] = FTG_RULE_NEGATE_PORT,
};

/* A name: [a-z0-9-], at least one byte, NUL-terminated and NUL-padded. */
static bool ftg_name_ok(const char *name)
{
	size_t i = 0;

	while (i < FTG_NAME_LEN && name[i]) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		i++;
	}
	if (i == 0 || i == FTG_NAME_LEN)
		return false;
	for (; i < FTG_NAME_LEN; i++)
		if (name[i])
			return false;
	return true;
}

static int ftg_check_section(struct ftg_check *c, const struct ftg_table_header *h,
			     const struct ftg_section *s, size_t elem, u32 max)
{
	u64 end = (u64)s->offset + (u64)s->count * elem;

	if (s->count > max)
		return ftg_bad(c, FTG_TERR_COUNT, &s->count);
	if (s->offset % 8 || s->offset < sizeof(*h) || end > h->size)
		return ftg_bad(c, FTG_TERR_SECTION, &s->offset);
	return 0;
}

/* Non-empty sections must not overlap. */
static int ftg_check_overlap(struct ftg_check *c, const struct ftg_table_header *h)
{
	const struct ftg_section *s[] = { &h->policies, &h->rules, &h->values, &h->strings };
	const size_t elem[] = { sizeof(struct ftg_policy), sizeof(struct ftg_rule),
				sizeof(struct ftg_value), 1 };
	int i, j;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		u64 a0 = s[i]->offset, a1 = a0 + (u64)s[i]->count * elem[i];

		for (j = i + 1; j < ARRAY_SIZE(s); j++) {
			u64 b0 = s[j]->offset, b1 = b0 + (u64)s[j]->count * elem[j];

			if (a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1)
				return ftg_bad(c, FTG_TERR_SECTION, &s[j]->offset);
		}
	}
	return 0;
}

static int ftg_check_string(struct ftg_check *c, const struct ftg_table *t,
			    const struct ftg_value *v)
{
	if (!v->str_len || v->str_len > FTG_TABLE_STR_MAX ||
	    (u64)v->str_off + v->str_len > t->strings_len ||
	    memchr(t->strings + v->str_off, 0, v->str_len))
		return ftg_bad(c, FTG_TERR_STRING, &v->str_off);
	if (v->type == FTG_VAL_GLOB && !ftg_glob_valid(t->strings + v->str_off, v->str_len))
		return ftg_bad(c, FTG_TERR_GLOB, &v->str_off);
	return 0;
}

static bool ftg_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static int ftg_check_cidr(struct ftg_check *c, const struct ftg_value *v)
{
	u32 bits = v->type == FTG_VAL_CIDR4 ? 32 : 128;
	u32 i;

	if (v->prefix_len > bits || (bits == 32 && !ftg_zero(v->addr + 4, 12)))
		return ftg_bad(c, FTG_TERR_VALUE, &v->prefix_len);
	for (i = v->prefix_len; i < bits; i++)
		if (v->addr[i / 8] & (0x80 >> (i % 8)))
			return ftg_bad(c, FTG_TERR_VALUE, v->addr);
	return 0;
}

/* Every value of a selector has a type that fits its slot, and is sound. */
static int ftg_check_value(struct ftg_check *c, const struct ftg_table *t, u32 slot,
			   const struct ftg_value *v)
{
	switch (slot) {
	case FTG_SEL_BINARY:
	case FTG_SEL_OBJECT:
	case FTG_SEL_PARENT:
	case FTG_SEL_ANCESTOR:
	case FTG_SEL_ARGV:
		if (v->type != FTG_VAL_EXACT &&
		    (slot == FTG_SEL_ARGV || (v->type != FTG_VAL_PREFIX && v->type != FTG_VAL_GLOB)))
			return ftg_bad(c, FTG_TERR_VALUE, &v->type);
		if (v->prefix_len || v->lo || v->hi || !ftg_zero(v->addr, sizeof(v->addr)))
			return ftg_bad(c, FTG_TERR_VALUE, v);
		return ftg_check_string(c, t, v);
	case FTG_SEL_UID:
	case FTG_SEL_EUID:
	case FTG_SEL_PORT:
		if (v->type != FTG_VAL_RANGE)
			return ftg_bad(c, FTG_TERR_VALUE, &v->type);
		if (v->prefix_len || v->str_len || v->str_off || !ftg_zero(v->addr, sizeof(v->addr)) ||
		    v->lo > v->hi || v->hi > (slot == FTG_SEL_PORT ? 65535 : 0xfffffffeULL))
			return ftg_bad(c, FTG_TERR_VALUE, &v->lo);
		return 0;
	case FTG_SEL_ADDRESS:
		if (v->type != FTG_VAL_CIDR4 && v->type != FTG_VAL_CIDR6)
			return ftg_bad(c, FTG_TERR_VALUE, &v->type);
		if (v->str_len || v->str_off || v->lo || v->hi)
			return ftg_bad(c, FTG_TERR_VALUE, v);
		return ftg_check_cidr(c, v);
	}
	return ftg_bad(c, FTG_TERR_SELECTOR, v);
}

static int ftg_check_rule(struct ftg_check *c, const struct ftg_table *t,
			  const struct ftg_rule *r, u32 prev_policy)
{
	u32 slot, i, flags;
	int err;

	if (!ftg_name_ok(r->name))
		return ftg_bad(c, FTG_TERR_NAME, r->name);
	if (r->policy >= t->nr_policies || r->policy < prev_policy)
		return ftg_bad(c, FTG_TERR_POLICY, &r->policy);
	if (r->kind >= FTG_KINDS)
		return ftg_bad(c, FTG_TERR_KIND, &r->kind);
	if (r->action >= FTG_ACTIONS)
		return ftg_bad(c, FTG_TERR_ACTION, &r->action);
	if (r->action == FTG_ACT_DENY || r->action == FTG_ACT_DENY_KILL ?
	    (r->err < 1 || r->err > MAX_ERRNO) : r->err != 0)
		return ftg_bad(c, FTG_TERR_ERRNO, &r->err);

	flags = r->flags;
	if (flags & ~ftg_kind_flags[r->kind] ||
	    (flags & FTG_RULE_FILELESS && !(flags & FTG_RULE_FILELESS_SET)) ||
	    (flags & FTG_RULE_TEMPDIR && !(flags & FTG_RULE_TEMPDIR_SET)) ||
	    (flags & FTG_RULE_NEGATE_UID && !r->sel[FTG_SEL_UID].count) ||
	    (flags & FTG_RULE_NEGATE_EUID && !r->sel[FTG_SEL_EUID].count) ||
	    (flags & FTG_RULE_NEGATE_PORT && !r->sel[FTG_SEL_PORT].count))
		return ftg_bad(c, FTG_TERR_FLAGS, &r->flags);
	if (r->mask & ~ftg_kind_masks[r->kind])
		return ftg_bad(c, FTG_TERR_MASK, &r->mask);

	for (slot = 0; slot < FTG_SELS; slot++) {
		const struct ftg_sel *s = &r->sel[slot];

		if (!s->count) {
			if (s->first)
				return ftg_bad(c, FTG_TERR_SELECTOR, s);
			continue;
		}
		if (!(ftg_kind_slots[r->kind] & BIT(slot)) || s->count > FTG_TABLE_SEL_MAX ||
		    (u64)s->first + s->count > t->nr_values)
			return ftg_bad(c, FTG_TERR_SELECTOR, s);
		for (i = 0; i < s->count; i++) {
			err = ftg_check_value(c, t, slot, &t->values[s->first + i]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int ftg_check_table(struct ftg_check *c, struct ftg_table *t)
{
	const struct ftg_table_header *h = (const void *)t->blob;
	u32 i, prev = 0;
	int err;

	if (h->magic != FTG_TABLE_MAGIC)
		return ftg_bad(c, FTG_TERR_MAGIC, &h->magic);
	if (h->version != FTG_TABLE_VERSION)
		return ftg_bad(c, FTG_TERR_VERSION, &h->version);
	if (h->size != t->size)
		return ftg_bad(c, FTG_TERR_SIZE, &h->size);
	if (h->flags)
		return ftg_bad(c, FTG_TERR_FLAGS, &h->flags);
	err = ftg_check_section(c, h, &h->policies, sizeof(struct ftg_policy),
				FTG_TABLE_POLICIES_MAX) ?:
	      ftg_check_section(c, h, &h->rules, sizeof(struct ftg_rule), FTG_TABLE_RULES_MAX) ?:
	      ftg_check_section(c, h, &h->values, sizeof(struct ftg_value),
				FTG_TABLE_VALUES_MAX) ?:
	      ftg_check_section(c, h, &h->strings, 1, FTG_TABLE_MAX) ?:
	      ftg_check_overlap(c, h);
	if (err)
		return err;

	t->policies = (const void *)(t->blob + h->policies.offset);
	t->nr_policies = h->policies.count;
	t->rules = (const void *)(t->blob + h->rules.offset);
	t->nr_rules = h->rules.count;
	t->values = (const void *)(t->blob + h->values.offset);
	t->nr_values = h->values.count;
	t->strings = t->blob + h->strings.offset;
	t->strings_len = h->strings.count;

	for (i = 0; i < t->nr_policies; i++) {
		const struct ftg_policy *p = &t->policies[i];

		if (!ftg_name_ok(p->name))
			return ftg_bad(c, FTG_TERR_NAME, p->name);
		if (p->mode != FTG_MODE_ENFORCE && p->mode != FTG_MODE_MONITOR)
			return ftg_bad(c, FTG_TERR_MODE, &p->mode);
	}
	for (i = 0; i < t->nr_rules; i++) {
		err = ftg_check_rule(c, t, &t->rules[i], prev);
		if (err)
			return err;
		prev = t->rules[i].policy;
		t->kind_rules[t->rules[i].kind]++;
	}
	return 0;
}

/* ---- index ----------------------------------------------------------- */

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

static int ftg_build_index(struct ftg_table *t)
{
	u32 r, i, slot, n = 0, na = 0, nb, k;

	/* Count first, to allocate once. */
	for (r = 0; r < t->nr_rules; r++) {
		const struct ftg_rule *rule = &t->rules[r];

		slot = FTG_KIND_KEY_SLOT(rule->kind);
		if (rule->sel[slot].count)
			n += rule->sel[slot].count;
		else
			na++;
	}
	nb = n ? roundup_pow_of_two(n) : 1;
	t->entries = kvcalloc(max_t(u32, n, 1), sizeof(*t->entries), GFP_KERNEL);
	t->always = kvcalloc(max_t(u32, na, 1), sizeof(*t->always), GFP_KERNEL);
	t->bucket_start = kvcalloc(nb + 1, sizeof(u32), GFP_KERNEL);
	if (!t->entries || !t->always || !t->bucket_start)
		return -ENOMEM;
	t->bucket_mask = nb - 1;

	n = 0;
	na = 0;
	for (k = 0; k < FTG_KINDS; k++) {
		t->always_first[k] = na;
		for (r = 0; r < t->nr_rules; r++) {
			const struct ftg_rule *rule = &t->rules[r];
			const struct ftg_sel *sel;

			if (rule->kind != k)
				continue;
			sel = &rule->sel[FTG_KIND_KEY_SLOT(k)];
			if (!sel->count) {
				t->always[na++] = (struct ftg_ientry) {
					.rule = r, .value = FTG_NO_VALUE,
					.kind = k, .type = FTG_IDX_ALWAYS,
				};
				continue;
			}
			for (i = 0; i < sel->count; i++) {
				const struct ftg_value *v = &t->values[sel->first + i];
				struct ftg_ientry *e = &t->entries[n++];

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
	}
	t->always_first[FTG_KINDS] = na;
	t->nr_entries = n;

	sort_r(t->entries, n, sizeof(*t->entries), ftg_ientry_bucket_cmp, NULL,
	       &t->bucket_mask);
	for (i = 0; i < n; i++)
		t->bucket_start[((u32)t->entries[i].hash & t->bucket_mask) + 1]++;
	for (i = 0; i < nb; i++)
		t->bucket_start[i + 1] += t->bucket_start[i];
	return 0;
}

/* ---- ioctls ---------------------------------------------------------- */

int ftg_table_set(const void __user *data, u32 size, u64 *generation,
		  u32 *error, u32 *error_offset)
{
	struct ftg_check check = { };
	struct ftg_table *t, *old;
	int err;

	*error = FTG_TERR_NONE;
	*error_offset = 0;
	if (size < sizeof(struct ftg_table_header) || size > FTG_TABLE_MAX) {
		*error = FTG_TERR_SIZE;
		return -EINVAL;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		goto nomem;
	t->size = size;
	t->blob = kvmalloc(size, GFP_KERNEL);
	if (!t->blob)
		goto nomem;
	if (copy_from_user(t->blob, data, size)) {
		ftg_table_free(t);
		return -EFAULT;
	}
	check.blob = t->blob;

	mutex_lock(&ftg_table_lock);
	err = ftg_check_table(&check, t);
	if (!err) {
		err = ftg_build_index(t);
		if (err)
			check.error = FTG_TERR_NOMEM;
	}
	if (err) {
		mutex_unlock(&ftg_table_lock);
		ftg_table_free(t);
		*error = check.error;
		*error_offset = check.offset;
		return err;
	}
	refcount_set(&t->ref, 1);
	t->generation = ++ftg_generation;
	old = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	rcu_assign_pointer(ftg_current_table, t);
	*generation = t->generation;
	mutex_unlock(&ftg_table_lock);

	pr_info("rule table %llu: %u policies, %u rules, %u bytes\n",
		t->generation, t->nr_policies, t->nr_rules, t->size);
	/* Callbacks that may still see the old table run under RCU. */
	synchronize_rcu();
	ftg_table_put(old);
	return 0;

nomem:
	ftg_table_free(t);
	*error = FTG_TERR_NOMEM;
	return -ENOMEM;
}

int ftg_table_get(void __user *data, u32 size, u32 *needed, u64 *generation)
{
	struct ftg_table *t;
	int err = 0;

	mutex_lock(&ftg_table_lock);
	t = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	*needed = t ? t->size : 0;
	*generation = t ? t->generation : 0;
	if (t && size < t->size)
		err = -ENOSPC;
	else if (t && copy_to_user(data, t->blob, t->size))
		err = -EFAULT;
	mutex_unlock(&ftg_table_lock);
	return err;
}

void ftg_table_info(u64 *generation, u32 *rules, u32 *bytes)
{
	struct ftg_table *t;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	*generation = t ? t->generation : 0;
	*rules = t ? t->nr_rules : 0;
	*bytes = t ? t->size : 0;
	rcu_read_unlock();
}

/* After the hooks are gone: nothing reads the table any more. */
void ftg_tables_exit(void)
{
	struct ftg_table *t;

	mutex_lock(&ftg_table_lock);
	t = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	RCU_INIT_POINTER(ftg_current_table, NULL);
	mutex_unlock(&ftg_table_lock);
	synchronize_rcu();
	ftg_table_put(t);
}
