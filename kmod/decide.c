// SPDX-License-Identifier: GPL-2.0
/*
 * The decision shared by the deciding hooks of every family (exec.c,
 * file.c, network.c, module.c, process.c).  Each hook runs in the ftrace
 * callback of a function whose arguments are the kernel's own copies (an
 * opened file, a copied socket address, a task, new credentials), gathers
 * the facts a rule can ask for, and calls ftg_begin(), ftg_decide() and
 * ftg_end() here: they look the rule table up and, when an enforcing rule
 * denies, make the function return the error without running (ftg_deny(),
 * arch.h: the return value register set, the instruction pointer sent to a
 * bare return).  Nothing matching costs a lookup and no wrapper.
 */
#include "common.h"

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "content.h"
#include "decide.h"
#include "events.h"
#include "policy.h"

/* Ancestors examined above the parent by ancestorBinary. */
#define FTG_ANCESTORS_MAX	32

/* One per possible CPU, each used by its CPU with preemption off. */
static struct ftg_scratch **ftg_scratch;

static atomic64_t ftg_decisions[FTG_ACTIONS];
static atomic64_t ftg_blocked;
static atomic64_t ftg_killed;

/* ---- paths ----------------------------------------------------------- */

/* d_path into buf[PATH_MAX]; false when it does not fit or fails. */
bool notrace ftg_path(const struct path *path, char *buf, const char **out, u32 *len)
{
	char *p = d_path(path, buf, PATH_MAX);

	if (IS_ERR(p))
		return false;
	*out = p;
	*len = buf + PATH_MAX - 1 - p;
	return true;
}

bool notrace ftg_exe_path(struct mm_struct *mm, char *buf, const char **out, u32 *len)
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
bool notrace ftg_binary(struct ftg_facts *f)
{
	if (!f->binary_done) {
		f->binary_done = true;
		if (!ftg_exe_path(current->mm, f->s->binary, &f->binary, &f->binary_len))
			f->binary = NULL;
	}
	return f->binary;
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

/*
 * The content of the executed or mapped file, looked at once per decision:
 * from the cache, or hashed where the decision may sleep.
 */
static void notrace ftg_content_of(struct ftg_facts *f)
{
	if (f->content)
		return;
	/* ftg_content_hash() looks the cache up first, and counts unknowns. */
	if (f->may_hash ? ftg_content_hash(f->file, f->digest) :
			  ftg_content_cached(f->file, f->digest)) {
		f->content = FTG_DEC_CONTENT_KNOWN;
		return;
	}
	if (!f->may_hash)
		ftg_content_count_unknown();
	f->content = FTG_DEC_CONTENT_UNKNOWN;
}

/*
 * sha256: the digest is one of the values.  Unknown content (too large,
 * unreadable, or not cached where it cannot be read) fails closed: it
 * matches the selector of any rule but an allow rule.
 */
static bool notrace ftg_content_match(const struct ftg_table *t, const struct ftg_rule *r,
				      struct ftg_facts *f)
{
	static const char digits[] = "0123456789abcdef";
	char hex[FTG_SHA256_HEX_LEN];
	int i;

	if (!f->file)
		return false;
	ftg_content_of(f);
	if (f->content == FTG_DEC_CONTENT_UNKNOWN)
		return r->action != FTG_ACT_ALLOW;
	for (i = 0; i < FTG_SHA256_LEN; i++) {
		hex[2 * i] = digits[f->digest[i] >> 4];
		hex[2 * i + 1] = digits[f->digest[i] & 0xf];
	}
	return ftg_sel_match_str(t, &r->sel[FTG_SEL_SHA256], hex, FTG_SHA256_HEX_LEN);
}

/*
 * Whether some candidate exec rule whose key matches asks for the file's
 * content (f->s->runs are consumed).
 */
bool notrace ftg_wants_content(const struct ftg_table *t, struct ftg_facts *f)
{
	const struct ftg_ientry *e;
	bool key_ok, by_ident;
	u32 nr;

	nr = ftg_candidates(t, f, f->binary, f->binary_len, f->binary);
	while ((e = ftg_next_candidate(t, f->s->runs, nr, f->binary, f->binary_len,
				       &key_ok, &by_ident)))
		if (key_ok && t->rules[e->rule].sel[FTG_SEL_SHA256].count)
			return true;
	return false;
}

static bool ftg_str_sel(const struct ftg_table *t, const struct ftg_sel *sel,
			const char *s, u32 len)
{
	return s && ftg_sel_match_str(t, sel, s, len);
}

/* The acting task's user ids: most decisions never ask for them. */
static void notrace ftg_uids(struct ftg_facts *f)
{
	if (f->uids_done)
		return;
	f->uids_done = true;
	f->uid = from_kuid_munged(&init_user_ns, current_uid());
	f->euid = from_kuid_munged(&init_user_ns, current_euid());
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
	    ftg_exec_tempdir(f) != !!(r->flags & FTG_RULE_TEMPDIR))
		return false;
	if (sel[FTG_SEL_UID].count || sel[FTG_SEL_EUID].count)
		ftg_uids(f);
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
	/*
	 * The rest is exec only.  argv is the new program's: an exec's, read
	 * where the decision may sleep; a rule asking for it does not apply
	 * at a mapping (no bprm).
	 */
	if (sel[FTG_SEL_ARGV].count &&
	    (!f->bprm || !ftg_exec_argv_contains(t, &sel[FTG_SEL_ARGV], f)))
		return false;
	if (sel[FTG_SEL_SHA256].count && !ftg_content_match(t, r, f))
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
	char *data = (char *)ev->data;
	struct ftg_stamp stamp;
	u32 used, n;

	BUILD_BUG_ON(ALIGN(sizeof(*ev) + 2 * (FTG_PATH_MAX + 1) + FTG_DEC_ARGV_MAX,
			   FTG_RECORD_ALIGN) > FTG_RECORD_MAX);
	ftg_stamp_now(&stamp);
	/* The data are written in full below; the padding after them at the end. */
	memset(ev, 0, sizeof(*ev));
	ev->generation = t->generation;
	ev->rule = index;
	ev->kind = r->kind;
	ev->action = r->action;
	ev->mode = t->policies[r->policy].mode;
	ev->flags = (would ? FTG_DEC_WOULD : 0) | f->via;
	if (f->by_ident)
		ev->flags |= FTG_DEC_BY_IDENTITY;
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
	if (r->sel[FTG_SEL_SHA256].count) {
		ev->content = f->content;
		if (f->content == FTG_DEC_CONTENT_KNOWN)
			memcpy(ev->sha256, f->digest, FTG_SHA256_LEN);
	}

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
	/* No byte of an earlier record in this scratch goes out as padding. */
	memset(data + used, 0, ALIGN(sizeof(*ev) + used, FTG_RECORD_ALIGN) - sizeof(*ev) - used);
	ftg_fill_header(&ev->hdr, FTG_EV_DECISION, sizeof(*ev) + used, &stamp);
	ftg_emit(&ev->hdr);
}

/*
 * The directories above @dentry, up to its file system's root, that a
 * prefix value names by identity: one probe per directory, at most
 * FTG_DIR_DEPTH_MAX directories and FTG_DIR_RUNS_MAX runs.  The walk reads
 * d_parent under RCU without rename_lock: a rename racing with it may make
 * it see the old or the new parent, never freed memory.
 */
static u32 notrace ftg_dir_candidates(const struct ftg_table *t, u8 kind,
				      const struct dentry *dentry, struct ftg_run *runs, u32 max)
{
	const struct dentry *d = dentry, *parent;
	struct inode *inode;
	u32 n = 0, depth;

	rcu_read_lock();
	for (depth = 0; depth < FTG_DIR_DEPTH_MAX && n < max; depth++) {
		parent = READ_ONCE(d->d_parent);
		if (parent == d)
			break;
		inode = READ_ONCE(parent->d_inode);
		if (inode && ftg_lookup_ident(t, kind, FTG_IDX_IDENT_DIR, inode, &runs[n]))
			n++;
		d = parent;
	}
	rcu_read_unlock();
	return n;
}

/* ftg_ident_may_match() (decide.h) where the table has rules by identity. */
bool notrace __ftg_ident_may_match(const struct ftg_table *t, u8 kind, const struct dentry *dentry)
{
	const struct inode *inode = d_inode(dentry);
	struct ftg_run run;

	if (inode && t->has_ident[kind] &&
	    ftg_lookup_ident(t, kind, FTG_IDX_IDENT, inode, &run))
		return true;
	return t->has_dir_ident[kind] && ftg_dir_candidates(t, kind, dentry, &run, 1);
}

/*
 * The runs of candidate rules in f->s->runs: by the key's name, and by the
 * identity of f->inode when the table names files of this kind by identity
 * (one hash probe; none otherwise), and of the directories above f->dentry
 * when it names directories.  Returns their number.
 */
u32 notrace ftg_candidates(const struct ftg_table *t, struct ftg_facts *f,
			   const char *key, u32 key_len, bool key_known)
{
	u32 nr = ftg_lookup(t, f->kind, key, key_len, key_known, f->s->runs);

	if (f->inode && t->has_ident[f->kind] &&
	    ftg_lookup_ident(t, f->kind, FTG_IDX_IDENT, f->inode, &f->s->runs[nr]))
		nr++;
	if (f->dentry && t->has_dir_ident[f->kind])
		nr += ftg_dir_candidates(t, f->kind, f->dentry, &f->s->runs[nr], FTG_DIR_RUNS_MAX);
	return nr;
}

/*
 * Evaluate the candidates in rule order (docs/policy.md, Evaluation):
 * audits record and go on; in a monitor policy a matching rule records
 * "would" (unless allow) and ends that policy; in an enforcing policy the
 * first allow, deny, kill or deny+kill ends everything.
 */
void notrace ftg_decide(const struct ftg_table *t, struct ftg_facts *f,
			const char *key, u32 key_len, bool key_known)
{
	struct ftg_run *runs = f->s->runs;
	const struct ftg_ientry *e;
	u32 nr, skip = U32_MAX;
	bool key_ok;

	nr = ftg_candidates(t, f, key, key_len, key_known);
	while ((e = ftg_next_candidate(t, runs, nr, key, key_len, &key_ok, &f->by_ident))) {
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

/* ---- entering and leaving a decision --------------------------------- */

/*
 * Enter a deciding callback: a user task, a table with rules of this kind,
 * this CPU's scratch free.  Preemption is off from here to ftg_end().
 */
const struct ftg_table *notrace ftg_begin(u8 kind, struct ftg_facts *f)
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
	return t;
out:
	rcu_read_unlock();
	preempt_enable_notrace();
	return NULL;
}

/* Leave: the new instruction pointer (0: run the function). */
unsigned long notrace ftg_end(struct ftg_facts *f, struct pt_regs *regs)
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

int ftg_decide_init(void)
{
	int cpu;

	ftg_scratch = kcalloc(nr_cpu_ids, sizeof(*ftg_scratch), GFP_KERNEL);
	if (!ftg_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		ftg_scratch[cpu] = kzalloc_node(sizeof(struct ftg_scratch), GFP_KERNEL,
						cpu_to_node(cpu));
		if (!ftg_scratch[cpu]) {
			ftg_decide_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* After the hooks are removed. */
void ftg_decide_exit(void)
{
	int cpu;

	if (!ftg_scratch)
		return;
	for_each_possible_cpu(cpu)
		kfree(ftg_scratch[cpu]);
	kfree(ftg_scratch);
	ftg_scratch = NULL;
}
