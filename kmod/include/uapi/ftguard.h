/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ftguard user/kernel ABI: the only definition of every record and command
 * that crosses /dev/ftguard, and of what each rule kind allows.  The Java
 * control plane's mirror (dev.ftguard.abi.Uapi) is generated from this file
 * as gcc compiles it: every FTG_ macro and enumerator, every struct, and the
 * FTG_KIND_*(kind) macros over every kind (abi/src/build/UapiGen.java).
 *
 * Rules for changing it: append fields only at the end of a struct, never
 * reorder; bump FTG_ABI_VERSION on any change; keep every struct a multiple
 * of 8 bytes with explicit padding so that 32- and 64-bit userspace agree.
 */
#ifndef _UAPI_LINUX_FTGUARD_H
#define _UAPI_LINUX_FTGUARD_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define FTG_ABI_VERSION		6
#define FTG_DEVICE_NAME		"ftguard"	/* /dev/ftguard */

/* Bounds.  The kernel never writes more than these into a record. */
#define FTG_COMM_LEN		16	/* TASK_COMM_LEN */
#define FTG_PATH_MAX		512	/* exec filename bytes kept, without NUL */
#define FTG_ARGV_MAX		1024	/* argv bytes kept, NUL after each arg */
#define FTG_ARGC_MAX		64	/* arguments kept */
#define FTG_CWD_MAX		256	/* exec working directory bytes, no NUL */
#define FTG_RECORD_MAX		2048	/* largest record, header included */
#define FTG_RECORD_ALIGN	8	/* every record size is a multiple */
#define FTG_HOOK_NAME_LEN	64	/* hook target name, NUL included */

/* Record types (ftg_event_header.type). */
enum ftg_event_type {
	FTG_EV_EXEC = 1,	/* struct ftg_exec_event */
	FTG_EV_FORK = 2,	/* struct ftg_fork_event */
	FTG_EV_EXIT = 3,	/* struct ftg_exit_event */
	FTG_EV_DECISION = 4,	/* struct ftg_decision_event */
	FTG_EV_CALL = 5,	/* struct ftg_call_event */
	FTG_EV_TAMPER = 6,	/* struct ftg_tamper_event */
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
#define FTG_EXEC_FILE		(1U << 5)	/* dev_major..size are set */

/*
 * execve/execveat.  comm is the task's name after the call (the new
 * program's on success).  Followed by filename_len bytes of filename (no
 * NUL), argv_len bytes of arguments, each ended by a NUL, and cwd_len
 * bytes of working directory (no NUL); then padding up to
 * FTG_RECORD_ALIGN.  argc counts the caller's arguments, kept or not.
 *
 * On success the record also says what ran and where, as the kernel holds
 * them once the new program is in place, so that a reader need not look
 * them up in /proc while the process may already be gone: the file the
 * process runs (its /proc/PID/exe; an interpreter for a script) as
 * statx(2) reports it, flagged FTG_EXEC_FILE, and the working directory
 * as the process sees it (relative to its root, as the paths of decision
 * records are).  cwd_len is 0 when the exec failed or the directory is
 * longer than FTG_CWD_MAX.
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
	__u32 dev_major;	/* FTG_EXEC_FILE: the file's stx_dev_major */
	__u32 dev_minor;	/* ... stx_dev_minor */
	__u64 ino;		/* ... stx_ino */
	__s64 ctime_sec;	/* ... stx_ctime */
	__u32 ctime_nsec;
	__u16 cwd_len;		/* <= FTG_CWD_MAX */
	__u16 reserved;		/* zero */
	__u64 size;		/* FTG_EXEC_FILE: stx_size */
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

/* ==== Policy enforcement ================================================ */

/*
 * Event kinds a rule can match, and where the kernel decides them:
 *   exec         security_bprm_check()          the file being executed
 *   open         security_file_open()           the opened file; and the
 *                security_path_*(), vfs_utimes(), a file changed without
 *                security_inode_*() (kmod/file.c) an open for writing
 *   connect      security_socket_connect()      IPv4/IPv6 destination
 *   module_load  security_kernel_post_read_file(), the image finit_module /
 *                security_kernel_post_load_data() init_module loads
 *   ptrace       security_ptrace_access_check() attach-level access
 *   privilege    commit_creds()                 not during an exec
 *   call         a function the table declares   its typed arguments
 *                (struct ftg_hook_decl)
 */
enum ftg_kind {
	FTG_KIND_EXEC = 0,
	FTG_KIND_OPEN = 1,
	FTG_KIND_CONNECT = 2,
	FTG_KIND_MODULE_LOAD = 3,
	FTG_KIND_PTRACE = 4,
	FTG_KIND_PRIVILEGE = 5,
	FTG_KIND_CALL = 6,
	FTG_KINDS = 7,
};

enum ftg_action {
	FTG_ACT_ALLOW = 0,
	FTG_ACT_AUDIT = 1,
	FTG_ACT_DENY = 2,
	FTG_ACT_KILL = 3,
	FTG_ACT_DENY_KILL = 4,
	FTG_ACTIONS = 5,
};

enum ftg_mode {
	FTG_MODE_ENFORCE = 0,
	FTG_MODE_MONITOR = 1,
};

/*
 * Selector slots of a rule (ftg_rule.sel[]).  The slots a kind may use are
 * FTG_KIND_SLOTS(kind); the key slot of a kind (FTG_KIND_KEY_SLOT) is
 * indexed for lookups (exact values in a hash table, prefixes and the
 * literal start of globs in a prefix index); the other slots are tested per
 * candidate rule.
 */
enum ftg_slot {
	FTG_SEL_BINARY = 0,	/* path values: binary of the acting process */
	FTG_SEL_OBJECT = 1,	/* path or name values: what is acted on */
	FTG_SEL_PARENT = 2,	/* path values */
	FTG_SEL_ANCESTOR = 3,	/* path values */
	FTG_SEL_UID = 4,	/* range values */
	FTG_SEL_EUID = 5,	/* range values */
	FTG_SEL_PORT = 6,	/* range values */
	FTG_SEL_ADDRESS = 7,	/* cidr values */
	FTG_SEL_ARGV = 8,	/* exact values: whole arguments */
	FTG_SEL_SHA256 = 9,	/* sha256 values: the executed file's content */
	FTG_SELS = 10,
};

/*
 * Key slot by kind: exec BINARY, open OBJECT, connect BINARY, module_load
 * OBJECT, ptrace OBJECT, privilege BINARY.  Call rules are not indexed:
 * each hook has its own list of rules.
 */
#define FTG_KIND_KEY_SLOT(kind) \
	((kind) == FTG_KIND_OPEN || (kind) == FTG_KIND_MODULE_LOAD || \
	 (kind) == FTG_KIND_PTRACE ? FTG_SEL_OBJECT : FTG_SEL_BINARY)

/* Bit of a slot in a set of slots. */
#define FTG_SLOT(slot)		(1U << (slot))

/*
 * Slots each kind may use, the one statement of it (the module rejects a
 * rule with another slot, FTG_TERR_SELECTOR):
 *   exec         BINARY (executed file), PARENT, ANCESTOR, UID, EUID, ARGV,
 *                SHA256
 *   open         OBJECT (opened path), BINARY
 *   connect      ADDRESS, PORT, BINARY
 *   module_load  OBJECT (module name), BINARY
 *   ptrace       OBJECT (target's binary), BINARY (tracer)
 *   privilege    BINARY
 *   call         BINARY; and ftg_rule.fields[] on the hook's fields
 */
#define FTG_KIND_SLOTS(kind) \
	((kind) == FTG_KIND_EXEC ? \
		FTG_SLOT(FTG_SEL_BINARY) | FTG_SLOT(FTG_SEL_PARENT) | \
		FTG_SLOT(FTG_SEL_ANCESTOR) | FTG_SLOT(FTG_SEL_UID) | \
		FTG_SLOT(FTG_SEL_EUID) | FTG_SLOT(FTG_SEL_ARGV) | \
		FTG_SLOT(FTG_SEL_SHA256) : \
	 (kind) == FTG_KIND_OPEN ? \
		FTG_SLOT(FTG_SEL_OBJECT) | FTG_SLOT(FTG_SEL_BINARY) : \
	 (kind) == FTG_KIND_CONNECT ? \
		FTG_SLOT(FTG_SEL_ADDRESS) | FTG_SLOT(FTG_SEL_PORT) | \
		FTG_SLOT(FTG_SEL_BINARY) : \
	 (kind) == FTG_KIND_MODULE_LOAD ? \
		FTG_SLOT(FTG_SEL_OBJECT) | FTG_SLOT(FTG_SEL_BINARY) : \
	 (kind) == FTG_KIND_PTRACE ? \
		FTG_SLOT(FTG_SEL_OBJECT) | FTG_SLOT(FTG_SEL_BINARY) : \
	 (kind) == FTG_KIND_PRIVILEGE ? FTG_SLOT(FTG_SEL_BINARY) : \
	 (kind) == FTG_KIND_CALL ? FTG_SLOT(FTG_SEL_BINARY) : 0U)

/* Bounds of range values: ports, and ids (uid_t -1 is no id). */
#define FTG_PORT_MAX		65535
#define FTG_ID_MAX		0xfffffffeU

/* ftg_value.type */
enum ftg_value_type {
	FTG_VAL_EXACT = 1,	/* string equal to str */
	FTG_VAL_PREFIX = 2,	/* string starting with str */
	FTG_VAL_GLOB = 3,	/* string matching the glob str */
	FTG_VAL_RANGE = 4,	/* integer in [lo, hi] */
	FTG_VAL_CIDR4 = 5,	/* IPv4 network addr[0..3] / prefix_len */
	FTG_VAL_CIDR6 = 6,	/* IPv6 network addr / prefix_len */
	FTG_VAL_MASK_ALL = 7,	/* call fields: every bit of lo set */
	FTG_VAL_MASK_ANY = 8,	/* call fields: some bit of lo set */
	FTG_VAL_SHA256 = 9,	/* SHA-256 digest: str is its lower-case hex */
};

/*
 * Content (SHA-256) of an executed or mapped file.  An FTG_VAL_SHA256
 * value is a string of FTG_SHA256_HEX_LEN lower-case hex digits.  The
 * module hashes a file at most once per version (identity, size, mtime,
 * ctime, i_version) and keeps up to FTG_CONTENT_CACHE_MAX digests.  A file
 * larger than FTG_CONTENT_SIZE_MAX, unreadable, or not in the cache where
 * the module cannot read it (mprotect) has unknown content: a sha256
 * selector of an allow rule does not match it, that of any other rule does
 * (fails closed).
 */
#define FTG_SHA256_LEN		32	/* digest bytes */
#define FTG_SHA256_HEX_LEN	64	/* hex digits of a digest */
#define FTG_CONTENT_SIZE_MAX	(256ULL << 20)	/* bytes hashed at most */
#define FTG_CONTENT_CACHE_MAX	4096	/* digests kept */

/*
 * One selector value.  Strings live in the table's string area (str_off,
 * str_len); they are not NUL-terminated and contain no NUL.  A glob has at
 * most FTG_GLOB_STARS '*' and balanced classes; '*', '?' and classes never
 * match '/'; matching is byte-wise.
 */
struct ftg_value {
	__u8 type;		/* enum ftg_value_type */
	__u8 prefix_len;	/* CIDR: 0..32 or 0..128 */
	__u16 str_len;		/* strings: 1..FTG_TABLE_STR_MAX */
	__u32 str_off;		/* strings: offset in the string area */
	__u64 lo;		/* RANGE: inclusive bounds */
	__u64 hi;
	__u8 addr[16];		/* CIDR: network, host bits clear */
};

/* A selector: values[first .. first + count); count 0 = absent. */
struct ftg_sel {
	__u32 first;
	__u32 count;
};

/* ftg_rule.flags */
#define FTG_RULE_NEGATE_UID	(1U << 0)	/* uid: notIn */
#define FTG_RULE_NEGATE_EUID	(1U << 1)	/* euid: notIn */
#define FTG_RULE_NEGATE_PORT	(1U << 2)	/* port: notIn */
#define FTG_RULE_FILELESS_SET	(1U << 3)	/* exec: fileless selector present */
#define FTG_RULE_FILELESS	(1U << 4)	/* exec: ... with this value */
#define FTG_RULE_TEMPDIR_SET	(1U << 5)	/* exec: fromTempDir present */
#define FTG_RULE_TEMPDIR	(1U << 6)	/* exec: ... with this value */
#define FTG_RULE_FLAGS_ALL	0x7fU

/* ftg_rule.mask for open: any of these accesses (0: no access selector) */
#define FTG_ACCESS_READ		(1U << 0)
#define FTG_ACCESS_WRITE	(1U << 1)
#define FTG_ACCESS_CREATE	(1U << 2)	/* the open created the file */
#define FTG_ACCESS_TRUNCATE	(1U << 3)	/* O_TRUNC, file not created */
/*
 * Changes made without opening the file for writing; each comes with
 * FTG_ACCESS_WRITE, so that a rule on write covers them all.  TRUNCATE is
 * also truncate(2) and ftruncate(2).
 */
#define FTG_ACCESS_RENAME	(1U << 4)	/* renamed, or replaced by a rename */
#define FTG_ACCESS_UNLINK	(1U << 5)	/* a name of it removed */
#define FTG_ACCESS_LINK		(1U << 6)	/* a new name for it */
#define FTG_ACCESS_ATTR		(1U << 7)	/* mode, owner, times, xattrs */
/* ftg_rule.mask for privilege: any of these gains (0: no gains selector) */
#define FTG_GAIN_UID0		(1U << 0)	/* uid or euid becomes 0 */
#define FTG_GAIN_CAPS		(1U << 1)	/* new effective or permitted caps */

/* ftg_rule.mask bits each kind may use (FTG_TERR_MASK otherwise). */
#define FTG_KIND_MASK(kind) \
	((kind) == FTG_KIND_OPEN ? \
		FTG_ACCESS_READ | FTG_ACCESS_WRITE | FTG_ACCESS_CREATE | \
		FTG_ACCESS_TRUNCATE | FTG_ACCESS_RENAME | FTG_ACCESS_UNLINK | \
		FTG_ACCESS_LINK | FTG_ACCESS_ATTR : \
	 (kind) == FTG_KIND_PRIVILEGE ? FTG_GAIN_UID0 | FTG_GAIN_CAPS : 0U)

/* ftg_rule.flags bits each kind may use (FTG_TERR_FLAGS otherwise). */
#define FTG_KIND_FLAGS(kind) \
	((kind) == FTG_KIND_EXEC ? \
		FTG_RULE_NEGATE_UID | FTG_RULE_NEGATE_EUID | \
		FTG_RULE_FILELESS_SET | FTG_RULE_FILELESS | \
		FTG_RULE_TEMPDIR_SET | FTG_RULE_TEMPDIR : \
	 (kind) == FTG_KIND_CONNECT ? FTG_RULE_NEGATE_PORT : 0U)

#define FTG_NAME_LEN		64	/* policy and rule names, NUL-padded */

struct ftg_policy {
	char name[FTG_NAME_LEN];	/* NUL-terminated, NUL-padded */
	__u32 mode;			/* enum ftg_mode */
	__s32 priority;
};

/* ==== Declared hooks (kind call) ========================================= */

#define FTG_FUNC_NAME_MAX	128	/* function name bytes, NUL included */
#define FTG_CALL_ARGS_MAX	6	/* arguments read per hook */
#define FTG_CALL_FIELDS_MAX	8	/* fields per hook (see ftg_arg_type) */
#define FTG_CALL_STR_MAX	256	/* bytes kept of one string or path */
#define FTG_TABLE_HOOKS_MAX	64	/* declared hooks in one table */
#define FTG_ARG_NAME_LEN	32	/* argument names, NUL included */

/*
 * How an argument is read, and the fields it gives (struct ftg_field):
 *   INT       the register, truncated to size, signed or not    1 INT
 *   KSTRING   a NUL-terminated string in kernel memory           1 STR
 *   USTRING   a NUL-terminated string in user memory             1 STR
 *   FILE      struct file *: its path                            1 STR
 *   PATH      struct path *: the path                            1 STR
 *   DENTRY    struct dentry *: the path inside its filesystem    1 STR
 *   SOCKADDR  struct sockaddr * in kernel memory: family,        3: INT, ADDR, INT
 *             address (IPv4 in addr[0..3]) and port
 *   CRED      struct cred *: uid, gid, euid, egid               4 INT
 * Strings and paths keep at most max_len bytes (FTG_FIELDF_TRUNC beyond).
 * Every read is made without faulting; what cannot be read is
 * FTG_FIELDF_FAULT with no value.
 */
enum ftg_arg_type {
	FTG_ARG_INT = 1,
	FTG_ARG_KSTRING = 2,
	FTG_ARG_USTRING = 3,
	FTG_ARG_FILE = 4,
	FTG_ARG_PATH = 5,
	FTG_ARG_DENTRY = 6,
	FTG_ARG_SOCKADDR = 7,
	FTG_ARG_CRED = 8,
};

/* ftg_arg_decl.flags */
#define FTG_ARGF_SIGNED		(1U << 0)	/* INT: sign-extend */

/*
 * One argument of a declared hook.  name ([a-z][A-Za-z0-9_]*, NUL-terminated
 * and NUL-padded) is for userspace, which names the fields after it.
 */
struct ftg_arg_decl {
	char name[FTG_ARG_NAME_LEN];
	__u8 type;		/* enum ftg_arg_type */
	__u8 position;		/* 0..FTG_CALL_ARGS_MAX-1: which argument */
	__u8 size;		/* INT: 1, 2, 4 or 8; else 0 */
	__u8 flags;		/* FTG_ARGF_* */
	__u16 max_len;		/* strings and paths: 1..FTG_CALL_STR_MAX; else 0 */
	__u16 reserved;		/* zero */
};

/*
 * ftg_hook_decl.flags.  FTG_HOOKDECL_SYSCALL: a pt_regs system call entry;
 * the arguments are read from the user registers it is given.
 */
#define FTG_HOOKDECL_SYSCALL	(1U << 0)
#define FTG_HOOKDECL_FLAGS_ALL	0x1U

/*
 * A function to hook, by name, and the arguments to read from it.  A hook
 * with a deny rule redirects the call (FTRACE_OPS_FL_IPMODIFY) and needs a
 * function that is safe to fail: one on the kernel's error-injection list
 * or, where the kernel is built without that list, a system call entry
 * (which SYSCALL_DEFINE marks ERRNO).  Each hook attaches on its own: one
 * that cannot attach (FTG_IOC_CALL_HOOK_INFO says why) leaves the others.
 */
struct ftg_hook_decl {
	char function[FTG_FUNC_NAME_MAX];	/* NUL-terminated, NUL-padded */
	__u32 flags;		/* FTG_HOOKDECL_* */
	__u32 first_arg;	/* index in the args section */
	__u32 nr_args;		/* 0..FTG_CALL_ARGS_MAX */
	__u32 reserved;		/* zero */
};

/*
 * One rule.  Rules are in evaluation order: grouped by policy, policies in
 * ascending index (the table's policies are already in evaluation order).
 * Call rules (kind FTG_KIND_CALL) name their hook and select on its fields
 * (fields[i]: the hook's i-th field; INT fields take RANGE and MASK_*
 * values, compared signed for signed fields; STR fields EXACT, PREFIX and
 * GLOB; ADDR fields CIDR4/CIDR6).  Their actions are allow, audit and deny.
 */
struct ftg_rule {
	char name[FTG_NAME_LEN];	/* NUL-terminated, NUL-padded */
	__u32 policy;		/* index in the policy array */
	__u8 kind;		/* enum ftg_kind */
	__u8 action;		/* enum ftg_action */
	__u16 err;		/* deny actions: errno 1..FTG_ERRNO_MAX, else 0 */
	__u32 flags;		/* FTG_RULE_* */
	__u32 mask;		/* FTG_ACCESS_* (open), FTG_GAIN_* (privilege) */
	struct ftg_sel sel[FTG_SELS];
	__u32 hook;		/* call: index in the hooks section; else 0 */
	__u32 reserved;		/* zero */
	struct ftg_sel fields[FTG_CALL_FIELDS_MAX];	/* call only */
};

#define FTG_TABLE_MAGIC		0x54475446U	/* "FTGT" in memory order */
#define FTG_TABLE_VERSION	3
#define FTG_TABLE_MAX		(32U << 20)	/* bytes */
#define FTG_TABLE_RULES_MAX	10000
#define FTG_TABLE_POLICIES_MAX	10000
#define FTG_TABLE_VALUES_MAX	(1U << 20)
#define FTG_TABLE_SEL_MAX	1024	/* values in one selector */
#define FTG_TABLE_STR_MAX	255	/* bytes in one string value */
#define FTG_GLOB_STARS		4	/* '*' in one glob */
#define FTG_TABLE_SECTION_ALIGN	8	/* sections start at multiples */
#define FTG_ERRNO_MAX		4095	/* deny rules: err is 1..FTG_ERRNO_MAX */

/*
 * ftg_table_header.flags.  FTG_TABLE_F_LOCK: lock the module (as
 * FTG_IOC_LOCK does) once this table is in force, in the same step.
 */
#define FTG_TABLE_F_LOCK	(1U << 0)
#define FTG_TABLE_FLAGS_ALL	0x1U

/* A section of the table: count elements (strings: bytes) at offset. */
struct ftg_section {
	__u32 offset;		/* from the start of the table, 8-aligned */
	__u32 count;
};

/*
 * The rule table: this header, then the sections it points to, in any
 * order, inside size bytes, without overlap.  Written with
 * FTG_IOC_SET_TABLE; the module checks every field, count and offset and
 * builds its lookup index in new memory before it swaps tables; readers
 * see the old table or the new one.  A table with no rule removes every
 * rule.
 */
struct ftg_table_header {
	__u32 magic;		/* FTG_TABLE_MAGIC */
	__u32 version;		/* FTG_TABLE_VERSION */
	__u32 size;		/* whole table in bytes */
	__u32 flags;		/* FTG_TABLE_F_* */
	struct ftg_section policies;	/* struct ftg_policy */
	struct ftg_section rules;	/* struct ftg_rule */
	struct ftg_section values;	/* struct ftg_value */
	struct ftg_section strings;	/* bytes */
	struct ftg_section hooks;	/* struct ftg_hook_decl */
	struct ftg_section args;	/* struct ftg_arg_decl */
};

/* Why a table was rejected (ftg_table_arg.error). */
enum ftg_table_error {
	FTG_TERR_NONE = 0,
	FTG_TERR_SIZE = 1,		/* size out of bounds or != header.size */
	FTG_TERR_MAGIC = 2,
	FTG_TERR_VERSION = 3,
	FTG_TERR_FLAGS = 4,		/* unknown header or rule flags */
	FTG_TERR_SECTION = 5,		/* section outside the table, misaligned or overlapping */
	FTG_TERR_COUNT = 6,		/* a count above its limit */
	FTG_TERR_NAME = 7,		/* name empty, not NUL-terminated or not NUL-padded */
	FTG_TERR_MODE = 8,
	FTG_TERR_POLICY = 9,		/* rule's policy out of range or out of order */
	FTG_TERR_KIND = 10,
	FTG_TERR_ACTION = 11,
	FTG_TERR_ERRNO = 12,		/* err set on a non-deny rule or out of range */
	FTG_TERR_SELECTOR = 13,		/* slot not allowed for the kind, or range outside values */
	FTG_TERR_VALUE = 14,		/* value type wrong for its slot, or bad range/cidr */
	FTG_TERR_STRING = 15,		/* string outside the area, empty, too long or with NUL */
	FTG_TERR_GLOB = 16,		/* too many '*' or an unclosed class */
	FTG_TERR_MASK = 17,		/* mask bits unknown or not allowed for the kind */
	FTG_TERR_NOMEM = 18,
	FTG_TERR_HOOK = 19,		/* hook name, flags, arguments or record size */
	FTG_TERR_NOT_INJECTABLE = 20,	/* deny on a function not safe to fail */
};

/*
 * FTG_IOC_SET_TABLE: data/size give the table.  On -EINVAL, error and
 * error_offset (byte offset of the offending field in the table) say why;
 * generation is set on success.
 * FTG_IOC_GET_TABLE: copies the current table (as written) to data if size
 * is large enough; needed is its size (0: no table), generation its
 * generation (0: none since load).  -ENOSPC when size < needed.
 */
struct ftg_table_arg {
	__u64 data;		/* user pointer */
	__u32 size;
	__u32 needed;		/* GET: out */
	__u64 generation;	/* out */
	__u32 error;		/* SET: out, enum ftg_table_error */
	__u32 error_offset;	/* SET: out */
};

/* ftg_decision_event.flags */
#define FTG_DEC_WOULD		(1U << 0)	/* monitor mode: would have acted */
#define FTG_DEC_BINARY_TRUNC	(1U << 1)
#define FTG_DEC_OBJECT_TRUNC	(1U << 2)
#define FTG_DEC_ARGV_TRUNC	(1U << 3)
#define FTG_DEC_ARGV_FAULT	(1U << 4)	/* argv could not be read */
/*
 * exec, open: the rule's key matched the file's identity (the file an
 * exact value, or a directory above it a prefix value, named when the
 * table was set), not the name used now.
 */
#define FTG_DEC_BY_IDENTITY	(1U << 5)
/* exec: decided where the file was mapped executable, not at an exec */
#define FTG_DEC_MMAP		(1U << 6)	/* mmap() with PROT_EXEC */
#define FTG_DEC_MPROTECT	(1U << 7)	/* mprotect() adding PROT_EXEC */

/* ftg_decision_event.content: a sha256 selector of the rule was tested */
#define FTG_DEC_CONTENT_KNOWN	(1U << 0)	/* sha256 holds the file's digest */
#define FTG_DEC_CONTENT_UNKNOWN	(1U << 1)	/* content unknown (fails closed) */

#define FTG_DEC_ARGV_MAX	512	/* argv bytes kept in a decision */

/*
 * A rule matched: an audit, a monitor policy's "would" record, or an
 * enforced deny/kill (allow decisions are not reported).  The header is
 * the acting process.  Followed by binary_len bytes of the acting
 * process's binary (exec: the file being executed, or mapped executable
 * with FTG_DEC_MMAP/MPROTECT), object_len bytes of the object (open: path,
 * module_load: module name, ptrace: target's binary; none for the other
 * kinds) and argv_len bytes of arguments (exec: the new program's;
 * otherwise, and at a mapping, the acting process's, as far as they could
 * be read without faulting), each ended by a NUL (binary_len and object_len
 * count it; 0 when unknown); then padding to FTG_RECORD_ALIGN.
 */
struct ftg_decision_event {
	struct ftg_event_header hdr;
	__u64 generation;	/* table that decided */
	__u32 rule;		/* rule index in that table */
	__u8 kind;		/* enum ftg_kind */
	__u8 action;		/* enum ftg_action of the rule */
	__u8 mode;		/* enum ftg_mode of its policy */
	__u8 flags;		/* FTG_DEC_* */
	__s32 result;		/* -errno returned to the caller, 0 if none */
	__u32 mask;		/* open: FTG_ACCESS_*, privilege: FTG_GAIN_* */
	char policy[FTG_NAME_LEN];
	char rule_name[FTG_NAME_LEN];
	__u8 addr[16];		/* connect: destination (IPv4 in addr[0..3]) */
	__u16 family;		/* connect: AF_INET or AF_INET6 */
	__u16 port;		/* connect: destination port */
	__u32 target_pid;	/* ptrace: target tgid */
	__u32 new_uid;		/* privilege: new uid */
	__u32 new_euid;		/* privilege: new euid */
	__u32 argc;		/* exec: all arguments; else those kept */
	__u16 binary_len;	/* <= FTG_PATH_MAX + 1 */
	__u16 object_len;	/* <= FTG_PATH_MAX + 1 */
	__u16 argv_len;		/* <= FTG_DEC_ARGV_MAX */
	__u16 reserved;
	__u32 content;		/* FTG_DEC_CONTENT_*, 0: no sha256 selector */
	__u32 reserved2;
	__u8 sha256[FTG_SHA256_LEN];	/* FTG_DEC_CONTENT_KNOWN: the digest */
	__u8 data[];
};

/* ftg_field.type */
enum ftg_field_type {
	FTG_FIELD_INT = 1,	/* 8 bytes: __s64 (FTG_FIELDF_SIGNED) or __u64 */
	FTG_FIELD_STR = 2,	/* len bytes, no NUL */
	FTG_FIELD_ADDR = 3,	/* 16 bytes */
};

/* ftg_field.flags */
#define FTG_FIELDF_SIGNED	(1U << 0)
#define FTG_FIELDF_FAULT	(1U << 1)	/* could not be read: no value */
#define FTG_FIELDF_TRUNC	(1U << 2)	/* longer than kept */
#define FTG_FIELDF_PARTIAL	(1U << 3)	/* path: last component only */

/* One field of a call record, followed by len bytes, padded to 8. */
struct ftg_field {
	__u8 type;		/* enum ftg_field_type */
	__u8 flags;		/* FTG_FIELDF_* */
	__u16 len;		/* bytes of value that follow */
	__u32 reserved;
};

/*
 * A call rule matched a call of a declared hook: an audit, a monitor
 * policy's "would" record or an enforced deny.  The header is the calling
 * task (in any context: interrupts report the task they interrupted).
 * Followed by function_len bytes of the function's name (NUL included),
 * padding to 8, then nr_fields fields (struct ftg_field and value) in the
 * hook's order; fields_len counts them all.
 */
struct ftg_call_event {
	struct ftg_event_header hdr;
	__u64 generation;	/* table that decided */
	__u32 rule;		/* rule index in that table */
	__u32 hook;		/* hook index in that table */
	__u8 action;		/* enum ftg_action of the rule */
	__u8 mode;		/* enum ftg_mode of its policy */
	__u8 flags;		/* FTG_DEC_WOULD */
	__u8 nr_fields;
	__s32 reserved;
	__s64 retval;		/* deny: what the call returned instead */
	char policy[FTG_NAME_LEN];
	char rule_name[FTG_NAME_LEN];
	__u16 function_len;
	__u16 fields_len;
	__u32 reserved2;
	__u8 data[];
};

/*
 * What an attempt on the module itself was (ftg_tamper_event.what).  Every
 * attempt the module sees is reported, refused or not:
 *   FTRACE_OFF  a write of 0 to the kernel.ftrace_enabled sysctl, which
 *               would stop every ftrace callback; the module's ftrace_ops
 *               are FTRACE_OPS_FL_PERMANENT, so the kernel refuses it
 *   UNLOAD      delete_module(2) of this module (refused while locked: the
 *               lock holds a reference), or a forced delete_module(2) of
 *               any module while locked (refused: it would bypass that
 *               reference)
 *   TABLE       a rule table written while locked (refused)
 */
enum ftg_tamper {
	FTG_TAMPER_FTRACE_OFF = 0,
	FTG_TAMPER_UNLOAD = 1,
	FTG_TAMPER_TABLE = 2,
	FTG_TAMPERS = 3,
};

/*
 * An attempt to switch the module off, unload it or change a locked table.
 * The header is the task that tried.  result is what the attempt gets:
 * -errno when it is refused (by the module or, for FTRACE_OFF and a plain
 * unload while locked, by the kernel because of the module's hold), 0 when
 * it goes ahead (an unload while not locked).  target names the object:
 * the sysctl ("kernel.ftrace_enabled"), the module named in delete_module(2)
 * (as far as it could be read), or "" for TABLE.
 */
struct ftg_tamper_event {
	struct ftg_event_header hdr;
	__u32 what;		/* enum ftg_tamper */
	__s32 result;
	__u64 generation;	/* rule table in force, 0: none */
	__u32 locked;		/* 1: the module was locked */
	__u32 reserved;
	char target[FTG_NAME_LEN];	/* NUL-terminated, NUL-padded */
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
	__u64 table_generation;	/* current rule table, 0: none */
	__u32 table_rules;	/* rules in it */
	__u32 table_bytes;	/* its size */
	__u64 decisions[FTG_ACTIONS];	/* matches by action (monitor: would) */
	__u64 blocked;		/* operations denied */
	__u64 killed;		/* processes killed */
	__u32 call_hooks;	/* hooks the current table declares */
	__u32 call_hooks_attached;	/* ... of them attached */
	__u64 call_skipped;	/* declared-hook calls not examined (nested) */
	__u32 locked;		/* 1: locked until reboot (FTG_IOC_LOCK) */
	__u32 reserved;
	__u64 tamper[FTG_TAMPERS];	/* attempts by enum ftg_tamper */
	__u64 content_hits;	/* content cache lookups that found the digest */
	__u64 content_misses;	/* ... that did not (an mmap may look twice) */
	__u64 content_hashes;	/* files hashed (each a miss) */
	__u64 content_unknown;	/* contents left unknown (size, error, mprotect) */
};

/* ftg_hook_info.flags */
#define FTG_HOOK_ATTACHED	(1U << 0)	/* registered with ftrace */
#define FTG_HOOK_IPMODIFY	(1U << 1)	/* redirects to a wrapper */
#define FTG_HOOK_SKIP_FENTRY	(1U << 2)	/* wrapper enters past fentry */

/* FTG_IOC_HOOK_INFO: caller sets index; -ENOENT when index >= nr_hooks. */
struct ftg_hook_info {
	__u32 index;
	__u32 flags;		/* FTG_HOOK_* */
	__u64 address;		/* resolved address, 0 for non-root callers */
	__u64 hits;		/* times the hook ran */
	char name[FTG_HOOK_NAME_LEN];	/* kernel symbol, NUL-terminated */
};

/* ftg_call_hook_info.flags */
#define FTG_CALL_HOOK_ATTACHED	(1U << 0)	/* registered with ftrace */
#define FTG_CALL_HOOK_IPMODIFY	(1U << 1)	/* may deny: redirects */
#define FTG_CALL_HOOK_INJECTABLE (1U << 2)	/* safe to fail */

/*
 * FTG_IOC_CALL_HOOK_INFO: caller sets index (a hook of the current table);
 * -ENOENT when there is no such hook.  error is the -errno of a failed
 * attach (FTG_CALL_HOOK_ATTACHED clear), else 0.
 */
struct ftg_call_hook_info {
	__u32 index;
	__u32 flags;		/* FTG_CALL_HOOK_* */
	__s32 error;
	__u32 reserved;
	__u64 generation;	/* table the index refers to */
	__u64 address;		/* 0 for non-root callers or unknown */
	__u64 hits;		/* calls seen by the hook */
	char function[FTG_FUNC_NAME_MAX];
};

#define FTG_IOC_MAGIC		'F'
#define FTG_IOC_STATS		_IOR(FTG_IOC_MAGIC, 1, struct ftg_stats)
#define FTG_IOC_HOOK_INFO	_IOWR(FTG_IOC_MAGIC, 2, struct ftg_hook_info)
#define FTG_IOC_SET_TABLE	_IOWR(FTG_IOC_MAGIC, 3, struct ftg_table_arg)
#define FTG_IOC_GET_TABLE	_IOWR(FTG_IOC_MAGIC, 4, struct ftg_table_arg)
#define FTG_IOC_CALL_HOOK_INFO	_IOWR(FTG_IOC_MAGIC, 5, struct ftg_call_hook_info)
/*
 * FTG_IOC_LOCK: lock the module until reboot.  From then on the module
 * cannot be unloaded (nor any module force-unloaded), and once a table with
 * rules is in force it is final: every FTG_IOC_SET_TABLE fails with -EPERM
 * (the first table written after locking a module with no rules is
 * accepted, so a lock set at load holds from boot).  There is no unlock.
 */
#define FTG_IOC_LOCK		_IO(FTG_IOC_MAGIC, 6)

#endif /* _UAPI_LINUX_FTGUARD_H */
