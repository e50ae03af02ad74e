// SPDX-License-Identifier: GPL-2.0
/*
 * Rule tables: copy what userspace wrote, check every field, count, length
 * and offset before anything else reads it, build the lookup index in new
 * memory, then publish it with one RCU pointer.  On any error the current
 * table stays.  Readers in ftrace callbacks use the table under RCU; the
 * exec wrapper, which sleeps, holds a reference.
 */
#include "common.h"

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "policy.h"
#include "table.h"
#include "tamper.h"

struct ftg_table __rcu *ftg_current_table;
static DEFINE_MUTEX(ftg_table_lock);	/* writers of ftg_current_table */
static u64 ftg_generation;		/* under ftg_table_lock */
/* Under ftg_table_lock; set once (FTG_IOC_LOCK), never cleared. */
static bool ftg_locked;

static void ftg_table_free(struct ftg_table *t)
{
	if (!t)
		return;
	kvfree(t->entries);
	kvfree(t->always);
	kvfree(t->bucket_start);
	kvfree(t->idents);
	kvfree(t->open_names.bits);
	kvfree(t->call);
	kvfree(t->call_rules);
	kvfree(t->blob);
	kfree(t);
}

struct ftg_table *ftg_table_get_ref(void)
{
	struct ftg_table *t;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	if (t && !refcount_inc_not_zero(&t->ref))
		t = NULL;
	rcu_read_unlock();
	return t;
}

/* May sleep.  The published pointer holds one reference. */
void ftg_table_put(struct ftg_table *t)
{
	if (t && refcount_dec_and_test(&t->ref))
		ftg_table_free(t);
}

/* ---- the lock ------------------------------------------------------ */

/* Engage the lock (ftg_table_lock held). */
static void ftg_lock_held(const char *by)
{
	lockdep_assert_held(&ftg_table_lock);
	if (ftg_locked)
		return;
	WRITE_ONCE(ftg_locked, true);
	ftg_tamper_locked(by);
}

/* FTG_IOC_LOCK and the lock module parameter: until reboot. */
void ftg_table_lock_down(const char *by)
{
	mutex_lock(&ftg_table_lock);
	ftg_lock_held(by);
	mutex_unlock(&ftg_table_lock);
}

bool ftg_table_locked(void)
{
	return READ_ONCE(ftg_locked);
}

/* ---- ioctls ---------------------------------------------------------- */

/* The module's own copy of a table userspace wrote, not yet checked. */
static struct ftg_table *ftg_table_copy(const void __user *data, u32 size, int *err)
{
	struct ftg_table *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		goto nomem;
	t->size = size;
	t->blob = kvmalloc(size, GFP_KERNEL);
	if (!t->blob)
		goto nomem;
	if (copy_from_user(t->blob, data, size)) {
		ftg_table_free(t);
		*err = -EFAULT;
		return NULL;
	}
	return t;

nomem:
	ftg_table_free(t);
	*err = -ENOMEM;
	return NULL;
}

/* Check @t and build its index; on error, its code and offset in @check. */
static int ftg_table_prepare(struct ftg_table *t, struct ftg_check *check)
{
	int err;

	lockdep_assert_held(&ftg_table_lock);
	err = ftg_table_check(check, t);
	if (err)
		return err;
	err = ftg_table_build_index(t);
	if (err) {
		check->error = FTG_TERR_NOMEM;
		return err;
	}
	return ftg_calls_prepare(t, &check->error, &check->offset, check->blob);
}

int ftg_table_set(const void __user *data, u32 size, u64 *generation,
		  u32 *error, u32 *error_offset)
{
	struct ftg_check check = { };
	struct ftg_table *t, *old;
	int err;

	*error = FTG_TERR_NONE;
	*error_offset = 0;
	if (size < sizeof(struct ftg_table_header) || size > FTG_TABLE_MAX) {
		*error = FTG_TERR_SIZE;
		return -EINVAL;
	}
	t = ftg_table_copy(data, size, &err);
	if (!t) {
		if (err == -ENOMEM)
			*error = FTG_TERR_NOMEM;
		return err;
	}
	check.blob = t->blob;

	mutex_lock(&ftg_table_lock);
	old = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	/* Locked: the first table with rules is final. */
	if (ftg_locked && old && old->nr_rules) {
		mutex_unlock(&ftg_table_lock);
		ftg_table_free(t);
		ftg_tamper_report(FTG_TAMPER_TABLE, -EPERM, NULL);
		return -EPERM;
	}
	err = ftg_table_prepare(t, &check);
	if (err) {
		ftg_calls_release(rcu_dereference_protected(ftg_current_table,
							    lockdep_is_held(&ftg_table_lock)));
		mutex_unlock(&ftg_table_lock);
		ftg_table_free(t);
		*error = check.error;
		*error_offset = check.offset;
		return err;
	}
	refcount_set(&t->ref, 1);
	t->generation = ++ftg_generation;
	rcu_assign_pointer(ftg_current_table, t);
	*generation = t->generation;
	pr_info("rule table %llu: %u policies, %u rules, %u hooks, %u bytes\n",
		t->generation, t->nr_policies, t->nr_rules, t->nr_hooks, t->size);
	if (((const struct ftg_table_header *)t->blob)->flags & FTG_TABLE_F_LOCK)
		ftg_lock_held("the rule table");
	/* Callbacks that may still see the old table run under RCU. */
	synchronize_rcu();
	/* No callback sees the old table now: detach the hooks only it used. */
	ftg_calls_release(t);
	mutex_unlock(&ftg_table_lock);
	ftg_table_put(old);
	return 0;
}

int ftg_table_get(void __user *data, u32 size, u32 *needed, u64 *generation)
{
	struct ftg_table *t;
	int err = 0;

	mutex_lock(&ftg_table_lock);
	t = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	*needed = t ? t->size : 0;
	*generation = t ? t->generation : 0;
	if (t && size < t->size)
		err = -ENOSPC;
	else if (t && copy_to_user(data, t->blob, t->size))
		err = -EFAULT;
	mutex_unlock(&ftg_table_lock);
	return err;
}

void ftg_table_info(u64 *generation, u32 *rules, u32 *bytes)
{
	struct ftg_table *t;

	rcu_read_lock();
	t = rcu_dereference(ftg_current_table);
	*generation = t ? t->generation : 0;
	*rules = t ? t->nr_rules : 0;
	*bytes = t ? t->size : 0;
	rcu_read_unlock();
}

/* After the hooks are gone: nothing reads the table any more. */
void ftg_tables_exit(void)
{
	struct ftg_table *t;

	mutex_lock(&ftg_table_lock);
	t = rcu_dereference_protected(ftg_current_table, lockdep_is_held(&ftg_table_lock));
	RCU_INIT_POINTER(ftg_current_table, NULL);
	synchronize_rcu();
	ftg_calls_release(NULL);
	mutex_unlock(&ftg_table_lock);
	ftg_table_put(t);
}
