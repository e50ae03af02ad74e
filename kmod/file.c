// SPDX-License-Identifier: GPL-2.0
/*
 * The file family: the decision on opening a file (rule kind open), in the
 * ftrace callback of security_file_open(), on the opened file itself.
 */
#include "common.h"

#include <linux/fs.h>
#include <linux/path.h>
#include <linux/ptrace.h>

#include "compat.h"
#include "decide.h"
#include "hook.h"
#include "policy.h"

/* security_file_open(struct file *file) */
static unsigned long notrace ftg_guard_open(struct pt_regs *regs)
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
	f.inode = file_inode(file);
	f.dentry = file->f_path.dentry;
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

static struct ftg_hook ftg_file_hooks[] = {
	FTG_HOOK_GUARD("security_file_open", ftg_guard_open, NULL),
};

void __init ftg_add_file_hooks(void)
{
	ftg_hooks_add(ftg_file_hooks, ARRAY_SIZE(ftg_file_hooks));
}
