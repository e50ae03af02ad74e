// SPDX-License-Identifier: GPL-2.0
/*
 * The deciding hooks: each runs in the ftrace callback of a function whose
 * arguments are the kernel's own copies (an opened file, a copied socket
 * address, a task, new credentials), gathers the facts a rule can ask for,
 * looks the rule table up and, when an enforcing rule denies, makes the
 * function return the error without running (ftg_deny(), arch.h: the
 * return value register set, the instruction pointer sent to a bare
 * return).  Nothing matching costs a lookup and no wrapper.
 *
 * exec is decided in a wrapper around security_bprm_check() instead,
 * entered only when some exec rule is a candidate for the executed file:
 * its arguments live in the new program's memory, which is read with
 * get_user_pages_remote(), which sleeps.
 *
 * This file is compiled with -fno-optimize-sibling-calls (see Kbuild).
 */
#define pr_fmt(fmt) "ftguard: " fmt

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernel.h>
#include <linux/kernel_read_file.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "events.h"
#include "ftguard.h"
#include "policy.h"

/* Ancestors examined above the parent by ancestorBinary. */
#define FTG_ANCESTORS_MAX	32
/* Longest argument an argvContains value can equal. */
#define FTG_ARG_CMP_MAX		FTG_TABLE_STR_MAX

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
	bool busy;
};

static struct ftg_scratch **ftg_scratch;	/* one per possible CPU */

static atomic64_t ftg_decisions[FTG_ACTIONS];
static atomic64_t ftg_blocked;
static atomic64_t ftg_killed;

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
	u32 uid, euid;
	u32 mask;			/* FTG_ACCESS_* or FTG_GAIN_* */
	u16 family, port;
	u8 addr[16];
	u32 target_pid;
	u32 new_uid, new_euid;
	struct linux_binprm *bprm;	/* exec */
	bool fileless, tempdir;
	/* The outcome. */
	int err;
	bool kill;
};

/* ---- paths ----------------------------------------------------------- */

/* d_path into buf[PATH_MAX]; false when it does not fit or fails. */
static bool notrace ftg_path(const struct path *path, char *buf, const char **out, u32 *len)
{
	char *p = d_path(path, buf, PATH_MAX);

	if (IS_ERR(p))
		return false;
	*out = p;
	*len = buf + PATH_MAX - 1 - p;
	return true;
}

static bool notrace ftg_exe_path(struct mm_struct *mm, char *buf, const char **out, u32 *len)
{
	struct file *exe = mm ? ftg_mm_exe_file(mm) : NULL;
	bool ok;

	if (!exe)
		return false;
	ok = ftg_path(&exe->f_path, buf, out, len);
	fput(exe);
	return ok;
}

/* The acting process's binary; computed once, on first use. */
static bool notrace ftg_binary(struct ftg_facts *f)
{
	if (!f->binary_done) {
		f->binary_done = true;
		if (!ftg_exe_path(current->mm, f->s->binary, &f->binary, &f->binary_len))
			f->binary = NULL;
	}
	return f->binary;
}

/* ---- exec: the new program's arguments, read from its memory --------- */

struct ftg_argw {
	struct linux_binprm *bprm;
	unsigned long pos;
	unsigned long base;
	struct page *page;
	u8 *kaddr;
};

static void ftg_argw_release(struct ftg_argw *w)
{
	if (w->page) {
		ftg_kunmap_local(w->kaddr);
		put_page(w->page);
		w->page = NULL;
	}
}

/* Next byte of the argument area, or -1 when it cannot be read. */
static int ftg_argw_getc(struct ftg_argw *w)
{
	unsigned long base = w->pos & PAGE_MASK;
	long n;

	if (!w->page || base != w->base) {
		ftg_argw_release(w);
		mmap_read_lock(w->bprm->mm);
		n = ftg_get_user_page_remote(w->bprm->mm, w->pos, &w->page);
		mmap_read_unlock(w->bprm->mm);
		if (n <= 0) {
			w->page = NULL;
			return -1;
		}
		w->kaddr = ftg_kmap_local(w->page);
		w->base = base;
	}
	return w->kaddr[w->pos++ - base];
}

/*
 * Read the next argument: its first bytes (up to room - 1) into buf, NUL
 * terminated; returns its full length, or -1 when unreadable.
 */
static long ftg_argw_next(struct ftg_argw *w, char *buf, size_t room)
{
	long len = 0;
	int c;

	for (;;) {
		c = ftg_argw_getc(w);
		if (c < 0)
			return -1;
		if (!c)
			break;
		if (len < (long)room - 1)
			buf[len] = c;
		len++;
		if (len > MAX_ARG_STRLEN)
			return -1;
	}
	buf[min_t(long, len, room - 1)] = '\0';
	return len;
}

/* Whether an argument equals one of the selector's strings. */
static bool ftg_argv_contains(const struct ftg_table *t, const struct ftg_sel *sel,
			      struct ftg_facts *f)
{
	struct ftg_argw w = { .bprm = f->bprm, .pos = f->bprm->p };
	char *arg = f->s->other;
	bool hit = false;
	int i;

	for (i = 0; i < f->bprm->argc && !hit; i++) {
		long len = ftg_argw_next(&w, arg, FTG_ARG_CMP_MAX + 2);

		if (len < 0)
			break;
		if (len <= FTG_ARG_CMP_MAX)
			hit = ftg_sel_match_str(t, sel, arg, len);
		if (!(i % 64))
			cond_resched();
	}
	ftg_argw_release(&w);
	return hit;
}

/* The new program's arguments for a record; returns bytes used. */
static u32 ftg_exec_argv(struct ftg_facts *f, char *dst, u32 room, u8 *flags)
{
	struct ftg_argw w = { .bprm = f->bprm, .pos = f->bprm->p };
	u32 used = 0;
	int i;

	for (i = 0; i < f->bprm->argc; i++) {
		long len;

		if (room - used < 2) {
			*flags |= FTG_DEC_ARGV_TRUNC;
			break;
		}
		len = ftg_argw_next(&w, dst + used, room - used);
		if (len < 0) {
			*flags |= FTG_DEC_ARGV_FAULT;
			break;
		}
		if (len >= room - used) {
			*flags |= FTG_DEC_ARGV_TRUNC;
			used = room;
			break;
		}
		used += len + 1;
	}
	ftg_argw_release(&w);
	return used;
}

/* ---- ancestry -------------------------------------------------------- */

/* Under RCU.  task_lock keeps task->mm while its exe_file is taken. */
static bool notrace ftg_task_exe_match(const struct ftg_table *t, const struct ftg_sel *sel,
				       struct task_struct *task, char *buf)
{
	struct file *exe = NULL;
	const char *p;
	u32 len;
	bool ok;

	task_lock(task);
	if (task->mm && !(task->flags & PF_KTHREAD))
		exe = ftg_mm_exe_file(task->mm);
	task_unlock(task);
	if (!exe)
		return false;
	ok = ftg_path(&exe->f_path, buf, &p, &len) && ftg_sel_match_str(t, sel, p, len);
	fput(exe);
	return ok;
}

/* parentBinary (parent only) or ancestorBinary (parent and above). */
static bool ftg_ancestors_match(const struct ftg_table *t, const struct ftg_sel *sel,
				struct ftg_facts *f, bool parent_only)
{
	struct task_struct *task, *next;
	bool hit = false;
	int depth;

	rcu_read_lock();
	task = rcu_dereference(current->real_parent);
	for (depth = 0; depth <= FTG_ANCESTORS_MAX; depth++) {
		if (ftg_task_exe_match(t, sel, task, f->s->other)) {
			hit = true;
			break;
		}
		if (parent_only || task_pid_nr(task) <= 1)
			break;
		next = rcu_dereference(task->real_parent);
		if (next == task)
			break;
		task = next;
	}
	rcu_read_unlock();
	return hit;
}

/* ---- rules ----------------------------------------------------------- */

static bool ftg_str_sel(const struct ftg_table *t, const struct ftg_sel *sel,
			const char *s, u32 len)
{
	return s && ftg_sel_match_str(t, sel, s, len);
}

/* Every selector but the key one, which the lookup has checked. */
static bool ftg_rule_matches(const struct ftg_table *t, const struct ftg_rule *r,
			     struct ftg_facts *f)
{
	const struct ftg_sel *sel = r->sel;
	u32 key = FTG_KIND_KEY_SLOT(r->kind);

	if (r->mask && !(r->mask & f->mask))
		return false;
	if (r->flags & FTG_RULE_FILELESS_SET &&
	    f->fileless != !!(r->flags & FTG_RULE_FILELESS))
		return false;
	if (r->flags & FTG_RULE_TEMPDIR_SET &&
	    f->tempdir != !!(r->flags & FTG_RULE_TEMPDIR))
		return false;
	if (sel[FTG_SEL_UID].count &&
	    !ftg_sel_match_num(t, &sel[FTG_SEL_UID], f->uid, r->flags & FTG_RULE_NEGATE_UID))
		return false;
	if (sel[FTG_SEL_EUID].count &&
	    !ftg_sel_match_num(t, &sel[FTG_SEL_EUID], f->euid, r->flags & FTG_RULE_NEGATE_EUID))
		return false;
	if (sel[FTG_SEL_PORT].count &&
	    !ftg_sel_match_num(t, &sel[FTG_SEL_PORT], f->port, r->flags & FTG_RULE_NEGATE_PORT))
		return false;
	if (sel[FTG_SEL_ADDRESS].count &&
	    !ftg_sel_match_addr(t, &sel[FTG_SEL_ADDRESS], f->family, f->addr))
		return false;
	if (key != FTG_SEL_BINARY && sel[FTG_SEL_BINARY].count &&
	    !(ftg_binary(f) && ftg_str_sel(t, &sel[FTG_SEL_BINARY], f->binary, f->binary_len)))
		return false;
	if (key != FTG_SEL_OBJECT && sel[FTG_SEL_OBJECT].count &&
	    !(f->object_known && ftg_str_sel(t, &sel[FTG_SEL_OBJECT], f->object, f->object_len)))
		return false;
	/* The rest is exec only: the decision runs where it may sleep. */
	if (sel[FTG_SEL_ARGV].count && !ftg_argv_contains(t, &sel[FTG_SEL_ARGV], f))
		return false;
	if (sel[FTG_SEL_PARENT].count && !ftg_ancestors_match(t, &sel[FTG_SEL_PARENT], f, true))
		return false;
	if (sel[FTG_SEL_ANCESTOR].count &&
	    !ftg_ancestors_match(t, &sel[FTG_SEL_ANCESTOR], f, false))
		return false;
	return true;
}

/* The current process's arguments, as far as they can be read now. */
static u32 notrace ftg_current_argv(char *dst, u32 room, u32 *argc, u8 *flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long start, end;
	u32 len, i;

	if (!mm)
		return 0;
	spin_lock(&mm->arg_lock);
	start = mm->arg_start;
	end = mm->arg_end;
	spin_unlock(&mm->arg_lock);
	if (end <= start)
		return 0;
	len = min_t(unsigned long, end - start, room);
	if (end - start > room)
		*flags |= FTG_DEC_ARGV_TRUNC;
	if (copy_from_user_nofault(dst, (const void __user *)start, len)) {
		*flags |= FTG_DEC_ARGV_FAULT;
		return 0;
	}
	dst[len - 1] = '\0';
	for (i = 0; i < len; i++)
		*argc += !dst[i];
	return len;
}

static u32 notrace ftg_copy_str(char *dst, const char *src, u32 len, u8 *flags, u8 trunc)
{
	if (!src)
		return 0;
	if (len > FTG_PATH_MAX) {
		len = FTG_PATH_MAX;
		*flags |= trunc;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len + 1;
}

static void ftg_report(const struct ftg_table *t, u32 index, struct ftg_facts *f,
		       bool would, int result)
{
	const struct ftg_rule *r = &t->rules[index];
	struct ftg_decision_event *ev = &f->s->rec.ev;
	u8 *bytes = f->s->rec.bytes;
	char *data = (char *)ev->data;
	struct ftg_stamp stamp;
	u32 used, n;

	ftg_stamp_now(&stamp);
	memset(bytes, 0, sizeof(f->s->rec.bytes));
	ev->generation = t->generation;
	ev->rule = index;
	ev->kind = r->kind;
	ev->action = r->action;
	ev->mode = t->policies[r->policy].mode;
	ev->flags = would ? FTG_DEC_WOULD : 0;
	ev->result = result;
	ev->mask = f->mask;
	memcpy(ev->policy, t->policies[r->policy].name, FTG_NAME_LEN);
	memcpy(ev->rule_name, r->name, FTG_NAME_LEN);
	memcpy(ev->addr, f->addr, sizeof(ev->addr));
	ev->family = f->family;
	ev->port = f->port;
	ev->target_pid = f->target_pid;
	ev->new_uid = f->new_uid;
	ev->new_euid = f->new_euid;

	ftg_binary(f);
	n = ftg_copy_str(data, f->binary, f->binary_len, &ev->flags, FTG_DEC_BINARY_TRUNC);
	ev->binary_len = n;
	used = n;
	if (f->object_known) {
		n = ftg_copy_str(data + used, f->object, f->object_len, &ev->flags,
				 FTG_DEC_OBJECT_TRUNC);
		ev->object_len = n;
		used += n;
	}
	if (f->bprm) {
		ev->argc = f->bprm->argc;
		n = ftg_exec_argv(f, data + used, FTG_DEC_ARGV_MAX, &ev->flags);
	} else {
		n = ftg_current_argv(data + used, FTG_DEC_ARGV_MAX, &ev->argc, &ev->flags);
	}
	ev->argv_len = n;
	used += n;
	ftg_fill_header(&ev->hdr, FTG_EV_DECISION, sizeof(*ev) + used, &stamp);
	ftg_emit(&ev->hdr);
}

/*
 * Evaluate the candidates in rule order (docs/policy.md, Evaluation):
 * audits record and go on; in a monitor policy a matching rule records
 * "would" (unless allow) and ends that policy; in an enforcing policy the
 * first allow, deny, kill or deny+kill ends everything.
 */
static void notrace ftg_decide(const struct ftg_table *t, struct ftg_facts *f,
			       const char *key, u32 key_len, bool key_known)
{
	struct ftg_run *runs = f->s->runs;
	const struct ftg_ientry *e;
	u32 nr, skip = U32_MAX;
	bool key_ok;

	nr = ftg_lookup(t, f->kind, key, key_len, key_known, runs);
	while ((e = ftg_next_candidate(t, runs, nr, key, key_len, &key_ok))) {
		const struct ftg_rule *r = &t->rules[e->rule];

		if (!key_ok || r->policy == skip || !ftg_rule_matches(t, r, f))
			continue;
		atomic64_inc(&ftg_decisions[r->action]);
		if (r->action == FTG_ACT_AUDIT) {
			ftg_report(t, e->rule, f, false, 0);
			continue;
		}
		if (t->policies[r->policy].mode == FTG_MODE_MONITOR) {
			if (r->action != FTG_ACT_ALLOW)
				ftg_report(t, e->rule, f, true, 0);
			skip = r->policy;
			continue;
		}
		if (r->action == FTG_ACT_ALLOW)
			return;
		if (r->action == FTG_ACT_DENY || r->action == FTG_ACT_DENY_KILL) {
			f->err = -(int)r->err;
			atomic64_inc(&ftg_blocked);
		}
		if (r->action == FTG_ACT_KILL || r->action == FTG_ACT_DENY_KILL) {
			f->kill = true;
			atomic64_inc(&ftg_killed);
		}
		ftg_report(t, e->rule, f, false, f->err);
		return;
	}
}

/* ---- callbacks ------------------------------------------------------- */

/*
 * Enter a deciding callback: a user task, a table with rules of this kind,
 * this CPU's scratch free.  Preemption is off from here to ftg_end().
 */
static const struct ftg_table *notrace ftg_begin(u8 kind, struct ftg_facts *f)
{
	const struct ftg_table *t;
	struct ftg_scratch *s;

	if (current->flags & PF_KTHREAD)
		return NULL;
	preempt_disable_notrace();
	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	if (!t || !t->kind_rules[kind])
		goto out;
	s = ftg_scratch[smp_processor_id()];
	if (s->busy)
		goto out;
	s->busy = true;
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->s = s;
	f->uid = from_kuid_munged(&init_user_ns, current_uid());
	f->euid = from_kuid_munged(&init_user_ns, current_euid());
	return t;
out:
	rcu_read_unlock();
	preempt_enable_notrace();
	return NULL;
}

/* Leave: the new instruction pointer (0: run the function). */
static unsigned long notrace ftg_end(struct ftg_facts *f, struct pt_regs *regs)
{
	unsigned long ip = 0;

	f->s->busy = false;
	rcu_read_unlock();
	preempt_enable_notrace();
	if (f->kill)
		send_sig(SIGKILL, current, 0);
	if (f->err) {
		ftg_set_return(regs, (unsigned long)(long)f->err);
		ip = (unsigned long)ftg_deny_return;
	}
	return ip;
}

/* security_file_open(struct file *file) */
unsigned long notrace ftg_guard_open(struct pt_regs *regs)
{
	struct file *file = (struct file *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;

	t = ftg_begin(FTG_KIND_OPEN, &f);
	if (!t)
		return 0;
	if (file->f_mode & FMODE_READ)
		f.mask |= FTG_ACCESS_READ;
	if (file->f_mode & FMODE_WRITE)
		f.mask |= FTG_ACCESS_WRITE;
	if (file->f_mode & FMODE_CREATED)
		f.mask |= FTG_ACCESS_CREATE;
	/* A file this open created has nothing to truncate. */
	if (file->f_flags & O_TRUNC && !(file->f_mode & FMODE_CREATED))
		f.mask |= FTG_ACCESS_TRUNCATE;
	f.object_known = ftg_path(&file->f_path, f.s->object, &f.object, &f.object_len);
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

/* The kernel's own shortest sockaddr_in6 (without sin6_scope_id). */
#define FTG_SIN6_LEN	offsetof(struct sockaddr_in6, sin6_scope_id)

static bool notrace ftg_v4mapped(const struct in6_addr *a)
{
	return !a->s6_addr32[0] && !a->s6_addr32[1] && a->s6_addr32[2] == htonl(0x0000ffff);
}

/* security_socket_connect(struct socket *, struct sockaddr *, int addrlen) */
unsigned long notrace ftg_guard_connect(struct pt_regs *regs)
{
	const struct sockaddr *sa = (const struct sockaddr *)ftg_arg(regs, 1);
	int addrlen = (int)ftg_arg(regs, 2);
	const struct ftg_table *t;
	struct ftg_facts f;

	if (addrlen < (int)sizeof(sa->sa_family))
		return 0;
	if (sa->sa_family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		t = ftg_begin(FTG_KIND_CONNECT, &f);
		if (!t)
			return 0;
		f.family = AF_INET;
		f.port = ntohs(in->sin_port);
		memcpy(f.addr, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 && addrlen >= FTG_SIN6_LEN) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		t = ftg_begin(FTG_KIND_CONNECT, &f);
		if (!t)
			return 0;
		f.port = ntohs(in6->sin6_port);
		if (ftg_v4mapped(&in6->sin6_addr)) {
			f.family = AF_INET;
			memcpy(f.addr, &in6->sin6_addr.s6_addr32[3], 4);
		} else {
			f.family = AF_INET6;
			memcpy(f.addr, &in6->sin6_addr, 16);
		}
	} else {
		return 0;
	}
	ftg_binary(&f);
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	return ftg_end(&f, regs);
}

/* foo.ko, foo.ko.xz, foo.ko.zst, foo.ko.gz: "foo", with '-' as '_'. */
static bool notrace ftg_module_name(struct ftg_facts *f, const char *path, u32 len)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = path + len;
	char *name = f->s->other;
	u32 n, i;

	while (base > path && base[-1] != '/')
		base--;
	n = path + len - base;
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		u32 el = strlen(ext[i]);

		if (n > el && !memcmp(base + n - el, ext[i], el)) {
			n -= el;
			break;
		}
	}
	if (!n || n >= MODULE_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[n] = '\0';
	f->object = name;
	f->object_len = n;
	return true;
}

/* security_kernel_read_file(struct file *, enum kernel_read_file_id, bool) */
unsigned long notrace ftg_guard_read_file(struct pt_regs *regs)
{
	struct file *file = (struct file *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;
	const char *p;
	u32 len;

	if ((int)ftg_arg(regs, 1) != READING_MODULE)
		return 0;
	t = ftg_begin(FTG_KIND_MODULE_LOAD, &f);
	if (!t)
		return 0;
	if (file && ftg_path(&file->f_path, f.s->object, &p, &len))
		f.object_known = ftg_module_name(&f, p, len);
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

/* security_kernel_load_data(enum kernel_load_data_id, bool): no name yet */
unsigned long notrace ftg_guard_load_data(struct pt_regs *regs)
{
	const struct ftg_table *t;
	struct ftg_facts f;

	if ((int)ftg_arg(regs, 0) != LOADING_MODULE)
		return 0;
	t = ftg_begin(FTG_KIND_MODULE_LOAD, &f);
	if (!t)
		return 0;
	ftg_decide(t, &f, NULL, 0, false);
	return ftg_end(&f, regs);
}

/*
 * security_ptrace_access_check(struct task_struct *child, unsigned int mode),
 * called with task_lock(child) held: child->mm is stable.
 */
unsigned long notrace ftg_guard_ptrace(struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;

	if (!((unsigned int)ftg_arg(regs, 1) & PTRACE_MODE_ATTACH))
		return 0;
	t = ftg_begin(FTG_KIND_PTRACE, &f);
	if (!t)
		return 0;
	f.target_pid = task_tgid_nr(child);
	if (!(child->flags & PF_KTHREAD))
		f.object_known = ftg_exe_path(child->mm, f.s->object, &f.object, &f.object_len);
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

/* commit_creds(struct cred *new): privileges gained outside an exec. */
unsigned long notrace ftg_guard_creds(struct pt_regs *regs)
{
	struct cred *new = (struct cred *)ftg_arg(regs, 0);
	const struct cred *old = current_cred();
	const struct ftg_table *t;
	struct ftg_facts f;
	u32 gains = 0;
	unsigned long ip;

	if (current->in_execve)
		return 0;
	if ((uid_eq(new->uid, GLOBAL_ROOT_UID) && !uid_eq(old->uid, GLOBAL_ROOT_UID)) ||
	    (uid_eq(new->euid, GLOBAL_ROOT_UID) && !uid_eq(old->euid, GLOBAL_ROOT_UID)))
		gains |= FTG_GAIN_UID0;
	if (!cap_issubset(new->cap_effective, old->cap_effective) ||
	    !cap_issubset(new->cap_permitted, old->cap_permitted))
		gains |= FTG_GAIN_CAPS;
	if (!gains)
		return 0;
	t = ftg_begin(FTG_KIND_PRIVILEGE, &f);
	if (!t)
		return 0;
	f.mask = gains;
	f.new_uid = from_kuid_munged(&init_user_ns, new->uid);
	f.new_euid = from_kuid_munged(&init_user_ns, new->euid);
	ftg_binary(&f);
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	ip = ftg_end(&f, regs);
	/* commit_creds() consumes the caller's reference: so does a denial. */
	if (ip)
		abort_creds(new);
	return ip;
}

/* ---- exec ------------------------------------------------------------ */

int (*ftg_real_bprm_check)(struct linux_binprm *bprm);

static void ftg_exec_facts(struct ftg_facts *f, struct linux_binprm *bprm)
{
	struct dentry *dentry = bprm->file->f_path.dentry;
	struct dentry *parent;
	umode_t mode;

	f->bprm = bprm;
	f->fileless = d_unlinked(dentry) || !d_inode(dentry)->i_nlink;
	parent = dget_parent(dentry);
	mode = d_inode(parent) ? d_inode(parent)->i_mode : 0;
	dput(parent);
	/* A world-writable directory with the sticky bit (01777 like /tmp). */
	f->tempdir = S_ISDIR(mode) && (mode & 01002) == 01002;
}

/* The decision on an exec; 0 or -errno.  May sleep. */
static int ftg_exec_decide(struct linux_binprm *bprm)
{
	struct ftg_facts f = { .kind = FTG_KIND_EXEC };
	struct ftg_table *t;
	int err = 0;

	t = ftg_table_get_ref();
	if (!t)
		return 0;
	if (!t->kind_rules[FTG_KIND_EXEC])
		goto put;
	f.s = kmalloc(sizeof(*f.s), GFP_KERNEL);
	if (!f.s) {
		ftg_count_drop(FTG_DROP_NOMEM);
		goto put;
	}
	f.uid = from_kuid_munged(&init_user_ns, current_uid());
	f.euid = from_kuid_munged(&init_user_ns, current_euid());
	f.binary_done = true;
	if (!ftg_path(&bprm->file->f_path, f.s->binary, &f.binary, &f.binary_len))
		f.binary = NULL;
	ftg_exec_facts(&f, bprm);
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	kfree(f.s);
	if (f.kill)
		send_sig(SIGKILL, current, 0);
	err = f.err;
put:
	ftg_table_put(t);
	return err;
}

int ftg_bprm_check(struct linux_binprm *bprm)
{
	int ret;

	ftg_wrapper_enter();
	ret = ftg_exec_decide(bprm);
	if (!ret)
		ret = ftg_real_bprm_check(bprm);
	ftg_wrapper_exit();
	return ret;
}

/*
 * security_bprm_check(struct linux_binprm *): enter the wrapper only when
 * an exec rule's key matches the executed file.
 */
unsigned long notrace ftg_guard_bprm(struct pt_regs *regs)
{
	struct linux_binprm *bprm = (struct linux_binprm *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;
	const char *p = NULL;
	bool key_ok = false;
	u32 len = 0, nr;

	t = ftg_begin(FTG_KIND_EXEC, &f);
	if (!t)
		return 0;
	if (!ftg_path(&bprm->file->f_path, f.s->binary, &p, &len))
		p = NULL;
	nr = ftg_lookup(t, FTG_KIND_EXEC, p, len, p, f.s->runs);
	while (!key_ok && ftg_next_candidate(t, f.s->runs, nr, p, len, &key_ok))
		;
	ftg_end(&f, regs);
	return key_ok ? (unsigned long)ftg_bprm_check : 0;
}

/* ---- counters and set-up -------------------------------------------- */

void ftg_guard_stats(struct ftg_stats *stats)
{
	int i;

	for (i = 0; i < FTG_ACTIONS; i++)
		stats->decisions[i] = atomic64_read(&ftg_decisions[i]);
	stats->blocked = atomic64_read(&ftg_blocked);
	stats->killed = atomic64_read(&ftg_killed);
	ftg_table_info(&stats->table_generation, &stats->table_rules, &stats->table_bytes);
}

int ftg_guards_init(void)
{
	int cpu;

	ftg_scratch = kcalloc(nr_cpu_ids, sizeof(*ftg_scratch), GFP_KERNEL);
	if (!ftg_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		ftg_scratch[cpu] = kzalloc_node(sizeof(struct ftg_scratch), GFP_KERNEL,
						cpu_to_node(cpu));
		if (!ftg_scratch[cpu]) {
			ftg_guards_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* After the hooks are removed. */
void ftg_guards_exit(void)
{
	int cpu;

	if (!ftg_scratch)
		return;
	for_each_possible_cpu(cpu)
		kfree(ftg_scratch[cpu]);
	kfree(ftg_scratch);
	ftg_scratch = NULL;
}
