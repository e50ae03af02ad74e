/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ftguard user/kernel ABI: the only definition of every record and command
 * that crosses /dev/ftguard.  The Java control plane mirrors this file
 * (dev.ftguard.abi.Abi); a test compiles this header and compares every
 * size, offset and constant with the Java side.
 *
 * Rules for changing it: append fields only at the end of a struct, never
 * reorder; bump FTG_ABI_VERSION on any change; keep every struct a multiple
 * of 8 bytes with explicit padding so that 32- and 64-bit userspace agree.
 */
#ifndef _UAPI_LINUX_FTGUARD_H
#define _UAPI_LINUX_FTGUARD_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define FTG_ABI_VERSION		1
#define FTG_DEVICE_NAME		"ftguard"	/* /dev/ftguard */

/* Bounds.  The kernel never writes more than these into a record. */
#define FTG_COMM_LEN		16	/* TASK_COMM_LEN */
#define FTG_PATH_MAX		512	/* exec filename bytes kept, without NUL */
#define FTG_ARGV_MAX		1024	/* argv bytes kept, NUL after each arg */
#define FTG_ARGC_MAX		64	/* arguments kept */
#define FTG_RECORD_MAX		2048	/* largest record, header included */
#define FTG_RECORD_ALIGN	8	/* every record size is a multiple */
#define FTG_HOOK_NAME_LEN	64	/* hook target name, NUL included */

/* Record types (ftg_event_header.type). */
enum ftg_event_type {
	FTG_EV_EXEC = 1,	/* struct ftg_exec_event */
	FTG_EV_FORK = 2,	/* struct ftg_fork_event */
	FTG_EV_EXIT = 3,	/* struct ftg_exit_event */
};

/*
 * Common header of every record.  Times come from the kernel's monotonic
 * (CLOCK_MONOTONIC) and real-time (CLOCK_REALTIME) clocks, taken when the
 * hooked call was entered.  Ids are as seen from the initial namespaces:
 * pid is the thread id, tgid the process id, ppid the tgid of the real
 * parent; uid, gid and euid are in the initial user namespace.
 */
struct ftg_event_header {
	__u16 type;		/* enum ftg_event_type */
	__u16 size;		/* whole record in bytes, header included */
	__u32 cpu;		/* CPU that produced the record */
	__u64 seq;		/* per-module sequence number, from 1 */
	__u64 mono_ns;
	__u64 wall_ns;
	__u64 cgroup_id;	/* cgroup v2 id of the task's default cgroup */
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 euid;
	char comm[FTG_COMM_LEN];	/* NUL-padded */
};

/* ftg_exec_event.flags */
#define FTG_EXEC_EXECVEAT	(1U << 0)	/* execveat(2), not execve(2) */
#define FTG_EXEC_PATH_TRUNC	(1U << 1)	/* filename longer than kept */
#define FTG_EXEC_ARGV_TRUNC	(1U << 2)	/* argv longer than kept */
#define FTG_EXEC_PATH_FAULT	(1U << 3)	/* filename unreadable */
#define FTG_EXEC_ARGV_FAULT	(1U << 4)	/* argv unreadable */

/*
 * execve/execveat.  comm is the task's name after the call (the new
 * program's on success).  Followed by filename_len bytes of filename (no
 * NUL) and argv_len bytes of arguments, each ended by a NUL; then padding
 * up to FTG_RECORD_ALIGN.  argc counts the caller's arguments, kept or not.
 */
struct ftg_exec_event {
	struct ftg_event_header hdr;
	__s32 result;		/* 0 or -errno */
	__u32 flags;		/* FTG_EXEC_* */
	__u32 argc;
	__u16 filename_len;	/* <= FTG_PATH_MAX */
	__u16 argv_len;		/* <= FTG_ARGV_MAX */
	__s32 dirfd;		/* execveat only, else 0 */
	__u32 at_flags;		/* execveat only, else 0 */
	__u8 data[];
};

/*
 * Process or thread creation (fork, vfork, clone, clone3, kernel threads),
 * taken once the child exists and before it runs.  The header describes the
 * parent.  clone_flags reports what the child shares with the parent:
 * CLONE_THREAD, CLONE_VM and CLONE_VFORK; no other bit is set.
 */
struct ftg_fork_event {
	struct ftg_event_header hdr;
	__u64 clone_flags;	/* CLONE_THREAD | CLONE_VM | CLONE_VFORK subset */
	__s32 child_pid;	/* global id of the child */
	__u32 reserved;		/* zero */
};

/* ftg_exit_event.flags */
#define FTG_EXIT_GROUP_DEAD	(1U << 0)	/* last live thread of its process */

/* Exit of a thread (do_exit).  code is in wait(2) status form. */
struct ftg_exit_event {
	struct ftg_event_header hdr;
	__s32 code;
	__u32 flags;		/* FTG_EXIT_* */
};

/* Why an event was lost.  Every loss is counted under exactly one reason. */
enum ftg_drop_reason {
	FTG_DROP_BUFFER_FULL = 0,	/* ring buffer had no room */
	FTG_DROP_NOMEM = 1,		/* scratch record could not be allocated */
	FTG_DROP_READER_FAULT = 2,	/* consumed, but copying to the reader failed */
	FTG_DROP_REASONS = 3,
};

/* FTG_IOC_STATS: counters since the module was loaded. */
struct ftg_stats {
	__u32 abi_version;	/* FTG_ABI_VERSION */
	__u32 nr_hooks;		/* hooks in the module's table */
	__u32 hooks_attached;	/* hooks currently attached */
	__u32 inflight;		/* wrappers running right now */
	__u64 produced;		/* records written to the ring buffer */
	__u64 delivered;	/* records copied to a reader */
	__u64 dropped[FTG_DROP_REASONS];	/* by enum ftg_drop_reason */
	__u64 buffer_bytes;	/* ring buffer size, all CPUs */
	__u64 buffer_entries;	/* records waiting to be read */
};

/* ftg_hook_info.flags */
#define FTG_HOOK_ATTACHED	(1U << 0)	/* registered with ftrace */
#define FTG_HOOK_IPMODIFY	(1U << 1)	/* redirects to a wrapper */

/* FTG_IOC_HOOK_INFO: caller sets index; -ENOENT when index >= nr_hooks. */
struct ftg_hook_info {
	__u32 index;
	__u32 flags;		/* FTG_HOOK_* */
	__u64 address;		/* resolved address, 0 for non-root callers */
	__u64 hits;		/* times the hook ran */
	char name[FTG_HOOK_NAME_LEN];	/* kernel symbol, NUL-terminated */
};

#define FTG_IOC_MAGIC		'F'
#define FTG_IOC_STATS		_IOR(FTG_IOC_MAGIC, 1, struct ftg_stats)
#define FTG_IOC_HOOK_INFO	_IOWR(FTG_IOC_MAGIC, 2, struct ftg_hook_info)

#endif /* _UAPI_LINUX_FTGUARD_H */
