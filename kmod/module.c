// SPDX-License-Identifier: GPL-2.0
/*
 * The module family: the decision on loading a kernel module (rule kind
 * module_load), taken once per load on the image the kernel has read and
 * will load: finit_module through security_kernel_post_read_file() (id
 * READING_MODULE, the whole file in a kernel buffer), init_module through
 * security_kernel_post_load_data() (id LOADING_MODULE, the copy of the
 * caller's memory).  Both are LSM hooks that may fail: the kernel frees its
 * buffer and returns the error.
 *
 * The name is the module's own, read from the image (ftg_module_image_name),
 * whatever the file is called.  An image finit_module reads compressed
 * (MODULE_INIT_COMPRESSED_FILE, decompressed by the kernel only after these
 * hooks) is no ELF file here: its name is unknown, and only rules without a
 * name selector match it (docs/enforcement.md, "Module loads").
 */
#include "common.h"

#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/security.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "compat.h"
#include "decide.h"
#include "hook.h"
#include "policy.h"

#define FTG_THIS_MODULE_SECTION ".gnu.linkonce.this_module"

/* The section's bytes lie inside the image (kernel: validate_section_offset). */
static bool notrace ftg_elf_section_in(const Elf64_Shdr *sh, u64 len)
{
	return sh->sh_type != SHT_NOBITS && sh->sh_offset <= len &&
	       sh->sh_size <= len - sh->sh_offset;
}

/*
 * The name the kernel will register the module under: the name field of
 * the struct module that modpost puts in .gnu.linkonce.this_module.
 * load_module() copies that section and takes mod->name for the module list
 * (add_unformed_module), sysfs, lsmod and delete_module; .modinfo's name=
 * only labels log lines and the module_blacklist= check, so it is not read.
 *
 * The image is walked as setup_load_info() does after elf_validity_check(),
 * trusting nothing: the header, the section header table, the section name
 * table and the section are each checked against len before any byte of
 * them is read.  On anything malformed the name is unknown (false): the
 * kernel refuses such an image anyway.
 */
static bool notrace ftg_module_image_name(struct ftg_facts *f, const u8 *image, u64 len)
{
	static const char want[] = FTG_THIS_MODULE_SECTION;
	const size_t at = offsetof(struct module, name);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	const Elf64_Shdr *sh, *strsh;
	const char *names, *name;
	u32 i, n;

	if (!image || len < sizeof(*eh))
		return false;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_REL ||
	    !elf_check_arch(eh) || eh->e_shentsize != sizeof(*sh))
		return false;
	if (eh->e_shoff >= len ||
	    (u64)eh->e_shnum * sizeof(*sh) > len - eh->e_shoff)
		return false;
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return false;
	sh = (const Elf64_Shdr *)(image + eh->e_shoff);
	strsh = &sh[eh->e_shstrndx];
	if (!ftg_elf_section_in(strsh, len) || strsh->sh_size < sizeof(want))
		return false;
	names = (const char *)image + strsh->sh_offset;

	/* The first allocated section of that name, as find_sec() takes it. */
	for (i = 1; i < eh->e_shnum; i++) {
		if (!(sh[i].sh_flags & SHF_ALLOC) ||
		    sh[i].sh_name > strsh->sh_size - sizeof(want))
			continue;
		if (!memcmp(names + sh[i].sh_name, want, sizeof(want)))
			break;
	}
	if (i >= eh->e_shnum || !ftg_elf_section_in(&sh[i], len) ||
	    sh[i].sh_size < at + MODULE_NAME_LEN)
		return false;
	name = (const char *)image + sh[i].sh_offset + at;
	n = strnlen(name, MODULE_NAME_LEN);
	if (!n || n == MODULE_NAME_LEN)
		return false;
	BUILD_BUG_ON(sizeof(f->s->other) < MODULE_NAME_LEN);
	memcpy(f->s->other, name, n);
	f->s->other[n] = '\0';
	f->object = f->s->other;
	f->object_len = n;
	return true;
}

/* The decision on one image the kernel holds. */
static unsigned long notrace ftg_module_decide(struct pt_regs *regs,
					       const void *image, loff_t size)
{
	const struct ftg_table *t;
	struct ftg_facts f;

	t = ftg_begin(FTG_KIND_MODULE_LOAD, &f);
	if (!t)
		return 0;
	if (size > 0)
		f.object_known = ftg_module_image_name(&f, image, size);
	ftg_decide(t, &f, f.object, f.object_len, f.object_known);
	return ftg_end(&f, regs);
}

/*
 * security_kernel_post_read_file(struct file *, char *buf, loff_t size,
 * enum kernel_read_file_id): finit_module, after the whole file is read.
 */
static unsigned long notrace ftg_guard_post_read_file(struct pt_regs *regs)
{
	if ((int)ftg_arg(regs, 3) != READING_MODULE)
		return 0;
	return ftg_module_decide(regs, (const void *)ftg_arg(regs, 1),
				 (loff_t)ftg_arg(regs, 2));
}

/*
 * security_kernel_post_load_data(char *buf, loff_t size,
 * enum kernel_load_data_id, char *description): init_module, after the
 * caller's image is copied.
 */
static unsigned long notrace ftg_guard_post_load_data(struct pt_regs *regs)
{
	if ((int)ftg_arg(regs, 2) != LOADING_MODULE)
		return 0;
	return ftg_module_decide(regs, (const void *)ftg_arg(regs, 0),
				 (loff_t)ftg_arg(regs, 1));
}

/* Their ftrace callbacks, which call them directly (hook.h). */
FTG_DEFINE_GUARD(ftg_guard_post_read_file)
FTG_DEFINE_GUARD(ftg_guard_post_load_data)

static struct ftg_hook ftg_module_hooks[] = {
	FTG_HOOK_GUARD("security_kernel_post_read_file", ftg_guard_post_read_file, NULL),
	FTG_HOOK_GUARD("security_kernel_post_load_data", ftg_guard_post_load_data, NULL),
};

void __init ftg_add_module_hooks(void)
{
	ftg_hooks_add(ftg_module_hooks, ARRAY_SIZE(ftg_module_hooks));
}
