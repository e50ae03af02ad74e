// SPDX-License-Identifier: GPL-2.0
/*
 * Matching against a validated rule table: FNV-1a hashing, the byte-wise
 * glob, selector values, and the candidate lookup (an exact-key hash table
 * and a prefix index probed at every prefix length that exists, while the
 * subject is hashed once).  Everything here is non-sleeping, allocation
 * free and bounded by the lengths involved, not by the number of rules.
 */
#include "common.h"

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "policy.h"

u64 notrace ftg_fnv(const u8 *s, size_t len)
{
	u64 h = FTG_FNV_OFFSET;
	size_t i;

	for (i = 0; i < len; i++)
		h = ftg_fnv_step(h, s[i]);
	return h;
}

/* ---- glob ------------------------------------------------------------ */

/*
 * Index just past the class that opens at p[i] == '[', or 0 when it is not
 * closed.  A ']' right after '[', '[!' or '[^' is a member.
 */
static u32 notrace ftg_class_end(const u8 *p, u32 i, u32 len)
{
	u32 j = i + 1, start;

	if (j < len && (p[j] == '!' || p[j] == '^'))
		j++;
	start = j;
	while (j < len && (p[j] != ']' || j == start)) {
		if (j + 2 < len && p[j + 1] == '-' && p[j + 2] != ']')
			j += 3;
		else
			j++;
	}
	return j < len ? j + 1 : 0;
}

static bool notrace ftg_class_match(const u8 *p, u32 i, u32 len, u8 c)
{
	u32 j = i + 1, start;
	bool neg = false, hit = false;

	if (j < len && (p[j] == '!' || p[j] == '^')) {
		neg = true;
		j++;
	}
	start = j;
	while (j < len && (p[j] != ']' || j == start)) {
		if (j + 2 < len && p[j + 1] == '-' && p[j + 2] != ']') {
			if (c >= p[j] && c <= p[j + 2])
				hit = true;
			j += 3;
		} else {
			if (c == p[j])
				hit = true;
			j++;
		}
	}
	return hit != neg;
}

/* Valid: every class closed, at most FTG_GLOB_STARS '*' outside classes. */
bool ftg_glob_valid(const u8 *p, u32 len)
{
	u32 i = 0, stars = 0;

	while (i < len) {
		if (p[i] == '[') {
			i = ftg_class_end(p, i, len);
			if (!i)
				return false;
			continue;
		}
		if (p[i] == '*' && ++stars > FTG_GLOB_STARS)
			return false;
		i++;
	}
	return true;
}

/* Bytes before the first '*', '?' or '[': what every match starts with. */
u32 ftg_glob_literal_len(const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			break;
	return i;
}

/* End of the pattern segment starting at i: the next '/' outside a class. */
static u32 notrace ftg_seg_end(const u8 *p, u32 i, u32 len)
{
	u32 end;

	while (i < len && p[i] != '/') {
		end = p[i] == '[' ? ftg_class_end(p, i, len) : i + 1;
		i = end ? end : len;	/* unclosed: validated tables have none */
	}
	return i;
}

/* One token at p[*pi] against c (never '/'); advances *pi on a match. */
static bool notrace ftg_tok_match(const u8 *p, u32 *pi, u32 len, u8 c)
{
	u32 i = *pi;

	if (p[i] == '?') {
		*pi = i + 1;
		return true;
	}
	if (p[i] == '[') {
		u32 end = ftg_class_end(p, i, len);

		if (!end || !ftg_class_match(p, i, len, c))
			return false;
		*pi = end;
		return true;
	}
	if (p[i] != c)
		return false;
	*pi = i + 1;
	return true;
}

/*
 * Pattern segment p[ps..pe) against text segment t[ts..te): two pointers
 * with one backtrack point (the last '*'): O(segment lengths product).
 */
static bool notrace ftg_seg_match(const u8 *p, u32 ps, u32 pe, u32 plen,
				  const u8 *t, u32 ts, u32 te)
{
	u32 pi = ps, ti = ts, star_p = U32_MAX, star_t = 0;

	while (ti < te) {
		if (pi < pe && p[pi] == '*') {
			star_p = ++pi;
			star_t = ti;
		} else if (pi < pe && ftg_tok_match(p, &pi, plen, t[ti])) {
			ti++;
		} else if (star_p != U32_MAX) {
			pi = star_p;
			ti = ++star_t;
		} else {
			return false;
		}
	}
	while (pi < pe && p[pi] == '*')
		pi++;
	return pi == pe;
}

/* The whole of t[0..tn) against the glob p[0..pn); '/' only matches '/'. */
bool notrace ftg_glob_match(const u8 *p, u32 pn, const u8 *t, u32 tn)
{
	u32 ps = 0, ts = 0;

	for (;;) {
		u32 pe = ftg_seg_end(p, ps, pn);
		u32 te = ts;

		while (te < tn && t[te] != '/')
			te++;
		if (!ftg_seg_match(p, ps, pe, pn, t, ts, te))
			return false;
		if (pe == pn || te == tn)
			return pe == pn && te == tn;
		ps = pe + 1;
		ts = te + 1;
	}
}

/* ---- selector values ------------------------------------------------- */

bool notrace ftg_value_match_str(const struct ftg_table *t, const struct ftg_value *v,
				 const char *s, u32 len)
{
	const u8 *str = t->strings + v->str_off;

	switch (v->type) {
	case FTG_VAL_EXACT:
	case FTG_VAL_SHA256:	/* the digest in hex */
		return len == v->str_len && !memcmp(s, str, len);
	case FTG_VAL_PREFIX:
		return len >= v->str_len && !memcmp(s, str, v->str_len);
	case FTG_VAL_GLOB:
		return ftg_glob_match(str, v->str_len, (const u8 *)s, len);
	default:
		return false;
	}
}

bool notrace ftg_sel_match_str(const struct ftg_table *t, const struct ftg_sel *sel,
			       const char *s, u32 len)
{
	u32 i;

	for (i = 0; i < sel->count; i++)
		if (ftg_value_match_str(t, &t->values[sel->first + i], s, len))
			return true;
	return false;
}

bool notrace ftg_sel_match_num(const struct ftg_table *t, const struct ftg_sel *sel,
			       u64 x, bool negate)
{
	u32 i;

	for (i = 0; i < sel->count; i++) {
		const struct ftg_value *v = &t->values[sel->first + i];

		if (x >= v->lo && x <= v->hi)
			return !negate;
	}
	return negate;
}

static bool notrace ftg_prefix_bits_equal(const u8 *a, const u8 *b, u32 bits)
{
	u32 bytes = bits / 8, rest = bits % 8;
	u8 mask;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	mask = (u8)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

/* family is AF_INET (addr[0..3]) or AF_INET6; v4-mapped v6 comes as AF_INET. */
bool notrace ftg_sel_match_addr(const struct ftg_table *t, const struct ftg_sel *sel,
				u16 family, const u8 *addr)
{
	u8 want = family == AF_INET ? FTG_VAL_CIDR4 : FTG_VAL_CIDR6;
	u32 i;

	for (i = 0; i < sel->count; i++) {
		const struct ftg_value *v = &t->values[sel->first + i];

		if (v->type == want && ftg_prefix_bits_equal(addr, v->addr, v->prefix_len))
			return true;
	}
	return false;
}

/* ---- candidate lookup ------------------------------------------------ */

/* The run of entries equal to (kind, type, key) in the hash table, if any. */
static bool notrace ftg_find_run(const struct ftg_table *t, u8 kind, u8 type,
				 const char *key, u32 len, u64 hash,
				 struct ftg_run *run)
{
	u32 b = (u32)hash & t->bucket_mask;
	const struct ftg_ientry *e = t->entries + t->bucket_start[b];
	const struct ftg_ientry *end = t->entries + t->bucket_start[b + 1];

	for (; e < end; e++) {
		if (e->hash == hash && e->kind == kind && e->type == type &&
		    e->key_len == len && !memcmp(e->key, key, len))
			break;
	}
	if (e == end)
		return false;
	run->pos = e;
	while (e < end && e->hash == hash && e->kind == kind && e->type == type &&
	       e->key_len == len && !memcmp(e->key, key, len))
		e++;
	run->end = e;
	return true;
}

/*
 * Collect the sorted runs of candidate rules for a subject of this kind:
 * the exact match, every indexed prefix of the subject and the rules
 * without a key selector.  An unknown subject (known false) only has the
 * latter.  Returns the number of runs written to runs[FTG_RUNS_MAX].
 */
u32 notrace ftg_lookup(const struct ftg_table *t, u8 kind, const char *subject,
		       u32 len, bool known, struct ftg_run *runs)
{
	const unsigned long *lens = t->prefix_lens[kind];
	u32 n = 0, i, max;
	u64 h;

	if (known && t->nr_entries) {
		h = FTG_FNV_OFFSET;
		max = min_t(u32, len, FTG_KEY_MAX);
		if (test_bit(0, lens) && ftg_find_run(t, kind, FTG_IDX_PREFIX, subject, 0, h, &runs[n]))
			n++;
		for (i = 0; i < len; i++) {
			h = ftg_fnv_step(h, subject[i]);
			if (i < max && test_bit(i + 1, lens) &&
			    ftg_find_run(t, kind, FTG_IDX_PREFIX, subject, i + 1, h, &runs[n]))
				n++;
		}
		if (t->has_exact[kind] &&
		    ftg_find_run(t, kind, FTG_IDX_EXACT, subject, len, h, &runs[n]))
			n++;
	}
	if (t->always_first[kind] < t->always_first[kind + 1]) {
		runs[n].pos = t->always + t->always_first[kind];
		runs[n].end = t->always + t->always_first[kind + 1];
		n++;
	}
	return n;
}

/*
 * The run of rules of this kind whose key names this file (@type
 * FTG_IDX_IDENT) or this directory (FTG_IDX_IDENT_DIR) by identity, if
 * any: one hash probe.  @inode is held by the caller or read under RCU.
 */
bool notrace ftg_lookup_ident(const struct ftg_table *t, u8 kind, u8 type,
			      const struct inode *inode, struct ftg_run *run)
{
	struct ftg_ident_key k = {
		.ino = inode->i_ino,
		.dev = inode->i_sb->s_dev,
		.gen = inode->i_generation,
	};

	return ftg_find_run(t, kind, type, (const char *)&k, sizeof(k),
			    ftg_fnv((const u8 *)&k, sizeof(k)), run);
}

static bool notrace ftg_entry_ok(const struct ftg_table *t, const struct ftg_ientry *e,
				 const char *subject, u32 len)
{
	const struct ftg_value *v;

	if (e->value == FTG_NO_VALUE)
		return true;
	v = &t->values[e->value];
	return v->type != FTG_VAL_GLOB || ftg_value_match_str(t, v, subject, len);
}

/*
 * The next candidate in rule order, merging the runs; NULL when none is
 * left.  *key_ok says whether the rule's key selector matched the subject
 * through any of its entries (a glob's entry only says that its literal
 * start matched), by name or by identity; *by_ident that it matched by
 * identity only.
 */
const struct ftg_ientry *notrace ftg_next_candidate(const struct ftg_table *t,
						    struct ftg_run *runs, u32 nr_runs,
						    const char *subject, u32 len,
						    bool *key_ok, bool *by_ident)
{
	const struct ftg_ientry *best = NULL;
	bool name = false, ident = false;
	u32 i, rule;

	for (i = 0; i < nr_runs; i++)
		if (runs[i].pos < runs[i].end && (!best || runs[i].pos->rule < best->rule))
			best = runs[i].pos;
	if (!best)
		return NULL;
	rule = best->rule;
	for (i = 0; i < nr_runs; i++) {
		while (runs[i].pos < runs[i].end && runs[i].pos->rule == rule) {
			if (runs[i].pos->type >= FTG_IDX_IDENT)
				ident = true;
			else if (!name)
				name = ftg_entry_ok(t, runs[i].pos, subject, len);
			runs[i].pos++;
		}
	}
	*key_ok = name || ident;
	*by_ident = !name && ident;
	return best;
}
