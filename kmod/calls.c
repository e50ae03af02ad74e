// SPDX-License-Identifier: GPL-2.0
/*
 * Declared hooks (rule kind call): kernel functions a rule table names,
 * with the arguments to read from each call.  While a table is current its
 * hooks are attached, one ftrace_ops each, in attach slots; a new table
 * reuses the slots of the hooks it keeps, attaches the others before it is
 * published and releases the rest once no callback can see the old table.
 * A hook that cannot attach is reported and leaves the others alone.
 *
 * The callback may run in any context (task, softirq, hardirq, NMI) and in
 * any state of the calling task (NMI excepted: such calls are counted and
 * skipped): every read of an argument is bounded and made without
 * faulting, and paths are only resolved where that cannot deadlock.  A
 * deny sends the call to a bare return with the value the function's
 * error-injection type allows.
 *
 * This file is the runtime path: the callback, the decision and the
 * record.  The arguments are read in call_args.c, the slots attached in
 * call_slots.c.
 */
#include "common.h"

#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include "calls.h"
#include "compat.h"
#include "events.h"
#include "hook.h"
#include "policy.h"

static struct ftg_call_scratch __percpu *ftg_call_scratch;
static atomic64_t ftg_call_skipped_calls;

/* ---- deciding ---------------------------------------------------------- */

static bool notrace ftg_field_matches(const struct ftg_table *t, const struct ftg_call_hook *h,
				      const struct ftg_fields *f, u32 i, const struct ftg_sel *sel)
{
	bool is_signed = h->field_signed & BIT(i);
	u32 k;

	if (f->flags[i] & FTG_FIELDF_FAULT)
		return false;
	switch (h->field_type[i]) {
	case FTG_FIELD_STR:
		return ftg_sel_match_str(t, sel, f->str[i], f->len[i]);
	case FTG_FIELD_ADDR:
		return ftg_sel_match_addr(t, sel, f->family, (const u8 *)f->str[i]);
	}
	for (k = 0; k < sel->count; k++) {
		const struct ftg_value *v = &t->values[sel->first + k];
		u64 x = f->ints[i];

		switch (v->type) {
		case FTG_VAL_RANGE:
			if (is_signed ? (s64)x >= (s64)v->lo && (s64)x <= (s64)v->hi :
					x >= v->lo && x <= v->hi)
				return true;
			break;
		case FTG_VAL_MASK_ALL:
			if ((x & v->lo) == v->lo)
				return true;
			break;
		case FTG_VAL_MASK_ANY:
			if (x & v->lo)
				return true;
			break;
		}
	}
	return false;
}

/* The calling process's binary, for rules with a binary selector. */
static u32 notrace ftg_call_binary(struct ftg_call_scratch *s, const char **out)
{
	struct file *exe;
	char *p;

	if (!in_task() || !current->mm || !ftg_may_resolve())
		return 0;
	exe = ftg_mm_exe_file(current->mm);
	if (!exe)
		return 0;
	p = d_path(&exe->f_path, s->path, PATH_MAX);
	fput(exe);
	if (IS_ERR(p))
		return 0;
	*out = p;
	return s->path + PATH_MAX - 1 - p;
}

static bool notrace ftg_call_rule_matches(const struct ftg_table *t,
					  const struct ftg_call_hook *h,
					  const struct ftg_rule *r, struct ftg_call_scratch *s,
					  const struct ftg_fields *f)
{
	const struct ftg_sel *bin = &r->sel[FTG_SEL_BINARY];
	u32 i;

	for (i = 0; i < h->nr_fields; i++)
		if (r->fields[i].count && !ftg_field_matches(t, h, f, i, &r->fields[i]))
			return false;
	if (bin->count) {
		const char *path = NULL;
		u32 len = ftg_call_binary(s, &path);

		if (!path || !ftg_sel_match_str(t, bin, path, len))
			return false;
	}
	return true;
}

static void notrace ftg_call_report(const struct ftg_table *t, u32 rule,
				    struct ftg_call_scratch *s, const struct ftg_fields *f,
				    u32 data_len, bool would, s64 retval,
				    const struct ftg_stamp *stamp)
{
	struct ftg_call_event *ev = &s->rec.ev;
	const struct ftg_rule *r = &t->rules[rule];

	ev->generation = t->generation;
	ev->rule = rule;
	ev->hook = r->hook;
	ev->action = r->action;
	ev->mode = t->policies[r->policy].mode;
	ev->flags = would ? FTG_DEC_WOULD : 0;
	ev->nr_fields = f->nr;
	ev->retval = retval;
	memcpy(ev->policy, t->policies[r->policy].name, FTG_NAME_LEN);
	memcpy(ev->rule_name, r->name, FTG_NAME_LEN);
	ftg_fill_header(&ev->hdr, FTG_EV_CALL, sizeof(*ev) + data_len, stamp);
	ftg_emit(&ev->hdr);
}

/*
 * Evaluate the hook's rules as every kind does (docs/policy.md): audits
 * record and go on; a monitor policy's match records "would" and ends that
 * policy; in an enforcing policy the first allow or deny ends everything.
 * Returns true when the call is denied, with the value to return.
 */
static bool notrace ftg_call_decide(const struct ftg_table *t, const struct ftg_call_hook *h,
				    struct ftg_call_scratch *s, struct ftg_fields *f,
				    u32 data_len, const struct ftg_stamp *stamp, s64 *retval)
{
	u32 i, skip = U32_MAX;

	for (i = 0; i < h->nr_rules; i++) {
		u32 idx = t->call_rules[h->first_rule + i];
		const struct ftg_rule *r = &t->rules[idx];

		if (r->policy == skip || !ftg_call_rule_matches(t, h, r, s, f))
			continue;
		if (r->action == FTG_ACT_AUDIT) {
			ftg_call_report(t, idx, s, f, data_len, false, 0, stamp);
			continue;
		}
		if (t->policies[r->policy].mode == FTG_MODE_MONITOR) {
			if (r->action != FTG_ACT_ALLOW)
				ftg_call_report(t, idx, s, f, data_len, true, 0, stamp);
			skip = r->policy;
			continue;
		}
		if (r->action == FTG_ACT_ALLOW)
			return false;
		*retval = h->deny_errno ? -(s64)r->err : h->deny_fixed;
		ftg_call_report(t, idx, s, f, data_len, false, *retval, stamp);
		return true;
	}
	return false;
}

void notrace ftg_call_thunk(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *ops, ftg_fregs_t *fregs)
{
	struct ftg_call_slot *slot = container_of(ops, struct ftg_call_slot, ops);
	struct pt_regs *regs = ftg_get_regs(fregs);
	const struct ftg_table *t;
	const struct ftg_call_hook *h;
	const struct ftg_hook_decl *d;
	struct ftg_call_scratch *s;
	struct ftg_fields f;
	struct ftg_stamp stamp;
	u32 name_len;
	s64 retval = 0;
	s16 hook;

	this_cpu_inc(*slot->hits);
	/* The clocks and the ring buffer's writers are not for NMI context. */
	if (in_nmi()) {
		atomic64_inc(&ftg_call_skipped_calls);
		return;
	}
	preempt_disable_notrace();
	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	hook = t ? t->slot_hook[slot->id] : -1;
	if (hook < 0)
		goto out;
	h = &t->call[hook];
	if (!h->nr_rules)
		goto out;
	s = this_cpu_ptr(ftg_call_scratch);
	if (s->busy) {
		atomic64_inc(&ftg_call_skipped_calls);
		goto out;
	}
	s->busy = true;
	ftg_stamp_now(&stamp);
	d = &t->hooks[hook];
	memset(&s->rec, 0, sizeof(s->rec));
	name_len = strnlen(d->function, FTG_FUNC_NAME_MAX) + 1;
	memcpy(s->rec.ev.data, d->function, name_len);
	s->rec.ev.function_len = name_len;
	memset(&f, 0, sizeof(f));
	f.pos = s->rec.ev.data + ALIGN(name_len, 8);
	ftg_read_args(s, t, d, regs, &f);
	s->rec.ev.fields_len = f.pos - (s->rec.ev.data + ALIGN(name_len, 8));
	if (ftg_call_decide(t, h, s, &f, f.pos - s->rec.ev.data, &stamp, &retval) &&
	    slot->ipmodify) {
		ftg_deny(regs, (unsigned long)retval);
	}
	s->busy = false;
out:
	rcu_read_unlock();
	preempt_enable_notrace();
}

u64 ftg_call_skipped(void)
{
	return atomic64_read(&ftg_call_skipped_calls);
}

int ftg_calls_init(void)
{
	int err;

	ftg_call_scratch = alloc_percpu(struct ftg_call_scratch);
	if (!ftg_call_scratch)
		return -ENOMEM;
	err = ftg_call_slots_init();
	if (err) {
		ftg_calls_exit();
		return err;
	}
	ftg_call_args_init();
	return 0;
}

/* After ftg_tables_exit(): every slot is detached. */
void ftg_calls_exit(void)
{
	ftg_call_slots_exit();
	free_percpu(ftg_call_scratch);
	ftg_call_scratch = NULL;
}
