// SPDX-License-Identifier: GPL-2.0
/*
 * Declared hooks: the arguments of a call, read into the fields of its
 * record.  This runs in the callback, in any context (calls.c): every read
 * is bounded and made without faulting, and paths are only resolved where
 * that cannot deadlock.
 */
#include "common.h"

#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "calls.h"
#include "compat.h"
#include "hook.h"
#include "policy.h"

static seqlock_t *ftg_mount_lock;	/* fs/namespace.c, not exported */
/* Not exported: found through kallsyms at load. */
static long (*ftg_strncpy_kernel)(char *dst, const void *src, long count);
static long (*ftg_strncpy_user)(char *dst, const void __user *src, long count);

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
bool notrace ftg_may_resolve(void)
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
void notrace ftg_read_args(struct ftg_call_scratch *s, const struct ftg_table *t,
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

void ftg_call_args_init(void)
{
	ftg_mount_lock = (seqlock_t *)ftg_symbol_address("mount_lock");
	ftg_strncpy_kernel = (void *)ftg_callable_address("strncpy_from_kernel_nofault");
	ftg_strncpy_user = (void *)ftg_callable_address("strncpy_from_user_nofault");
	if (!ftg_strncpy_kernel || !ftg_strncpy_user)
		pr_warn("strncpy_from_*_nofault cannot be called (not in kallsyms, or sealed under IBT): string arguments read as faults\n");
	if (!ftg_mount_lock)
		pr_info("mount_lock not in kallsyms: paths of declared hooks are resolved less often\n");
}
