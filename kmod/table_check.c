// SPDX-License-Identifier: GPL-2.0
/*
 * Rule table validation: every field, count, length and offset of a table
 * userspace wrote is checked here, in the module's own copy, before the
 * index or any hook reads it.  The first error found is reported with its
 * code and byte offset (FTG_IOC_TABLE_SET).
 */
#include "common.h"

#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "policy.h"
#include "table.h"

static int ftg_bad(struct ftg_check *c, u32 error, const void *field)
{
	c->error = error;
	c->offset = (const u8 *)field - c->blob;
	return -EINVAL;
}

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
	if (s->offset % FTG_TABLE_SECTION_ALIGN || s->offset < sizeof(*h) || end > h->size)
		return ftg_bad(c, FTG_TERR_SECTION, &s->offset);
	return 0;
}

/* Non-empty sections must not overlap. */
static int ftg_check_overlap(struct ftg_check *c, const struct ftg_table_header *h)
{
	const struct ftg_section *s[] = { &h->policies, &h->rules, &h->values, &h->strings,
					  &h->hooks, &h->args };
	const size_t elem[] = { sizeof(struct ftg_policy), sizeof(struct ftg_rule),
				sizeof(struct ftg_value), 1, sizeof(struct ftg_hook_decl),
				sizeof(struct ftg_arg_decl) };
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

static int ftg_check_str_value(struct ftg_check *c, const struct ftg_table *t,
			       const struct ftg_value *v, bool exact_only)
{
	if (v->type != FTG_VAL_EXACT &&
	    (exact_only || (v->type != FTG_VAL_PREFIX && v->type != FTG_VAL_GLOB)))
		return ftg_bad(c, FTG_TERR_VALUE, &v->type);
	if (v->prefix_len || v->lo || v->hi || !ftg_zero(v->addr, sizeof(v->addr)))
		return ftg_bad(c, FTG_TERR_VALUE, v);
	return ftg_check_string(c, t, v);
}

/* A digest: FTG_SHA256_HEX_LEN lower-case hex digits. */
static int ftg_check_sha256_value(struct ftg_check *c, const struct ftg_table *t,
				  const struct ftg_value *v)
{
	const u8 *p;
	u32 i;
	int err;

	if (v->type != FTG_VAL_SHA256)
		return ftg_bad(c, FTG_TERR_VALUE, &v->type);
	if (v->prefix_len || v->lo || v->hi || !ftg_zero(v->addr, sizeof(v->addr)))
		return ftg_bad(c, FTG_TERR_VALUE, v);
	err = ftg_check_string(c, t, v);
	if (err)
		return err;
	if (v->str_len != FTG_SHA256_HEX_LEN)
		return ftg_bad(c, FTG_TERR_VALUE, &v->str_len);
	p = t->strings + v->str_off;
	for (i = 0; i < FTG_SHA256_HEX_LEN; i++)
		if (!isdigit(p[i]) && (p[i] < 'a' || p[i] > 'f'))
			return ftg_bad(c, FTG_TERR_VALUE, &v->str_off);
	return 0;
}

static int ftg_check_addr_value(struct ftg_check *c, const struct ftg_value *v)
{
	if (v->type != FTG_VAL_CIDR4 && v->type != FTG_VAL_CIDR6)
		return ftg_bad(c, FTG_TERR_VALUE, &v->type);
	if (v->str_len || v->str_off || v->lo || v->hi)
		return ftg_bad(c, FTG_TERR_VALUE, v);
	return ftg_check_cidr(c, v);
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
		return ftg_check_str_value(c, t, v, slot == FTG_SEL_ARGV);
	case FTG_SEL_UID:
	case FTG_SEL_EUID:
	case FTG_SEL_PORT:
		if (v->type != FTG_VAL_RANGE)
			return ftg_bad(c, FTG_TERR_VALUE, &v->type);
		if (v->prefix_len || v->str_len || v->str_off || !ftg_zero(v->addr, sizeof(v->addr)) ||
		    v->lo > v->hi || v->hi > (slot == FTG_SEL_PORT ? FTG_PORT_MAX : FTG_ID_MAX))
			return ftg_bad(c, FTG_TERR_VALUE, &v->lo);
		return 0;
	case FTG_SEL_ADDRESS:
		return ftg_check_addr_value(c, v);
	case FTG_SEL_SHA256:
		return ftg_check_sha256_value(c, t, v);
	}
	return ftg_bad(c, FTG_TERR_SELECTOR, v);
}

/* A value on a call field: fits the field's type and is sound. */
static int ftg_check_field_value(struct ftg_check *c, const struct ftg_table *t, u8 type,
				 bool is_signed, const struct ftg_value *v)
{
	switch (type) {
	case FTG_FIELD_STR:
		return ftg_check_str_value(c, t, v, false);
	case FTG_FIELD_ADDR:
		return ftg_check_addr_value(c, v);
	}
	if (v->prefix_len || v->str_len || v->str_off || !ftg_zero(v->addr, sizeof(v->addr)))
		return ftg_bad(c, FTG_TERR_VALUE, v);
	switch (v->type) {
	case FTG_VAL_RANGE:
		if (is_signed ? (s64)v->lo > (s64)v->hi : v->lo > v->hi)
			return ftg_bad(c, FTG_TERR_VALUE, &v->lo);
		return 0;
	case FTG_VAL_MASK_ALL:
	case FTG_VAL_MASK_ANY:
		if (!v->lo || v->hi)
			return ftg_bad(c, FTG_TERR_VALUE, &v->lo);
		return 0;
	}
	return ftg_bad(c, FTG_TERR_VALUE, &v->type);
}

/* The fields of a call rule, or none for other kinds. */
static int ftg_check_rule_fields(struct ftg_check *c, const struct ftg_table *t,
				 const struct ftg_rule *r)
{
	const struct ftg_call_hook *h = NULL;
	u32 f, i;
	int err;

	if (r->reserved)
		return ftg_bad(c, FTG_TERR_FLAGS, &r->reserved);
	if (r->kind == FTG_KIND_CALL) {
		if (r->hook >= t->nr_hooks)
			return ftg_bad(c, FTG_TERR_HOOK, &r->hook);
		if (r->action != FTG_ACT_ALLOW && r->action != FTG_ACT_AUDIT &&
		    r->action != FTG_ACT_DENY)
			return ftg_bad(c, FTG_TERR_ACTION, &r->action);
		h = &t->call[r->hook];
	} else if (r->hook) {
		return ftg_bad(c, FTG_TERR_HOOK, &r->hook);
	}
	for (f = 0; f < FTG_CALL_FIELDS_MAX; f++) {
		const struct ftg_sel *s = &r->fields[f];

		if (!s->count) {
			if (s->first)
				return ftg_bad(c, FTG_TERR_SELECTOR, s);
			continue;
		}
		if (!h || f >= h->nr_fields || s->count > FTG_TABLE_SEL_MAX ||
		    (u64)s->first + s->count > t->nr_values)
			return ftg_bad(c, FTG_TERR_SELECTOR, s);
		for (i = 0; i < s->count; i++) {
			err = ftg_check_field_value(c, t, h->field_type[f],
						    h->field_signed & BIT(f),
						    &t->values[s->first + i]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int ftg_check_rule(struct ftg_check *c, const struct ftg_table *t,
			  const struct ftg_rule *r, u32 prev_policy)
{
	u32 slot, i, flags;
	int err;

	BUILD_BUG_ON(FTG_ERRNO_MAX != MAX_ERRNO);
	if (!ftg_name_ok(r->name))
		return ftg_bad(c, FTG_TERR_NAME, r->name);
	if (r->policy >= t->nr_policies || r->policy < prev_policy)
		return ftg_bad(c, FTG_TERR_POLICY, &r->policy);
	if (r->kind >= FTG_KINDS)
		return ftg_bad(c, FTG_TERR_KIND, &r->kind);
	if (r->action >= FTG_ACTIONS)
		return ftg_bad(c, FTG_TERR_ACTION, &r->action);
	if (r->action == FTG_ACT_DENY || r->action == FTG_ACT_DENY_KILL ?
	    (r->err < 1 || r->err > FTG_ERRNO_MAX) : r->err != 0)
		return ftg_bad(c, FTG_TERR_ERRNO, &r->err);

	flags = r->flags;
	if (flags & ~FTG_KIND_FLAGS(r->kind) ||
	    (flags & FTG_RULE_FILELESS && !(flags & FTG_RULE_FILELESS_SET)) ||
	    (flags & FTG_RULE_TEMPDIR && !(flags & FTG_RULE_TEMPDIR_SET)) ||
	    (flags & FTG_RULE_NEGATE_UID && !r->sel[FTG_SEL_UID].count) ||
	    (flags & FTG_RULE_NEGATE_EUID && !r->sel[FTG_SEL_EUID].count) ||
	    (flags & FTG_RULE_NEGATE_PORT && !r->sel[FTG_SEL_PORT].count))
		return ftg_bad(c, FTG_TERR_FLAGS, &r->flags);
	if (r->mask & ~FTG_KIND_MASK(r->kind))
		return ftg_bad(c, FTG_TERR_MASK, &r->mask);

	err = ftg_check_rule_fields(c, t, r);
	if (err)
		return err;
	for (slot = 0; slot < FTG_SELS; slot++) {
		const struct ftg_sel *s = &r->sel[slot];

		if (!s->count) {
			if (s->first)
				return ftg_bad(c, FTG_TERR_SELECTOR, s);
			continue;
		}
		if (!(FTG_KIND_SLOTS(r->kind) & FTG_SLOT(slot)) || s->count > FTG_TABLE_SEL_MAX ||
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

/* A kernel symbol: [A-Za-z0-9_.$], NUL-terminated and NUL-padded. */
static bool ftg_function_ok(const char *name)
{
	size_t i = 0;

	while (i < FTG_FUNC_NAME_MAX && name[i]) {
		char ch = name[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '$')
			return false;
		i++;
	}
	if (i == 0 || i == FTG_FUNC_NAME_MAX)
		return false;
	return ftg_zero(name + i, FTG_FUNC_NAME_MAX - i);
}

/* Bytes a field's value takes in a record, header included. */
static u32 ftg_field_bytes(u8 type, u16 max_len)
{
	return sizeof(struct ftg_field) +
		(type == FTG_FIELD_INT ? 8 : type == FTG_FIELD_ADDR ? 16 : ALIGN(max_len, 8));
}

static int ftg_add_field(struct ftg_check *c, struct ftg_call_hook *h,
			 const struct ftg_arg_decl *a, u8 type, bool is_signed, u32 *bytes)
{
	if (h->nr_fields == FTG_CALL_FIELDS_MAX)
		return ftg_bad(c, FTG_TERR_HOOK, a);
	if (is_signed)
		h->field_signed |= BIT(h->nr_fields);
	h->field_type[h->nr_fields++] = type;
	*bytes += ftg_field_bytes(type, a->max_len);
	return 0;
}

/* An argument name: [a-z][A-Za-z0-9_]*, NUL-terminated and NUL-padded. */
static bool ftg_arg_name_ok(const char *name)
{
	size_t i = 0;

	if (!islower(name[0]))
		return false;
	while (i < FTG_ARG_NAME_LEN && name[i]) {
		if (!isalnum(name[i]) && name[i] != '_')
			return false;
		i++;
	}
	return i < FTG_ARG_NAME_LEN && ftg_zero(name + i, FTG_ARG_NAME_LEN - i);
}

static int ftg_check_arg(struct ftg_check *c, struct ftg_call_hook *h,
			 const struct ftg_arg_decl *a, u32 *bytes)
{
	bool str = a->type >= FTG_ARG_KSTRING && a->type <= FTG_ARG_DENTRY;
	int i, err = 0;

	if (!ftg_arg_name_ok(a->name))
		return ftg_bad(c, FTG_TERR_HOOK, a->name);
	if (a->position >= FTG_CALL_ARGS_MAX || a->reserved)
		return ftg_bad(c, FTG_TERR_HOOK, a);
	if (a->type == FTG_ARG_INT ?
	    (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8) : a->size)
		return ftg_bad(c, FTG_TERR_HOOK, &a->size);
	if (a->flags & ~FTG_ARGF_SIGNED || (a->flags && a->type != FTG_ARG_INT))
		return ftg_bad(c, FTG_TERR_HOOK, &a->flags);
	if (str ? (!a->max_len || a->max_len > FTG_CALL_STR_MAX) : a->max_len)
		return ftg_bad(c, FTG_TERR_HOOK, &a->max_len);
	switch (a->type) {
	case FTG_ARG_INT:
		return ftg_add_field(c, h, a, FTG_FIELD_INT, a->flags & FTG_ARGF_SIGNED, bytes);
	case FTG_ARG_KSTRING:
	case FTG_ARG_USTRING:
	case FTG_ARG_FILE:
	case FTG_ARG_PATH:
	case FTG_ARG_DENTRY:
		return ftg_add_field(c, h, a, FTG_FIELD_STR, false, bytes);
	case FTG_ARG_SOCKADDR:
		return ftg_add_field(c, h, a, FTG_FIELD_INT, false, bytes) ?:
		       ftg_add_field(c, h, a, FTG_FIELD_ADDR, false, bytes) ?:
		       ftg_add_field(c, h, a, FTG_FIELD_INT, false, bytes);
	case FTG_ARG_CRED:
		for (i = 0; i < 4 && !err; i++)
			err = ftg_add_field(c, h, a, FTG_FIELD_INT, false, bytes);
		return err;
	}
	return ftg_bad(c, FTG_TERR_HOOK, &a->type);
}

/* Declared hooks: names, flags, arguments, and the largest record each makes. */
static int ftg_check_hooks(struct ftg_check *c, struct ftg_table *t)
{
	u32 i, j, k;
	int err;

	if (!t->nr_hooks)
		return 0;
	t->call = kvcalloc(t->nr_hooks, sizeof(*t->call), GFP_KERNEL);
	if (!t->call) {
		c->error = FTG_TERR_NOMEM;
		return -ENOMEM;
	}
	for (i = 0; i < t->nr_hooks; i++) {
		const struct ftg_hook_decl *d = &t->hooks[i];
		struct ftg_call_hook *h = &t->call[i];
		u32 bytes = sizeof(struct ftg_call_event) +
			    ALIGN(strnlen(d->function, FTG_FUNC_NAME_MAX) + 1, 8);

		if (!ftg_function_ok(d->function))
			return ftg_bad(c, FTG_TERR_HOOK, d->function);
		for (j = 0; j < i; j++)
			if (!strcmp(d->function, t->hooks[j].function))
				return ftg_bad(c, FTG_TERR_HOOK, d->function);
		if (d->flags & ~FTG_HOOKDECL_FLAGS_ALL || d->reserved)
			return ftg_bad(c, FTG_TERR_HOOK, &d->flags);
		if (d->nr_args > FTG_CALL_ARGS_MAX ||
		    (u64)d->first_arg + d->nr_args > t->nr_args)
			return ftg_bad(c, FTG_TERR_HOOK, &d->first_arg);
		for (k = 0; k < d->nr_args; k++) {
			err = ftg_check_arg(c, h, &t->args[d->first_arg + k], &bytes);
			if (err)
				return err;
		}
		if (bytes > FTG_RECORD_MAX)
			return ftg_bad(c, FTG_TERR_HOOK, &d->nr_args);
		h->slot = -1;
	}
	return 0;
}

int ftg_table_check(struct ftg_check *c, struct ftg_table *t)
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
	if (h->flags & ~FTG_TABLE_FLAGS_ALL)
		return ftg_bad(c, FTG_TERR_FLAGS, &h->flags);
	err = ftg_check_section(c, h, &h->policies, sizeof(struct ftg_policy),
				FTG_TABLE_POLICIES_MAX) ?:
	      ftg_check_section(c, h, &h->rules, sizeof(struct ftg_rule), FTG_TABLE_RULES_MAX) ?:
	      ftg_check_section(c, h, &h->values, sizeof(struct ftg_value),
				FTG_TABLE_VALUES_MAX) ?:
	      ftg_check_section(c, h, &h->strings, 1, FTG_TABLE_MAX) ?:
	      ftg_check_section(c, h, &h->hooks, sizeof(struct ftg_hook_decl),
				FTG_TABLE_HOOKS_MAX) ?:
	      ftg_check_section(c, h, &h->args, sizeof(struct ftg_arg_decl),
				FTG_TABLE_HOOKS_MAX * FTG_CALL_ARGS_MAX) ?:
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
	t->hooks = (const void *)(t->blob + h->hooks.offset);
	t->nr_hooks = h->hooks.count;
	t->args = (const void *)(t->blob + h->args.offset);
	t->nr_args = h->args.count;

	for (i = 0; i < t->nr_policies; i++) {
		const struct ftg_policy *p = &t->policies[i];

		if (!ftg_name_ok(p->name))
			return ftg_bad(c, FTG_TERR_NAME, p->name);
		if (p->mode != FTG_MODE_ENFORCE && p->mode != FTG_MODE_MONITOR)
			return ftg_bad(c, FTG_TERR_MODE, &p->mode);
	}
	err = ftg_check_hooks(c, t);
	if (err)
		return err;
	for (i = 0; i < t->nr_rules; i++) {
		err = ftg_check_rule(c, t, &t->rules[i], prev);
		if (err)
			return err;
		prev = t->rules[i].policy;
		t->kind_rules[t->rules[i].kind]++;
	}
	return 0;
}
