// SPDX-License-Identifier: GPL-2.0
/*
 * The file family: the decisions of rule kind open, on the kernel's own
 * objects.  security_file_open() decides every open of a file; the other
 * hooks decide the changes made to a file without opening it for writing
 * (truncate, rename, unlink, link, mode, owner, times, extended
 * attributes), each with FTG_ACCESS_WRITE and the bit naming the change,
 * keyed on the changed file's path (docs/enforcement.md, "Changing a file
 * without opening it for writing").
 */
#include "common.h"

#include <linux/compat.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "compat.h"
#include "decide.h"
#include "hook.h"
#include "policy.h"

/*
 * Whether a rule of kind open may name the file at @path: by its path (the
 * name filter, name_filter.c) or by its identity or a directory's above
 * it.  Under RCU.
 */
static __always_inline bool ftg_file_may_match(const struct ftg_table *t,
					       const struct path *path)
{
	return ftg_name_filter_may_match(&t->open_names, path) ||
	       ftg_ident_may_match(t, FTG_KIND_OPEN, path->dentry);
}

/*
 * Before entering a decision (ftg_begin()): whether a rule may decide
 * access @mask to the file at @path.  Most opens and changes are of files
 * no rule names, and leave here without taking this CPU's scratch,
 * clearing the facts or building the path.  A table published meanwhile is
 * one the call could as well have come before.
 */
static bool notrace ftg_file_may_decide(const struct path *path, u32 mask)
{
	const struct ftg_table *t;
	bool may;

	if (current->flags & PF_KTHREAD)
		return false;
	/*
	 * RCU-sched: since 5.0 a grace period waits for code that runs with
	 * preemption off, and this costs less than preemptible RCU's calls.
	 */
	rcu_read_lock_sched_notrace();
	t = rcu_dereference_sched(ftg_current_table);
	may = t && t->kind_rules[FTG_KIND_OPEN] &&
	      ftg_kind_mask_may_match(t, FTG_KIND_OPEN, mask) && ftg_file_may_match(t, path);
	rcu_read_unlock_sched_notrace();
	return may;
}

/*
 * Decide on the file at @path, which a rule may name (ftg_file_may_match()):
 * the one place where the facts of the file a rule is about are gathered.
 */
static void notrace ftg_decide_file(const struct ftg_table *t, struct ftg_facts *f,
				    const struct path *path)
{
	f->inode = d_inode(path->dentry);
	f->dentry = path->dentry;
	f->object_known = ftg_path(path, f->s->object, &f->object, &f->object_len);
	ftg_decide(t, f, f->object, f->object_len, f->object_known);
}

/*
 * The decision on access @mask to the file at @path and, unless that one
 * is denied, the one at @other, each NULL or a file a rule may name.  Apart
 * from the look before it (ftg_file_may_decide()) so that the hooks keep no
 * facts on their stack: a kernel that initialises locals
 * (CONFIG_INIT_STACK_ALL_ZERO, Debian's) clears them at every entry.
 */
static noinline unsigned long notrace ftg_decide_paths(struct pt_regs *regs, u32 mask,
						       const struct path *path,
						       const struct path *other)
{
	const struct ftg_table *t;
	struct ftg_facts f;

	t = ftg_begin(FTG_KIND_OPEN, &f);
	if (!t)
		return 0;
	f.mask = mask;
	if (path)
		ftg_decide_file(t, &f, path);
	if (other && !f.err)
		ftg_decide_file(t, &f, other);
	return ftg_end(&f, regs);
}

static unsigned long notrace ftg_change(struct pt_regs *regs, const struct path *path,
					u32 access)
{
	u32 mask = FTG_ACCESS_WRITE | access;

	if (!ftg_file_may_decide(path, mask))
		return 0;
	return ftg_decide_paths(regs, mask, path, NULL);
}

/*
 * The path of a dentry an inode hook got without its mount: in the
 * caller's root mount, where its absolute paths start, when the file lies
 * in that filesystem under the mount's root; false elsewhere.  Under RCU
 * (ftg_begin()): a mount is freed only after a grace period.
 */
static bool notrace ftg_root_path(struct dentry *dentry, struct path *out)
{
	struct fs_struct *fs = current->fs;
	struct vfsmount *mnt;

	if (!fs)
		return false;
	mnt = READ_ONCE(fs->root.mnt);
	if (!mnt || mnt->mnt_sb != dentry->d_sb || !is_subdir(dentry, mnt->mnt_root))
		return false;
	out->mnt = mnt;
	out->dentry = dentry;
	return true;
}

static unsigned long notrace ftg_change_dentry(struct pt_regs *regs, struct dentry *dentry,
					       u32 access)
{
	const struct ftg_table *t;
	struct ftg_facts f;
	struct path path;

	t = ftg_begin(FTG_KIND_OPEN, &f);
	if (!t)
		return 0;
	f.mask = FTG_ACCESS_WRITE | access;
	if (ftg_mask_may_match(t, &f)) {
		if (!ftg_root_path(dentry, &path))
			ftg_decide(t, &f, NULL, 0, false);
		else if (ftg_file_may_match(t, &path))
			ftg_decide_file(t, &f, &path);
	}
	return ftg_end(&f, regs);
}

/* security_file_open(struct file *file) */
static unsigned long notrace ftg_guard_open(struct pt_regs *regs)
{
	struct file *file = (struct file *)ftg_arg(regs, 0);
	u32 mask = 0;

	if (file->f_mode & FMODE_READ)
		mask |= FTG_ACCESS_READ;
	if (file->f_mode & FMODE_WRITE)
		mask |= FTG_ACCESS_WRITE;
	if (file->f_mode & FMODE_CREATED)
		mask |= FTG_ACCESS_CREATE;
	/* A file this open created has nothing to truncate. */
	if (file->f_flags & O_TRUNC && !(file->f_mode & FMODE_CREATED))
		mask |= FTG_ACCESS_TRUNCATE;
	if (!ftg_file_may_decide(&file->f_path, mask))
		return 0;
	return ftg_decide_paths(regs, mask, &file->f_path, NULL);
}

/*
 * Whether the current system call opens a file (its O_TRUNC was decided
 * by security_file_open()) or truncates an open file (decided by
 * security_inode_setattr(), with the file).  A 32-bit task's numbers are
 * other ones: its truncations may be decided twice.
 */
static bool notrace ftg_in_open_or_ftruncate(void)
{
	struct pt_regs *user = task_pt_regs(current);
	int nr;

	if (!user || in_compat_syscall())
		return false;
	nr = syscall_get_nr(current, user);
	switch (nr) {
#ifdef __NR_open
	case __NR_open:
#endif
#ifdef __NR_creat
	case __NR_creat:
#endif
	case __NR_openat:
	case __NR_openat2:
	case __NR_ftruncate:
		return true;
	}
	return false;
}

/*
 * security_path_truncate(const struct path *path): truncate(2); before
 * 6.2 also ftruncate(2) and an O_TRUNC open, decided elsewhere.
 */
static unsigned long notrace ftg_guard_truncate(struct pt_regs *regs)
{
	if (ftg_in_open_or_ftruncate())
		return 0;
	return ftg_change(regs, (const struct path *)ftg_arg(regs, 0), FTG_ACCESS_TRUNCATE);
}

/*
 * security_inode_setattr([idmap,] struct dentry *, struct iattr *attr):
 * ftruncate(2), the one truncation that comes with its file (ATTR_FILE)
 * and not from an open (ATTR_OPEN).  Mode, owner and times have hooks
 * with the mount (below).
 */
static unsigned long notrace ftg_guard_setattr(struct pt_regs *regs)
{
	struct iattr *attr = (struct iattr *)ftg_arg(regs, FTG_SETATTR_DENTRY_ARG + 1);
	unsigned int valid = attr->ia_valid;

	if (!(valid & ATTR_SIZE) || !(valid & ATTR_FILE) || valid & ATTR_OPEN || !attr->ia_file)
		return 0;
	return ftg_change(regs, &attr->ia_file->f_path, FTG_ACCESS_TRUNCATE);
}

/* security_path_unlink(const struct path *dir, struct dentry *dentry) */
static unsigned long notrace ftg_guard_unlink(struct pt_regs *regs)
{
	const struct path *dir = (const struct path *)ftg_arg(regs, 0);
	struct path path = { .mnt = dir->mnt, .dentry = (struct dentry *)ftg_arg(regs, 1) };

	return ftg_change(regs, &path, FTG_ACCESS_UNLINK);
}

/*
 * security_path_rename(const struct path *old_dir, struct dentry *old,
 * const struct path *new_dir, struct dentry *new, unsigned int flags):
 * the file renamed, then the one it replaces (or exchanges with) if any.
 */
static unsigned long notrace ftg_guard_rename(struct pt_regs *regs)
{
	const struct path *old_dir = (const struct path *)ftg_arg(regs, 0);
	const struct path *new_dir = (const struct path *)ftg_arg(regs, 2);
	struct path old = { .mnt = old_dir->mnt, .dentry = (struct dentry *)ftg_arg(regs, 1) };
	struct path new = { .mnt = new_dir->mnt, .dentry = (struct dentry *)ftg_arg(regs, 3) };
	u32 mask = FTG_ACCESS_WRITE | FTG_ACCESS_RENAME;
	bool may_old, may_new;

	may_old = ftg_file_may_decide(&old, mask);
	may_new = d_is_positive(new.dentry) && ftg_file_may_decide(&new, mask);
	if (!may_old && !may_new)
		return 0;
	return ftg_decide_paths(regs, mask, may_old ? &old : NULL, may_new ? &new : NULL);
}

/*
 * security_path_link(struct dentry *old, const struct path *new_dir,
 * struct dentry *new): a new name for the file old (same mount: a link
 * across mounts fails with EXDEV before this hook).
 */
static unsigned long notrace ftg_guard_link(struct pt_regs *regs)
{
	const struct path *new_dir = (const struct path *)ftg_arg(regs, 1);
	struct path path = { .mnt = new_dir->mnt, .dentry = (struct dentry *)ftg_arg(regs, 0) };

	return ftg_change(regs, &path, FTG_ACCESS_LINK);
}

/*
 * security_path_chmod(const struct path *, umode_t),
 * security_path_chown(const struct path *, kuid_t, kgid_t),
 * vfs_utimes(const struct path *, struct timespec64 *)
 */
static unsigned long notrace ftg_guard_attr(struct pt_regs *regs)
{
	return ftg_change(regs, (const struct path *)ftg_arg(regs, 0), FTG_ACCESS_ATTR);
}

/*
 * security_inode_setxattr([idmap,] struct dentry *, ...),
 * security_inode_removexattr([idmap,] struct dentry *, const char *)
 */
static unsigned long notrace ftg_guard_xattr(struct pt_regs *regs)
{
	return ftg_change_dentry(regs, (struct dentry *)ftg_arg(regs, FTG_XATTR_DENTRY_ARG),
				 FTG_ACCESS_ATTR);
}

/* Their ftrace callbacks, which call them directly (hook.h). */
FTG_DEFINE_GUARD(ftg_guard_open)
FTG_DEFINE_GUARD(ftg_guard_truncate)
FTG_DEFINE_GUARD(ftg_guard_setattr)
FTG_DEFINE_GUARD(ftg_guard_unlink)
FTG_DEFINE_GUARD(ftg_guard_rename)
FTG_DEFINE_GUARD(ftg_guard_link)
FTG_DEFINE_GUARD(ftg_guard_attr)
FTG_DEFINE_GUARD(ftg_guard_xattr)

static struct ftg_hook ftg_file_hooks[] = {
	FTG_HOOK_GUARD("security_file_open", ftg_guard_open, NULL),
	FTG_HOOK_GUARD("security_path_truncate", ftg_guard_truncate, NULL),
	FTG_HOOK_GUARD("security_inode_setattr", ftg_guard_setattr, NULL),
	FTG_HOOK_GUARD("security_path_unlink", ftg_guard_unlink, NULL),
	FTG_HOOK_GUARD("security_path_rename", ftg_guard_rename, NULL),
	FTG_HOOK_GUARD("security_path_link", ftg_guard_link, NULL),
	FTG_HOOK_GUARD("security_path_chmod", ftg_guard_attr, NULL),
	FTG_HOOK_GUARD("security_path_chown", ftg_guard_attr, NULL),
	FTG_HOOK_GUARD("vfs_utimes", ftg_guard_attr, NULL),
	FTG_HOOK_GUARD("security_inode_setxattr", ftg_guard_xattr, NULL),
	FTG_HOOK_GUARD("security_inode_removexattr", ftg_guard_xattr, NULL),
};

void __init ftg_add_file_hooks(void)
{
	ftg_hooks_add(ftg_file_hooks, ARRAY_SIZE(ftg_file_hooks));
}
