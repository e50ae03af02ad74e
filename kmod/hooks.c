// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in hooks: one table entry and one wrapper or probe each.
 *
 * This file is compiled with -fno-optimize-sibling-calls (see Kbuild): a
 * wrapper must reach the original with a real call, so that parent_ip
 * points into this module and the ftrace callback lets the call through.
 */
#define pr_fmt(fmt) "ftguard: " fmt

#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "events.h"
#include "ftguard.h"

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

static void ftg_exec_end(struct ftg_exec_event *ev, const struct ftg_stamp *stamp,
			 long result)
{
	if (ev) {
		ev->result = result;
		ftg_fill_header(&ev->hdr, FTG_EV_EXEC,
				sizeof(*ev) + ev->filename_len + ev->argv_len, stamp);
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

#ifdef FTG_TEST_BENCH
/*
 * Benchmark-only build (make FTG_TEST_BENCH=1): a wrapper that does nothing
 * but the accounting every wrapper does and the call of the original, on a
 * system call that does almost nothing, so that a loop over getppid()
 * prices one hooked call in each call mode.
 */
#if !FTG_PTREGS_SYSCALLS
#error "the benchmark build needs pt_regs system calls (4.17 or later)"
#endif
static asmlinkage long (*ftg_real_getppid)(const struct pt_regs *regs);

static asmlinkage long ftg_getppid(const struct pt_regs *regs)
{
	long ret;

	ftg_wrapper_enter();
	ret = ftg_real_getppid(regs);
	ftg_wrapper_exit();
	return ret;
}

FTG_DEFINE_WRAPPER(ftg_wrap_getppid, ftg_getppid, &ftg_real_getppid);
#endif /* FTG_TEST_BENCH */

/* ---- process creation: wake_up_new_task(struct task_struct *p) -------- */

/*
 * A probe, not a wrapper: kernel_clone() waits inside for a vfork child,
 * so a wrapper there could run for as long as the child likes and pin the
 * module.  wake_up_new_task() is reached by every fork, vfork, clone,
 * clone3 and kernel thread once the child exists, with the child at hand.
 */
static void notrace ftg_new_task_probe(struct pt_regs *regs)
{
	struct task_struct *child = (struct task_struct *)ftg_arg(regs, 0);
	struct ftg_fork_event ev = { };
	struct ftg_stamp stamp;

	ftg_stamp_now(&stamp);
	ftg_fill_header(&ev.hdr, FTG_EV_FORK, sizeof(ev), &stamp);
	ev.child_pid = task_pid_nr(child);
	if (child->tgid == current->tgid)
		ev.clone_flags |= CLONE_THREAD;
	if (child->mm && child->mm == current->mm)
		ev.clone_flags |= CLONE_VM;
	if (child->vfork_done)
		ev.clone_flags |= CLONE_VFORK;
	ftg_emit(&ev.hdr);
}

/* ---- exit: acct_collect(long exitcode, int group_dead) ---------------- */

/*
 * do_exit() calls acct_collect() for every exiting task, after it has
 * worked out whether this is the last thread of the process; hooking it
 * gives the exit code and that answer without a race between threads.
 */
static void notrace ftg_exit_probe(struct pt_regs *regs)
{
	struct ftg_exit_event ev = { };
	struct ftg_stamp stamp;

	ftg_stamp_now(&stamp);
	ftg_fill_header(&ev.hdr, FTG_EV_EXIT, sizeof(ev), &stamp);
	ev.code = (s32)ftg_arg(regs, 0);
	if ((int)ftg_arg(regs, 1))
		ev.flags |= FTG_EXIT_GROUP_DEAD;
	ftg_emit(&ev.hdr);
}

/* ---- the table ------------------------------------------------------- */

FTG_DEFINE_WRAPPER(ftg_wrap_execve, ftg_execve, &ftg_real_execve);
FTG_DEFINE_WRAPPER(ftg_wrap_execveat, ftg_execveat, &ftg_real_execveat);
FTG_DEFINE_WRAPPER(ftg_wrap_bprm_check, ftg_bprm_check, &ftg_real_bprm_check);

/* Installed in this order, removed in reverse. */
struct ftg_hook ftg_builtin_hooks[] = {
	FTG_HOOK_PROBE("wake_up_new_task", ftg_new_task_probe),
	FTG_HOOK_PROBE("acct_collect", ftg_exit_probe),
	FTG_HOOK_WRAP(FTG_SYSCALL("execve"), &ftg_wrap_execve),
	FTG_HOOK_WRAP(FTG_SYSCALL("execveat"), &ftg_wrap_execveat),
	/* The deciding hooks (guards.c). */
	FTG_HOOK_GUARD("security_bprm_check", ftg_guard_bprm, &ftg_wrap_bprm_check),
	FTG_HOOK_GUARD("security_file_open", ftg_guard_open, NULL),
	FTG_HOOK_GUARD("security_socket_connect", ftg_guard_connect, NULL),
	FTG_HOOK_GUARD("security_kernel_read_file", ftg_guard_read_file, NULL),
	FTG_HOOK_GUARD("security_kernel_load_data", ftg_guard_load_data, NULL),
	FTG_HOOK_GUARD("security_ptrace_access_check", ftg_guard_ptrace, NULL),
	FTG_HOOK_GUARD("commit_creds", ftg_guard_creds, NULL),
#ifdef FTG_TEST_BENCH
	FTG_HOOK_WRAP(FTG_SYSCALL("getppid"), &ftg_wrap_getppid),
#endif
};

const size_t ftg_builtin_hooks_count = ARRAY_SIZE(ftg_builtin_hooks);
