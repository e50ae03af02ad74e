// SPDX-License-Identifier: GPL-2.0
/*
 * Declared hooks: the attach slots.  While a table is current its hooks
 * are attached, one ftrace_ops each, in attach slots; a new table reuses
 * the slots of the hooks it keeps, attaches the others before it is
 * published and releases the rest once no callback can see the old table
 * (ftg_calls_prepare() and ftg_calls_release(), called by table.c with
 * ftg_table_lock held).  A hook that cannot attach is reported and leaves
 * the others alone.
 */
#include "common.h"

#include <linux/error-injection.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "calls.h"
#include "compat.h"
#include "hook.h"
#include "policy.h"

static struct ftg_call_slot ftg_slots[FTG_CALL_SLOTS];

/* Not exported: found through kallsyms at load. */
static bool (*ftg_ei_listed)(unsigned long addr);
static int (*ftg_ei_type)(unsigned long addr);

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
	/* PERMANENT, as the built-in hooks (tamper.c). */
	slot->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTG_OPS_FL_RECURSION |
			  FTRACE_OPS_FL_PERMANENT;
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
			err == -EBUSY ?
			": another ftrace user modifies it, or kernel.ftrace_enabled=0" : "");
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
	stats->call_skipped = ftg_call_skipped();
}

int ftg_call_slots_init(void)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++) {
		ftg_slots[i].id = i;
		ftg_slots[i].hits = alloc_percpu(u64);
		if (!ftg_slots[i].hits) {
			ftg_call_slots_exit();
			return -ENOMEM;
		}
	}
	ftg_ei_listed = (void *)ftg_callable_address("within_error_injection_list");
	ftg_ei_type = (void *)ftg_callable_address("get_injectable_error_type");
	return 0;
}

/* After ftg_tables_exit(): every slot is detached. */
void ftg_call_slots_exit(void)
{
	int i;

	for (i = 0; i < FTG_CALL_SLOTS; i++) {
		free_percpu(ftg_slots[i].hits);
		ftg_slots[i].hits = NULL;
	}
}
