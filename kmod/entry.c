// SPDX-License-Identifier: GPL-2.0
/*
 * Where a wrapper enters its original, and which functions the module may
 * call through a pointer: call_mode (past the fentry site, or through the
 * function's entry with the double call), the fentry sites that skip
 * depends on, and the IBT check of entries called through pointers.  The
 * hook engine (hook.c) asks ftg_wrapper_entry() once per wrapper at
 * install.
 */
#include "common.h"

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "hook.h"

static unsigned long (*ftg_ftrace_location)(unsigned long ip);
/* call_mode: wrappers skip the fentry site; whether a hook may fall back. */
static bool ftg_skip_fentry;
static bool ftg_skip_strict;

#ifdef FTG_TEST_ENTRY
/*
 * Test-only build (make FTG_TEST_ENTRY=1): the entry checks on what the
 * emulator lacks.  test_ibt=1 makes the module act as on a CPU that
 * enforces IBT; each function named in test_entry is classified at load
 * and logged, so that a test can hold the check against the text a kernel
 * really runs; a wrapper target named in test_fentry_odd has its fentry
 * site taken as one this module does not know.
 */
static bool test_ibt;
module_param(test_ibt, bool, 0444);
MODULE_PARM_DESC(test_ibt, "Test build: act as if the CPU enforced IBT");

#define FTG_TEST_ENTRIES_MAX 64
static char *test_entry[FTG_TEST_ENTRIES_MAX];
static int test_entry_count;
module_param_array(test_entry, charp, &test_entry_count, 0444);
MODULE_PARM_DESC(test_entry, "Test build: functions whose entry to classify at load");

#define FTG_TEST_ODD_MAX 8
static char *test_fentry_odd[FTG_TEST_ODD_MAX];
static int test_fentry_odd_count;
module_param_array(test_fentry_odd, charp, &test_fentry_odd_count, 0444);
MODULE_PARM_DESC(test_fentry_odd, "Test build: functions whose fentry site to take as unknown");

void ftg_test_entries(void)
{
	int i;

	for (i = 0; i < test_entry_count; i++) {
		unsigned long addr = ftg_symbol_address(test_entry[i]);

		pr_info("test: entry %s %s callable=%s\n", test_entry[i],
			addr ? ftg_entry_name(ftg_entry_kind(addr)) : "missing",
			ftg_callable_address(test_entry[i]) ? "yes" : "no");
	}
}

static bool ftg_test_fentry_odd(const char *name)
{
	int i;

	for (i = 0; i < test_fentry_odd_count; i++)
		if (!strcmp(test_fentry_odd[i], name))
			return true;
	return false;
}
#else
/* Not a test build: never acting as under IBT. */
static const bool test_ibt;

static inline bool ftg_test_fentry_odd(const char *name)
{
	return false;
}
#endif

/*
 * call_mode=auto takes skip where it can be used: NULL, or why not.  Under
 * IBT the wrapper's indirect call would land past the fentry site, where
 * there is no ENDBR64, and trap: guard calls the function's entry, whose
 * ENDBR is checked at install (ftg_check_ibt()).
 */
const char *ftg_hooks_skip_unavailable(void)
{
	if (!FTG_ARCH_FENTRY_SKIP)
		return "not implemented on " FTG_ARCH_NAME;
	if (ftg_ibt_enforced())
		return "indirect branch tracking is enforced: there is no ENDBR64 past the fentry site (ibt=off allows skip)";
	if (!ftg_ftrace_location)
		ftg_ftrace_location = (void *)ftg_symbol_address("ftrace_location");
	if (!ftg_ftrace_location)
		return "ftrace_location not found in kallsyms";
	return NULL;
}

int ftg_hooks_set_skip_fentry(bool skip, bool strict)
{
	const char *why = skip ? ftg_hooks_skip_unavailable() : NULL;

	if (why) {
		pr_err("call_mode=skip: %s (use guard)\n", why);
		return -EOPNOTSUPP;
	}
	ftg_skip_fentry = skip;
	ftg_skip_strict = skip && strict;
	return 0;
}

/*
 * The instruction after the fentry site of a wrapper's original, which must
 * hold what ftrace patches there (on x86_64 a 5-byte call or NOP, arch.h);
 * 0, or why not in why.
 */
static int ftg_past_fentry_site(const struct ftg_hook *hook, unsigned long *entry,
				char *why, size_t size)
{
#if FTG_ARCH_FENTRY_SKIP
	unsigned long site;
	u8 insn[FTG_ARCH_FENTRY_SIZE];

	site = ftg_ftrace_location(hook->address);
	if (!site || site - hook->address > 16 ||
	    ftg_copy_from_kernel_nofault(insn, (void *)site, sizeof(insn))) {
		strscpy(why, "no fentry site near the function start", size);
		return -EINVAL;
	}
	if (!ftg_arch_fentry_insn(insn)) {
		snprintf(why, size, "%*ph at the fentry site is neither a call nor a NOP",
			 FTG_ARCH_FENTRY_SIZE, insn);
		return -EINVAL;
	}
	if (ftg_test_fentry_odd(hook->name)) {
		strscpy(why, "test: fentry site taken as unknown (test_fentry_odd)", size);
		return -EINVAL;
	}
	*entry = site + FTG_ARCH_FENTRY_SIZE;
	return 0;
#else
	/* Not reached: ftg_hooks_set_skip_fentry() refuses skip here. */
	strscpy(why, "skipping the fentry site is not implemented", size);
	return -EOPNOTSUPP;
#endif
}

/*
 * Where the wrapper calls: the function itself (guard), or past its fentry
 * site (skip).  A site this module does not know (another compiler's
 * padding, a kernel that patches it otherwise) does not cost the hook under
 * call_mode=auto: that one wrapper calls the function's entry, and its
 * callback lets the module's own call through, as in guard mode; the load
 * says so and FTG_HOOK_SKIP_FENTRY is clear for it.  call_mode=skip refuses
 * it: the administrator asked for one callback per call everywhere.
 */
static int ftg_original_entry(struct ftg_hook *hook, unsigned long *entry)
{
	char why[80];
	int err;

	hook->skip_fentry = false;
	*entry = hook->address;
	if (!ftg_skip_fentry)
		return 0;
	err = ftg_past_fentry_site(hook, entry, why, sizeof(why));
	if (!err) {
		hook->skip_fentry = true;
		return 0;
	}
	if (ftg_skip_strict) {
		pr_err("%s: %s (call_mode=skip; auto would wrap it in guard mode)\n",
		       hook->name, why);
		return err;
	}
	pr_warn("%s: %s: this wrapper calls the function's entry (guard)\n", hook->name, why);
	return 0;
}

/*
 * With indirect branch tracking (IBT), a call through a pointer must land on
 * an ENDBR64.  The kernel seals the ENDBR of every function it never calls
 * through a pointer, at boot and at module load (apply_seal_endbr()): it
 * writes a 4-byte NOP over it, and entering such a function through a
 * pointer traps.  The bytes are compared here rather than with is_endbr(),
 * which from 6.2 also accepts the sealing NOP (so a sealed function looked
 * callable) and since 7.2 is not exported.  The byte patterns live in
 * .rodata, never as immediates in text, where they would be branch targets.
 * IBT is x86_64's: elsewhere ftg_arch_ibt_enforced() (arch.h) is false and
 * no entry is ever checked.
 */
static const u8 ftg_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const u8 ftg_endbr_seals[][4] = {
	{ 0x66, 0x0f, 0x1f, 0x00 },	/* osp nopl (%rax): 5.18 to 6.x */
	{ 0x0f, 0x1f, 0x40, 0xd6 },	/* nopl -42(%rax): later kernels */
};

enum ftg_entry ftg_entry_kind(unsigned long entry)
{
	u8 insn[4];
	size_t i;

	if (ftg_copy_from_kernel_nofault(insn, (void *)entry, sizeof(insn)))
		return FTG_ENTRY_UNREADABLE;
	if (!memcmp(insn, ftg_endbr64, sizeof(insn)))
		return FTG_ENTRY_ENDBR;
	for (i = 0; i < ARRAY_SIZE(ftg_endbr_seals); i++)
		if (!memcmp(insn, ftg_endbr_seals[i], sizeof(insn)))
			return FTG_ENTRY_SEALED;
	return FTG_ENTRY_PLAIN;
}

const char *ftg_entry_name(enum ftg_entry kind)
{
	switch (kind) {
	case FTG_ENTRY_ENDBR:
		return "endbr";
	case FTG_ENTRY_SEALED:
		return "sealed";
	case FTG_ENTRY_PLAIN:
		return "plain";
	case FTG_ENTRY_UNREADABLE:
		break;
	}
	return "unreadable";
}

bool ftg_ibt_enforced(void)
{
	return ftg_arch_ibt_enforced() || test_ibt;
}

static bool ftg_endbr_intact(unsigned long entry)
{
	if (!ftg_ibt_enforced())
		return true;
	return ftg_entry_kind(entry) == FTG_ENTRY_ENDBR;
}

static int ftg_check_ibt(const struct ftg_hook *hook, unsigned long entry)
{
	if (!ftg_endbr_intact(entry)) {
		pr_err("%s: its ENDBR was sealed: a call through a pointer would trap (ibt=off allows it)\n",
		       hook->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

unsigned long ftg_callable_address(const char *name)
{
	unsigned long addr = ftg_symbol_address(name);

	return addr && ftg_endbr_intact(addr) ? addr : 0;
}

int ftg_wrapper_entry(struct ftg_hook *hook, unsigned long *entry)
{
	int err = ftg_original_entry(hook, entry);

	return err ?: ftg_check_ibt(hook, *entry);
}
