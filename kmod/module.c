// SPDX-License-Identifier: GPL-2.0
/*
 * The module family: the decision on loading a kernel module (rule kind
 * module_load), from a file (finit_module: security_kernel_read_file(),
 * which knows the file and so the module's name) or from memory
 * (init_module: security_kernel_load_data(), which knows no name yet).
 */
#include "common.h"

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/security.h>
#include <linux/string.h>

#include "compat.h"
#include "decide.h"
#include "hook.h"
#include "policy.h"

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
static unsigned long notrace ftg_guard_read_file(struct pt_regs *regs)
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
static unsigned long notrace ftg_guard_load_data(struct pt_regs *regs)
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

static struct ftg_hook ftg_module_hooks[] = {
	FTG_HOOK_GUARD("security_kernel_read_file", ftg_guard_read_file, NULL),
	FTG_HOOK_GUARD("security_kernel_load_data", ftg_guard_load_data, NULL),
};

void __init ftg_add_module_hooks(void)
{
	ftg_hooks_add(ftg_module_hooks, ARRAY_SIZE(ftg_module_hooks));
}
