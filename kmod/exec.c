// SPDX-License-Identifier: GPL-2.0
/*
 * The exec family: the execve and execveat wrappers, which record each
 * exec (an event, never a decision), and the exec decision, taken in a
 * wrapper around security_bprm_check() that the guard enters only when
 * some exec rule is a candidate for the executed file: its arguments live
 * in the new program's memory, which is read with get_user_pages_remote(),
 * which sleeps.
 *
 * This file is compiled with -fno-optimize-sibling-calls (see Kbuild): a
 * wrapper must reach the original with a real call, so that parent_ip
 * points into this module and the ftrace callback lets the call through.
 *
 * It is longer than the other families' files because it is one family,
 * as Landlock keeps one file per family: the exec event, the exec decision
 * and the mapping decisions share the exec facts and one registration.
 */
#include "common.h"

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/personality.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "content.h"
#include "decide.h"
#include "events.h"
#include "hook.h"
#include "policy.h"

/* Longest argument an argvContains value can equal. */
#define FTG_ARG_CMP_MAX		FTG_TABLE_STR_MAX

/* Directories fromTempDir walks up before it counts the file as temporary. */
#define FTG_TEMPDIR_DEPTH	(PATH_MAX / 2)

/* ---- execve / execveat ------------------------------------------------ */

/* Upper bound on argv pointers counted for argc (beyond those kept). */
#define FTG_ARGC_COUNT_LIMIT	65536

struct ftg_exec_args {
	const char __user *filename;
	const char __user *const __user *argv;
	int dirfd;
	unsigned int at_flags;
	u32 flags;
};

static size_t ftg_copy_filename(struct ftg_exec_event *ev, const char __user *filename)
{
	long n;

	n = strncpy_from_user((char *)ev->data, filename, FTG_PATH_MAX);
	if (n < 0) {
		ev->flags |= FTG_EXEC_PATH_FAULT;
		return 0;
	}
	if (n == FTG_PATH_MAX)
		ev->flags |= FTG_EXEC_PATH_TRUNC;
	return n;
}

/*
 * Copy up to FTG_ARGC_MAX arguments, each NUL-terminated, into at most
 * FTG_ARGV_MAX bytes at dst; count all of them into ev->argc.
 */
static size_t ftg_copy_argv(struct ftg_exec_event *ev, char *dst,
			    const char __user *const __user *argv)
{
	size_t used = 0;
	u32 argc;

	if (!argv)
		return 0;
	for (argc = 0; argc < FTG_ARGC_COUNT_LIMIT; argc++) {
		const char __user *arg;
		size_t room = FTG_ARGV_MAX - used;
		long n;

		if (get_user(arg, argv + argc)) {
			ev->flags |= FTG_EXEC_ARGV_FAULT;
			break;
		}
		if (!arg)
			break;
		if (ev->flags & FTG_EXEC_ARGV_TRUNC)
			continue;	/* only counting now */
		if (argc >= FTG_ARGC_MAX || room < 2) {
			ev->flags |= FTG_EXEC_ARGV_TRUNC;
			continue;
		}
		n = strncpy_from_user(dst + used, arg, room - 1);
		if (n < 0) {
			ev->flags |= FTG_EXEC_ARGV_FAULT;
			break;
		}
		if (n == room - 1)
			ev->flags |= FTG_EXEC_ARGV_TRUNC;
		dst[used + n] = '\0';
		used += n + 1;
	}
	if (argc == FTG_ARGC_COUNT_LIMIT)
		ev->flags |= FTG_EXEC_ARGV_TRUNC;
	ev->argc = argc;
	return used;
}

/*
 * Runs before the original: the user memory is gone after a successful
 * exec.  Monitoring only: what is read here may change before the kernel
 * reads it, so no decision is ever taken on it.  Enters the wrapper
 * accounting; ftg_exec_end() leaves it.
 */
static struct ftg_exec_event *ftg_exec_begin(const struct ftg_exec_args *args,
					     struct ftg_stamp *stamp)
{
	struct ftg_exec_event *ev;
	size_t name_len;

	ftg_wrapper_enter();
	ftg_stamp_now(stamp);
	ev = kzalloc(FTG_RECORD_MAX, GFP_KERNEL);
	if (!ev) {
		ftg_count_drop(FTG_DROP_NOMEM);
		return NULL;
	}
	ev->flags = args->flags;
	ev->dirfd = args->dirfd;
	ev->at_flags = args->at_flags;
	name_len = ftg_copy_filename(ev, args->filename);
	ev->filename_len = name_len;
	ev->argv_len = ftg_copy_argv(ev, (char *)ev->data + name_len, args->argv);
	return ev;
}

/*
 * The file the new program runs, as statx(2) reports it (overlayfs and
 * other stacked file systems answer for themselves): the reader keys its
 * content hash on it.  AT_STATX_DONT_SYNC: what the inode holds, never a
 * round trip to a network file system's server.
 */
static void ftg_exec_file(struct ftg_exec_event *ev)
{
	struct file *exe = ftg_mm_exe_file(current->mm);
	struct kstat st;

	if (!exe)
		return;
	if (!vfs_getattr_nosec(&exe->f_path, &st, STATX_INO | STATX_CTIME | STATX_SIZE,
			       AT_STATX_DONT_SYNC)) {
		ev->dev_major = MAJOR(st.dev);
		ev->dev_minor = MINOR(st.dev);
		ev->ino = st.ino;
		ev->ctime_sec = st.ctime.tv_sec;
		ev->ctime_nsec = st.ctime.tv_nsec;
		ev->size = st.size;
		ev->flags |= FTG_EXEC_FILE;
	}
	fput(exe);
}

/*
 * The working directory, after the filename and arguments at dst.  d_path()
 * builds the path at the end of the room it is given: it is given exactly
 * FTG_CWD_MAX bytes and a NUL, then the path is moved to dst and the rest
 * of the room cleared, so that the record's padding is zeros.
 */
static size_t ftg_exec_cwd(char *dst)
{
	struct path pwd;
	char *p;
	size_t len = 0;

	get_fs_pwd(current->fs, &pwd);
	p = d_path(&pwd, dst, FTG_CWD_MAX + 1);
	path_put(&pwd);
	if (!IS_ERR(p)) {
		len = strlen(p);
		memmove(dst, p, len);
	}
	memset(dst + len, 0, FTG_CWD_MAX + 1 - len);
	return len;
}

static void ftg_exec_end(struct ftg_exec_event *ev, const struct ftg_stamp *stamp,
			 long result)
{
	BUILD_BUG_ON(sizeof(*ev) + FTG_PATH_MAX + FTG_ARGV_MAX + FTG_CWD_MAX + 1 >
		     FTG_RECORD_MAX);
	if (ev) {
		size_t used = ev->filename_len + ev->argv_len;

		ev->result = result;
		if (!result && current->mm && current->fs) {
			ftg_exec_file(ev);
			ev->cwd_len = ftg_exec_cwd((char *)ev->data + used);
		}
		ftg_fill_header(&ev->hdr, FTG_EV_EXEC,
				sizeof(*ev) + used + ev->cwd_len, stamp);
		ftg_emit(&ev->hdr);
		kfree(ev);
	}
	ftg_wrapper_exit();
}

#if FTG_PTREGS_SYSCALLS
static asmlinkage long (*ftg_real_execve)(const struct pt_regs *regs);
static asmlinkage long (*ftg_real_execveat)(const struct pt_regs *regs);

#ifdef FTG_TEST_TAILCALL
/*
 * Test-only build (make FTG_TEST_TAILCALL=1): the execve wrapper as it must
 * never be compiled.  With sibling calls allowed, the call to the original
 * becomes a jump: parent_ip then points into the kernel, not into this
 * module, so the ftrace callback sends the original back here, forever.
 * `ftguard verify` rejects this build; loading it hangs the first exec.
 */
static asmlinkage long ftg_execve(const struct pt_regs *regs)
{
	return ftg_real_execve(regs);
}
#else
static asmlinkage long ftg_execve(const struct pt_regs *regs)
{
	const struct ftg_exec_args args = {
		.filename = (const char __user *)ftg_syscall_arg(regs, 0),
		.argv = (const char __user *const __user *)ftg_syscall_arg(regs, 1),
	};
	struct ftg_exec_event *ev;
	struct ftg_stamp stamp;
	long ret;

	ev = ftg_exec_begin(&args, &stamp);
	ret = ftg_real_execve(regs);
	ftg_exec_end(ev, &stamp, ret);
	return ret;
}
#endif /* FTG_TEST_TAILCALL */

static asmlinkage long ftg_execveat(const struct pt_regs *regs)
{
	const struct ftg_exec_args args = {
		.dirfd = (int)ftg_syscall_arg(regs, 0),
		.filename = (const char __user *)ftg_syscall_arg(regs, 1),
		.argv = (const char __user *const __user *)ftg_syscall_arg(regs, 2),
		.at_flags = (unsigned int)ftg_syscall_arg(regs, 4),
		.flags = FTG_EXEC_EXECVEAT,
	};
	struct ftg_exec_event *ev;
	struct ftg_stamp stamp;
	long ret;

	ev = ftg_exec_begin(&args, &stamp);
	ret = ftg_real_execveat(regs);
	ftg_exec_end(ev, &stamp, ret);
	return ret;
}
#else
#ifdef FTG_TEST_TAILCALL
#error "the tail-call test build needs pt_regs system calls (4.17 or later)"
#endif
static asmlinkage long (*ftg_real_execve)(const char __user *filename,
					  const char __user *const __user *argv,
					  const char __user *const __user *envp);
static asmlinkage long (*ftg_real_execveat)(int dfd, const char __user *filename,
					    const char __user *const __user *argv,
					    const char __user *const __user *envp,
					    int flags);

static asmlinkage long ftg_execve(const char __user *filename,
				  const char __user *const __user *argv,
				  const char __user *const __user *envp)
{
	const struct ftg_exec_args args = { .filename = filename, .argv = argv };
	struct ftg_exec_event *ev;
	struct ftg_stamp stamp;
	long ret;

	ev = ftg_exec_begin(&args, &stamp);
	ret = ftg_real_execve(filename, argv, envp);
	ftg_exec_end(ev, &stamp, ret);
	return ret;
}

static asmlinkage long ftg_execveat(int dfd, const char __user *filename,
				    const char __user *const __user *argv,
				    const char __user *const __user *envp, int flags)
{
	const struct ftg_exec_args args = {
		.dirfd = dfd, .filename = filename, .argv = argv,
		.at_flags = flags, .flags = FTG_EXEC_EXECVEAT,
	};
	struct ftg_exec_event *ev;
	struct ftg_stamp stamp;
	long ret;

	ev = ftg_exec_begin(&args, &stamp);
	ret = ftg_real_execveat(dfd, filename, argv, envp, flags);
	ftg_exec_end(ev, &stamp, ret);
	return ret;
}
#endif


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
bool ftg_exec_argv_contains(const struct ftg_table *t, const struct ftg_sel *sel,
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
u32 ftg_exec_argv(struct ftg_facts *f, char *dst, u32 room, u8 *flags)
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

/* ---- the exec decision: security_bprm_check() ------------------------ */

static int (*ftg_real_bprm_check)(struct linux_binprm *bprm);

static void ftg_exec_facts(struct ftg_facts *f, struct linux_binprm *bprm)
{
	struct dentry *dentry = bprm->file->f_path.dentry;

	f->bprm = bprm;
	f->fileless = d_unlinked(dentry) || !d_inode(dentry)->i_nlink;
}

/*
 * Whether a filesystem holds scratch files: tmpfs (also /dev/shm, /run and
 * devtmpfs) or ramfs, unless it is the caller's root filesystem (a live
 * system or an initramfs runs everything from one).  Takes no reference
 * and never sleeps: the exec mapping decisions call it in the callback.
 */
static bool notrace ftg_scratch_fs(const struct super_block *sb)
{
	struct fs_struct *fs = current->fs;
	struct vfsmount *root;
	bool is_root;

	if (sb->s_magic != TMPFS_MAGIC && sb->s_magic != RAMFS_MAGIC)
		return false;
	if (!fs)
		return true;
	/*
	 * No fs lock (a spinlock, a seqlock_t on 7.x; and this may run in
	 * the callback): the mount is freed only after an RCU grace period
	 * (delayed_free_vfsmnt()), and only the pointer to its superblock is
	 * compared.
	 */
	rcu_read_lock();
	root = READ_ONCE(fs->root.mnt);
	is_root = root && READ_ONCE(root->mnt_sb) == sb;
	rcu_read_unlock();
	return !is_root;
}

/*
 * Some directory from the file's up to its filesystem's root is
 * world-writable (the physical location: a bind mount does not hide it).
 * A chain deeper than FTG_TEMPDIR_DEPTH counts as one.  Called with
 * rename_lock held for reading (seqcount or exclusive).
 */
static bool notrace ftg_world_writable_dirs(const struct dentry *dentry)
{
	struct dentry *parent;
	struct inode *inode;
	int depth;

	for (depth = 0; depth < FTG_TEMPDIR_DEPTH; depth++) {
		parent = READ_ONCE(dentry->d_parent);
		if (parent == dentry)
			return false;
		dentry = parent;
		inode = d_inode_rcu(dentry);
		if (inode && S_ISDIR(inode->i_mode) && (inode->i_mode & 0002))
			return true;
	}
	return true;
}

/*
 * fromTempDir of the executed or mapped file (f->dentry), computed once,
 * when a candidate rule asks.  Never sleeps.
 */
bool notrace ftg_exec_tempdir(struct ftg_facts *f)
{
	const struct dentry *dentry = f->dentry;
	unsigned int seq;
	bool hit;

	if (f->tempdir_done)
		return f->tempdir;
	f->tempdir_done = true;
	if (!dentry)
		return false;
	if (ftg_scratch_fs(dentry->d_sb)) {
		f->tempdir = true;
		return true;
	}
	rcu_read_lock();
	seq = read_seqbegin(&rename_lock);
	hit = ftg_world_writable_dirs(dentry);
	if (read_seqretry(&rename_lock, seq)) {
		/* A rename raced the walk: again, with renames held off. */
		read_seqlock_excl(&rename_lock);
		hit = ftg_world_writable_dirs(dentry);
		read_sequnlock_excl(&rename_lock);
	}
	rcu_read_unlock();
	f->tempdir = hit;
	return hit;
}

/*
 * The decision on an exec (@bprm), or on a mapping of @file (@via), where
 * it may sleep: a sha256 selector hashes the file on a cache miss.  0 or
 * -errno.
 */
static int ftg_exec_decide(struct file *file, struct linux_binprm *bprm, u8 via)
{
	struct dentry *dentry = file->f_path.dentry;
	struct ftg_facts f = {
		.kind = FTG_KIND_EXEC, .file = file, .may_hash = true, .via = via,
	};
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
	f.binary_done = true;
	if (!ftg_path(&file->f_path, f.s->binary, &f.binary, &f.binary_len))
		f.binary = NULL;
	f.inode = file_inode(file);
	f.dentry = dentry;
	if (bprm)
		ftg_exec_facts(&f, bprm);
	else
		f.fileless = d_unlinked(dentry) || !d_inode(dentry)->i_nlink;
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	kfree(f.s);
	if (f.kill)
		send_sig(SIGKILL, current, 0);
	err = f.err;
put:
	ftg_table_put(t);
	return err;
}

static int ftg_bprm_check(struct linux_binprm *bprm)
{
	int ret;

	ftg_wrapper_enter();
	ret = ftg_exec_decide(bprm->file, bprm, 0);
	if (!ret)
		ret = ftg_real_bprm_check(bprm);
	ftg_wrapper_exit();
	return ret;
}

/*
 * security_bprm_check(struct linux_binprm *): enter the wrapper only when
 * an exec rule's key matches the executed file, by name or by identity.
 */
static unsigned long notrace ftg_guard_bprm(struct pt_regs *regs)
{
	struct linux_binprm *bprm = (struct linux_binprm *)ftg_arg(regs, 0);
	const struct ftg_table *t;
	struct ftg_facts f;
	const char *p = NULL;
	bool key_ok = false, by_ident;
	u32 len = 0, nr;

	t = ftg_begin(FTG_KIND_EXEC, &f);
	if (!t)
		return 0;
	if (!ftg_path(&bprm->file->f_path, f.s->binary, &p, &len))
		p = NULL;
	f.inode = file_inode(bprm->file);
	f.dentry = bprm->file->f_path.dentry;
	nr = ftg_candidates(t, &f, p, len, p);
	while (!key_ok && ftg_next_candidate(t, f.s->runs, nr, p, len, &key_ok, &by_ident))
		;
	ftg_end(&f, regs);
	return key_ok ? (unsigned long)ftg_bprm_check : 0;
}

/* ---- executable mappings: security_mmap_file(), file_mprotect() ------ */

static int (*ftg_real_mmap_file)(struct file *file, unsigned long prot, unsigned long flags);

/*
 * security_mmap_file() when a content rule is a candidate and the file's
 * digest is not cached: decided here, where the file can be hashed (mmap()
 * calls the hook before mmap_lock is taken; see FTG_REMAP_FLAGS).
 */
static int ftg_mmap_file(struct file *file, unsigned long prot, unsigned long flags)
{
	int ret;

	ftg_wrapper_enter();
	ret = ftg_exec_decide(file, NULL, FTG_DEC_MMAP);
	if (!ret)
		ret = ftg_real_mmap_file(file, prot, flags);
	ftg_wrapper_exit();
	return ret;
}

/*
 * The exec rules, decided again where a file's pages become executable:
 * a program run through the dynamic loader (ld.so maps it, nothing execs
 * it), or mapped executable by any other means, meets the rules of its
 * path there.  Decided in the callback, like an open: the lookup is the
 * exec guard's, and a rule asking for argv does not apply at a mapping
 * (ftg_rule_matches(): argv is an exec's new program's).  The mappings the
 * kernel makes for an exec (the binary and its interpreter, in
 * load_elf_binary(), while current->in_execve) are left alone: that exec
 * was decided once, in security_bprm_check().
 */
static unsigned long notrace ftg_map_decide(struct pt_regs *regs, struct file *file, u8 via,
					   bool can_hash)
{
	struct dentry *dentry = file->f_path.dentry;
	const struct ftg_table *t;
	struct ftg_facts f;

	t = ftg_begin(FTG_KIND_EXEC, &f);
	if (!t)
		return 0;
	f.via = via;
	f.binary_done = true;
	if (!ftg_path(&file->f_path, f.s->binary, &f.binary, &f.binary_len))
		f.binary = NULL;
	f.fileless = d_unlinked(dentry) || !d_inode(dentry)->i_nlink;
	/* The mapped file by identity, and fromTempDir (on demand), as at an exec. */
	f.inode = file_inode(file);
	f.dentry = dentry;
	/*
	 * Content from the cache only: mprotect holds mmap_lock, and the
	 * callback cannot sleep.  At an mmap, a miss goes to the wrapper,
	 * which hashes, unless mmap_lock may be held there too; then, as at
	 * an mprotect, the content is unknown.
	 */
	f.file = file;
	/*
	 * Only a table with content rules needs the walk that asks whether
	 * one of them is a candidate here, before ftg_decide() walks again.
	 */
	if (via == FTG_DEC_MMAP && t->has_content && ftg_wants_content(t, &f)) {
		if (ftg_content_cached(file, f.digest)) {
			f.content = FTG_DEC_CONTENT_KNOWN;
		} else if (!can_hash) {
			ftg_content_count_unknown();
			f.content = FTG_DEC_CONTENT_UNKNOWN;
		} else {
			ftg_end(&f, regs);
			return (unsigned long)ftg_mmap_file;
		}
	}
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	return ftg_end(&f, regs);
}

/* path_noexec(), which is not exported. */
static bool notrace ftg_path_noexec(const struct path *path)
{
	return path->mnt->mnt_flags & MNT_NOEXEC ||
	       path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC;
}

/*
 * The flags remap_file_pages() passes to security_mmap_file(), which it
 * calls with mmap_lock held for writing (Debian's 6.1 too): no file is
 * read there.  An mmap() asking for all three is treated the same way.
 */
#define FTG_REMAP_FLAGS		(MAP_SHARED | MAP_FIXED | MAP_POPULATE)

/*
 * security_mmap_file(struct file *file, unsigned long prot, unsigned long
 * flags): prot as asked; PROT_READ gives PROT_EXEC too under the
 * READ_IMPLIES_EXEC personality (as the kernel's mmap_prot() says).
 */
static unsigned long notrace ftg_guard_mmap(struct pt_regs *regs)
{
	struct file *file = (struct file *)ftg_arg(regs, 0);
	unsigned long prot = ftg_arg(regs, 1);
	unsigned long flags = ftg_arg(regs, 2);

	if (!file || current->in_execve)
		return 0;
	if (!(prot & PROT_EXEC) &&
	    !(prot & PROT_READ && current->personality & READ_IMPLIES_EXEC &&
	      !ftg_path_noexec(&file->f_path)))
		return 0;
	return ftg_map_decide(regs, file, FTG_DEC_MMAP,
			      (flags & FTG_REMAP_FLAGS) != FTG_REMAP_FLAGS);
}

/*
 * security_file_mprotect(struct vm_area_struct *vma, unsigned long
 * reqprot, unsigned long prot): a file's mapping made executable now.
 */
static unsigned long notrace ftg_guard_mprotect(struct pt_regs *regs)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)ftg_arg(regs, 0);
	unsigned long prot = ftg_arg(regs, 2);

	if (!(prot & PROT_EXEC) || !vma->vm_file || vma->vm_flags & VM_EXEC ||
	    current->in_execve)
		return 0;
	return ftg_map_decide(regs, vma->vm_file, FTG_DEC_MPROTECT, false);
}

/* ---- the family's hooks ---------------------------------------------- */

FTG_DEFINE_WRAPPER(ftg_wrap_execve, ftg_execve, &ftg_real_execve);
FTG_DEFINE_WRAPPER(ftg_wrap_execveat, ftg_execveat, &ftg_real_execveat);
FTG_DEFINE_WRAPPER(ftg_wrap_bprm_check, ftg_bprm_check, &ftg_real_bprm_check);
FTG_DEFINE_WRAPPER(ftg_wrap_mmap_file, ftg_mmap_file, &ftg_real_mmap_file);

/* Their ftrace callbacks, which call them directly (hook.h). */
FTG_DEFINE_GUARD(ftg_guard_bprm)
FTG_DEFINE_GUARD(ftg_guard_mmap)
FTG_DEFINE_GUARD(ftg_guard_mprotect)

static struct ftg_hook ftg_exec_hooks[] = {
	FTG_HOOK_WRAP(FTG_SYSCALL("execve"), &ftg_wrap_execve),
	FTG_HOOK_WRAP(FTG_SYSCALL("execveat"), &ftg_wrap_execveat),
	FTG_HOOK_GUARD("security_bprm_check", ftg_guard_bprm, &ftg_wrap_bprm_check),
	FTG_HOOK_GUARD("security_mmap_file", ftg_guard_mmap, &ftg_wrap_mmap_file),
	FTG_HOOK_GUARD("security_file_mprotect", ftg_guard_mprotect, NULL),
};

void __init ftg_add_exec_hooks(void)
{
	ftg_hooks_add(ftg_exec_hooks, ARRAY_SIZE(ftg_exec_hooks));
}
