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
 * faulting, and paths are only resolved where that cannot deadlock.  A deny sends the call to a bare return with the value the
 * function's error-injection type allows.
 */
#define pr_fmt(fmt) "ftguard: " fmt

#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/error-injection.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "events.h"
#include "hook.h"
#include "policy.h"

struct ftg_call_slot {
	struct ftrace_ops ops;
	char function[FTG_FUNC_NAME_MAX];
	unsigned long address;
	u64 __percpu *hits;
	int error;			/* -errno of a failed attach */
	s16 id;
	bool in_use;			/* referenced by the current or the next table */
	bool attached;
	bool ipmodify;
	bool injectable;
};

static struct ftg_call_slot ftg_slots[FTG_CALL_SLOTS];

/* Per CPU: the record being built and room for a path. */
struct ftg_call_scratch {
	union {
		struct ftg_call_event ev;
		u8 bytes[FTG_RECORD_MAX];
	} rec;
	char path[PATH_MAX];
	bool busy;
};

static struct ftg_call_scratch __percpu *ftg_call_scratch;
static atomic64_t ftg_call_skipped;
static seqlock_t *ftg_mount_lock;	/* fs/namespace.c, not exported */
static bool (*ftg_ei_listed)(unsigned long addr);
/* Not exported: found through kallsyms at load. */
static long (*ftg_strncpy_kernel)(char *dst, const void *src, long count);
static long (*ftg_strncpy_user)(char *dst, const void __user *src, long count);
static int (*ftg_ei_type)(unsigned long addr);

/* ---- reading arguments ------------------------------------------------ */

/*
 * The i-th argument (pos < FTG_CALL_ARGS_MAX, table.c): from the registers,
 * or from a system call's user registers (arch.h: on x86_64 the fourth is
 * in r10 there, not rcx).
 */
static bool notrace ftg_call_arg(const struct ftg_hook_decl *d, struct pt_regs *regs,
				 u8 pos, unsigned long *val)
{
	const struct pt_regs *user;

	/* Register arguments on both architectures, six in a system call. */
	BUILD_BUG_ON(FTG_CALL_ARGS_MAX > 6);
	if (!(d->flags & FTG_HOOKDECL_SYSCALL)) {
		*val = ftg_arg(regs, pos);
		return true;
	}
	user = ftg_syscall_regs(regs);
	return !ftg_copy_from_kernel_nofault(val, (const u8 *)user + ftg_syscall_arg_offset(pos),
					     sizeof(*val));
}

/*
 * A path may be resolved unless this CPU could be inside the rename or
 * mount seqlock's write side (d_path would spin on it forever), or the
 * task has no fs any more (late in exit), or we are in NMI context.
 */
static bool notrace ftg_may_resolve(void)
{
	if (!current->fs)
		return false;
	if (raw_read_seqcount(&rename_lock.seqcount) & 1)
		return false;
	if (ftg_mount_lock && (raw_read_seqcount(&ftg_mount_lock->seqcount) & 1))
		return false;
	return true;
}

/* The last component of a dentry's name, read without faulting. */
static u32 notrace ftg_dentry_name(const struct dentry *dentry, char *dst, u32 max,
				   u8 *flags)
{
	const unsigned char *name;
	long n;

	if (ftg_copy_from_kernel_nofault(&name, &dentry->d_name.name, sizeof(name)))
		goto fault;
	n = ftg_strncpy_kernel ? ftg_strncpy_kernel(dst, name, max + 1) : -EFAULT;
	if (n <= 0)
		goto fault;
	*flags |= FTG_FIELDF_PARTIAL;
	if (n == max + 1) {
		*flags |= FTG_FIELDF_TRUNC;
		return max;
	}
	return n - 1;
fault:
	*flags |= FTG_FIELDF_FAULT;
	return 0;
}

static u32 notrace ftg_keep(char *dst, const char *p, const char *end, u32 max, u8 *flags)
{
	u32 len = end - p;

	if (len > max) {
		len = max;
		*flags |= FTG_FIELDF_TRUNC;
	}
	memcpy(dst, p, len);
	return len;
}

/* A path argument into dst (at most max bytes); returns its length. */
static u32 notrace ftg_read_path(struct ftg_call_scratch *s, u8 type, unsigned long arg,
				 char *dst, u32 max, u8 *flags)
{
	const struct dentry *dentry;
	struct path path;
	char *p;

	if (!arg)
		goto fault;
	switch (type) {
	case FTG_ARG_FILE:
		if (ftg_copy_from_kernel_nofault(&path, &((struct file *)arg)->f_path,
						 sizeof(path)))
			goto fault;
		break;
	case FTG_ARG_PATH:
		if (ftg_copy_from_kernel_nofault(&path, (void *)arg, sizeof(path)))
			goto fault;
		break;
	default:
		path.mnt = NULL;
		path.dentry = (struct dentry *)arg;
		break;
	}
	dentry = path.dentry;
	if (!dentry || (type != FTG_ARG_DENTRY && !path.mnt))
		goto fault;
	if (!ftg_may_resolve())
		return ftg_dentry_name(dentry, dst, max, flags);
	p = type == FTG_ARG_DENTRY ? dentry_path_raw((struct dentry *)dentry, s->path, PATH_MAX) :
				     d_path(&path, s->path, PATH_MAX);
	if (IS_ERR(p))
		return ftg_dentry_name(dentry, dst, max, flags);
	return ftg_keep(dst, p, s->path + PATH_MAX - 1, max, flags);
fault:
	*flags |= FTG_FIELDF_FAULT;
	return 0;
}

static u32 notrace ftg_read_string(u8 type, unsigned long arg, char *dst, u32 max, u8 *flags)
{
	long n;

	if (type == FTG_ARG_USTRING)
		n = in_task() && current->mm && ftg_strncpy_user ?
			ftg_strncpy_user(dst, (const void __user *)arg, max + 1) : -EFAULT;
	else
		n = ftg_strncpy_kernel ? ftg_strncpy_kernel(dst, (const void *)arg, max + 1) :
					 -EFAULT;
	if (n <= 0) {
		*flags |= FTG_FIELDF_FAULT;
		return 0;
	}
	if (n == max + 1) {
		*flags |= FTG_FIELDF_TRUNC;
		return max;
	}
	return n - 1;
}

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

static struct ftg_field *notrace ftg_field_begin(struct ftg_fields *f, u8 type, u8 flags)
{
	struct ftg_field *h = (struct ftg_field *)f->pos;

	h->type = type;
	h->flags = flags;
	f->pos += sizeof(*h);
	return h;
}

static void notrace ftg_field_end(struct ftg_fields *f, struct ftg_field *h, u32 len)
{
	h->len = len;
	f->flags[f->nr] = h->flags;
	f->len[f->nr] = len;
	f->nr++;
	f->pos += ALIGN(len, 8);
}

static void notrace ftg_field_int(struct ftg_fields *f, u64 v, bool is_signed, bool fault)
{
	struct ftg_field *h = ftg_field_begin(f, FTG_FIELD_INT,
					      (is_signed ? FTG_FIELDF_SIGNED : 0) |
					      (fault ? FTG_FIELDF_FAULT : 0));

	f->ints[f->nr] = fault ? 0 : v;
	if (fault) {
		ftg_field_end(f, h, 0);
		return;
	}
	memcpy(f->pos, &v, sizeof(v));
	ftg_field_end(f, h, sizeof(v));
}

static void notrace ftg_read_sockaddr(struct ftg_fields *f, unsigned long arg)
{
	struct sockaddr_in6 sa = { };
	struct ftg_field *h;
	u16 family;
	u16 port = 0;
	bool ok = true;

	if (!arg || ftg_copy_from_kernel_nofault(&family, (void *)arg, sizeof(family))) {
		ftg_field_int(f, 0, false, true);
		ftg_field_end(f, ftg_field_begin(f, FTG_FIELD_ADDR, FTG_FIELDF_FAULT), 0);
		ftg_field_int(f, 0, false, true);
		return;
	}
	ftg_field_int(f, family, false, false);
	f->family = family;
	h = ftg_field_begin(f, FTG_FIELD_ADDR, 0);
	memset(f->pos, 0, 16);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		ok = !ftg_copy_from_kernel_nofault(in, (void *)arg, sizeof(*in));
		if (ok) {
			memcpy(f->pos, &in->sin_addr, 4);
			port = ntohs(in->sin_port);
		}
	} else if (family == AF_INET6) {
		ok = !ftg_copy_from_kernel_nofault(&sa, (void *)arg, sizeof(sa));
		if (ok) {
			memcpy(f->pos, &sa.sin6_addr, 16);
			port = ntohs(sa.sin6_port);
		}
	} else {
		ok = false;
	}
	if (!ok) {
		h->flags |= FTG_FIELDF_FAULT;
		ftg_field_end(f, h, 0);
		ftg_field_int(f, 0, false, true);
		return;
	}
	f->str[f->nr] = (const char *)f->pos;
	ftg_field_end(f, h, 16);
	ftg_field_int(f, port, false, false);
}

static void notrace ftg_read_cred(struct ftg_fields *f, unsigned long arg)
{
	const struct cred *c = (const struct cred *)arg;
	kuid_t uid, euid;
	kgid_t gid, egid;
	bool fault = !c ||
		ftg_copy_from_kernel_nofault(&uid, &c->uid, sizeof(uid)) ||
		ftg_copy_from_kernel_nofault(&gid, &c->gid, sizeof(gid)) ||
		ftg_copy_from_kernel_nofault(&euid, &c->euid, sizeof(euid)) ||
		ftg_copy_from_kernel_nofault(&egid, &c->egid, sizeof(egid));

	ftg_field_int(f, fault ? 0 : from_kuid_munged(&init_user_ns, uid), false, fault);
	ftg_field_int(f, fault ? 0 : from_kgid_munged(&init_user_ns, gid), false, fault);
	ftg_field_int(f, fault ? 0 : from_kuid_munged(&init_user_ns, euid), false, fault);
	ftg_field_int(f, fault ? 0 : from_kgid_munged(&init_user_ns, egid), false, fault);
}

static u64 notrace ftg_int_value(unsigned long v, u8 size, bool is_signed)
{
	switch (size) {
	case 1:
		return is_signed ? (u64)(s64)(s8)v : (u8)v;
	case 2:
		return is_signed ? (u64)(s64)(s16)v : (u16)v;
	case 4:
		return is_signed ? (u64)(s64)(s32)v : (u32)v;
	}
	return v;
}

/* Every argument of the hook, as fields, into the record. */
static void notrace ftg_read_args(struct ftg_call_scratch *s, const struct ftg_table *t,
				  const struct ftg_hook_decl *d, struct pt_regs *regs,
				  struct ftg_fields *f)
{
	u32 i;

	for (i = 0; i < d->nr_args; i++) {
		const struct ftg_arg_decl *a = &t->args[d->first_arg + i];
		unsigned long v = 0;
		bool ok = ftg_call_arg(d, regs, a->position, &v);
		struct ftg_field *h;
		u32 len;

		switch (a->type) {
		case FTG_ARG_INT:
			ftg_field_int(f, ftg_int_value(v, a->size, a->flags & FTG_ARGF_SIGNED),
				      a->flags & FTG_ARGF_SIGNED, !ok);
			break;
		case FTG_ARG_SOCKADDR:
			ftg_read_sockaddr(f, ok ? v : 0);
			break;
		case FTG_ARG_CRED:
			ftg_read_cred(f, ok ? v : 0);
			break;
		default:
			h = ftg_field_begin(f, FTG_FIELD_STR, ok ? 0 : FTG_FIELDF_FAULT);
			f->str[f->nr] = (const char *)f->pos;
			len = !ok ? 0 : a->type == FTG_ARG_KSTRING || a->type == FTG_ARG_USTRING ?
				ftg_read_string(a->type, v, f->pos, a->max_len, &h->flags) :
				ftg_read_path(s, a->type, v, f->pos, a->max_len, &h->flags);
			ftg_field_end(f, h, len);
			break;
		}
	}
}

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

static void notrace ftg_call_thunk(unsigned long ip, unsigned long parent_ip,
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
		atomic64_inc(&ftg_call_skipped);
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
		atomic64_inc(&ftg_call_skipped);
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

/* ---- attaching ---------------------------------------------------------- */

/*
 * Safe to fail: on the kernel's error-injection list, returning what its
 * type allows; where the kernel has no list, a system call entry, which
 * SYSCALL_DEFINE marks ERRNO.
 */
static bool ftg_injectable(const char *function, unsigned long addr, bool *use_errno,
			   s64 *fixed)
{
	*use_errno = true;
	*fixed = 0;
	if (ftg_ei_listed) {
		if (!ftg_ei_listed(addr))
			return false;
		switch (ftg_ei_type ? ftg_ei_type(addr) : EI_ETYPE_ERRNO) {
		case EI_ETYPE_NULL:
			*use_errno = false;
			return true;
		case EI_ETYPE_TRUE:
			*use_errno = false;
			*fixed = 1;
			return true;
		case EI_ETYPE_ERRNO:
		case EI_ETYPE_ERRNO_NULL:
			return true;
		}
		return false;
	}
	return !strncmp(function, FTG_SYSCALL(""), strlen(FTG_SYSCALL("")));
}

static struct ftg_call_slot *ftg_slot_find(const char *function, bool ipmodify)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++)
		if (ftg_slots[i].in_use && ftg_slots[i].ipmodify == ipmodify &&
		    !strcmp(ftg_slots[i].function, function))
			return &ftg_slots[i];
	return NULL;
}

static struct ftg_call_slot *ftg_slot_free(void)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++)
		if (!ftg_slots[i].in_use)
			return &ftg_slots[i];
	return NULL;
}

static void ftg_slot_attach(struct ftg_call_slot *slot)
{
	int err;

	slot->ops.func = ftg_call_thunk;
	slot->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTG_OPS_FL_RECURSION;
	if (slot->ipmodify)
		slot->ops.flags |= FTRACE_OPS_FL_IPMODIFY;
	slot->attached = false;
	slot->error = -ENOENT;
	if (!slot->address) {
		pr_warn("%s: no such function in kallsyms\n", slot->function);
		return;
	}
	err = ftrace_set_filter_ip(&slot->ops, slot->address, 0, 0);
	if (err) {
		pr_warn("%s: not traceable (%d)\n", slot->function, err);
		slot->error = err;
		return;
	}
	err = register_ftrace_function(&slot->ops);
	if (err) {
		pr_warn("%s: cannot attach (%d)%s\n", slot->function, err,
			err == -EBUSY ? ": another ftrace user already modifies it" : "");
		ftg_ftrace_free_filter(&slot->ops, slot->address);
		slot->error = err;
		return;
	}
	slot->attached = true;
	slot->error = 0;
}

static void ftg_slot_detach(struct ftg_call_slot *slot)
{
	if (slot->attached)
		unregister_ftrace_function(&slot->ops);
	/* The filter hash is the ops' own: free it before the slot is reused. */
	ftg_ftrace_free_filter(&slot->ops, slot->address);
	memset(&slot->ops, 0, sizeof(slot->ops));
	slot->attached = false;
	slot->in_use = false;
	slot->function[0] = '\0';
}

/* The first deny rule of hook i, for the error offset. */
static const struct ftg_rule *ftg_first_deny(const struct ftg_table *t, u32 hook)
{
	u32 r;

	for (r = 0; r < t->nr_rules; r++)
		if (t->rules[r].kind == FTG_KIND_CALL && t->rules[r].hook == hook &&
		    t->rules[r].action == FTG_ACT_DENY)
			return &t->rules[r];
	return NULL;
}

int ftg_calls_prepare(struct ftg_table *t, u32 *error, u32 *offset, const u8 *blob)
{
	unsigned long addr[FTG_TABLE_HOOKS_MAX];
	u32 i;

	for (i = 0; i < FTG_CALL_SLOTS; i++)
		t->slot_hook[i] = -1;
	/* Refuse a deny on a function that is not safe to fail before anything changes. */
	for (i = 0; i < t->nr_hooks; i++) {
		struct ftg_call_hook *h = &t->call[i];

		addr[i] = ftg_symbol_address(t->hooks[i].function);
		if (h->deny && (!addr[i] || !ftg_injectable(t->hooks[i].function, addr[i],
							     &h->deny_errno, &h->deny_fixed))) {
			const struct ftg_rule *r = ftg_first_deny(t, i);

			pr_warn("%s: deny refused: the function is not safe to fail\n",
				t->hooks[i].function);
			*error = FTG_TERR_NOT_INJECTABLE;
			*offset = (const u8 *)&r->action - blob;
			return -EINVAL;
		}
	}
	for (i = 0; i < t->nr_hooks; i++) {
		struct ftg_call_hook *h = &t->call[i];
		struct ftg_call_slot *slot;

		if (!h->nr_rules)
			continue;
		slot = ftg_slot_find(t->hooks[i].function, h->deny);
		if (!slot) {
			slot = ftg_slot_free();
			if (WARN_ON_ONCE(!slot))
				continue;
			strscpy(slot->function, t->hooks[i].function, FTG_FUNC_NAME_MAX);
			slot->address = addr[i];
			slot->ipmodify = h->deny;
			slot->injectable = h->deny;
			slot->in_use = true;
			ftg_slot_attach(slot);
		}
		h->slot = slot->id;
		t->slot_hook[slot->id] = i;
	}
	return 0;
}

void ftg_calls_release(const struct ftg_table *current_table)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++)
		if (ftg_slots[i].in_use &&
		    (!current_table || current_table->slot_hook[i] < 0))
			ftg_slot_detach(&ftg_slots[i]);
}

int ftg_calls_hook_info(struct ftg_call_hook_info *info, bool privileged)
{
	const struct ftg_table *t;
	const struct ftg_call_slot *slot = NULL;
	int cpu, err = 0;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	if (!t || info->index >= t->nr_hooks) {
		err = -ENOENT;
		goto out;
	}
	memset(info->function, 0, sizeof(info->function));
	strscpy(info->function, t->hooks[info->index].function, FTG_FUNC_NAME_MAX);
	info->generation = t->generation;
	info->flags = 0;
	info->error = 0;
	info->address = 0;
	info->hits = 0;
	if (t->call[info->index].slot >= 0)
		slot = &ftg_slots[t->call[info->index].slot];
	if (slot) {
		info->flags = (slot->attached ? FTG_CALL_HOOK_ATTACHED : 0) |
			      (slot->ipmodify ? FTG_CALL_HOOK_IPMODIFY : 0) |
			      (slot->injectable ? FTG_CALL_HOOK_INJECTABLE : 0);
		info->error = slot->error;
		info->address = privileged ? slot->address : 0;
		for_each_possible_cpu(cpu)
			info->hits += *per_cpu_ptr(slot->hits, cpu);
	}
out:
	rcu_read_unlock();
	return err;
}

void ftg_calls_stats(struct ftg_stats *stats)
{
	const struct ftg_table *t;
	u32 i;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	stats->call_hooks = t ? t->nr_hooks : 0;
	stats->call_hooks_attached = 0;
	for (i = 0; t && i < t->nr_hooks; i++)
		if (t->call[i].slot >= 0 && ftg_slots[t->call[i].slot].attached)
			stats->call_hooks_attached++;
	rcu_read_unlock();
	stats->call_skipped = atomic64_read(&ftg_call_skipped);
}

int ftg_calls_init(void)
{
	int i;

	ftg_call_scratch = alloc_percpu(struct ftg_call_scratch);
	if (!ftg_call_scratch)
		return -ENOMEM;
	for (i = 0; i < FTG_CALL_SLOTS; i++) {
		ftg_slots[i].id = i;
		ftg_slots[i].hits = alloc_percpu(u64);
		if (!ftg_slots[i].hits) {
			ftg_calls_exit();
			return -ENOMEM;
		}
	}
	ftg_mount_lock = (seqlock_t *)ftg_symbol_address("mount_lock");
	ftg_ei_listed = (void *)ftg_callable_address("within_error_injection_list");
	ftg_ei_type = (void *)ftg_callable_address("get_injectable_error_type");
	ftg_strncpy_kernel = (void *)ftg_callable_address("strncpy_from_kernel_nofault");
	ftg_strncpy_user = (void *)ftg_callable_address("strncpy_from_user_nofault");
	if (!ftg_strncpy_kernel || !ftg_strncpy_user)
		pr_warn("strncpy_from_*_nofault cannot be called (not in kallsyms, or sealed under IBT): string arguments read as faults\n");
	if (!ftg_mount_lock)
		pr_info("mount_lock not in kallsyms: paths of declared hooks are resolved less often\n");
	return 0;
}

/* After ftg_tables_exit(): every slot is detached. */
void ftg_calls_exit(void)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++) {
		free_percpu(ftg_slots[i].hits);
		ftg_slots[i].hits = NULL;
	}
	free_percpu(ftg_call_scratch);
	ftg_call_scratch = NULL;
}
