// SPDX-License-Identifier: GPL-2.0
/*
 * ftgtest: the operations the policy VM tests perform, one per subcommand, each
 * reporting its outcome in one line: "ok" (exit 0) or "errno=<NAME>" (exit 1).
 * Built statically on the host (gcc -static -O2 -Wall -Werror) and copied into
 * the guest as /ftgtest; copies of it at other paths act as distinct binaries.
 *
 *   ok [ARGS...]                     print "ok" (a harmless exec target)
 *   sleep SECONDS                    sleep, then print "ok"
 *   exec PATH [ARGS...]              execv(PATH, [PATH, ARGS...])
 *   spawn PATH [ARGS...]             fork; the child execs as above; exit with
 *                                    the child's status (128+signal if killed)
 *   as UID EUID PATH [ARGS...]       setgroups(0), setresgid, setresuid(UID, EUID,
 *                                    EUID), then exec as above
 *   open PATH r|w|rw [creat] [trunc] open(2) with those flags
 *   connect ADDR PORT                TCP connect to an IPv4 or IPv6 literal
 *   bind ADDR PORT                   bind a TCP socket to an IPv4 or IPv6 literal
 *   mkdirat PATH MODE                mkdirat(2) relative to AT_FDCWD, MODE in octal
 *   ptrace-attach PID                PTRACE_ATTACH, wait for the stop, detach
 *   ptrace-child [PATH [ARGS...]]    fork a child (that execs PATH ARGS... or
 *                                    sleeps) and attach to it; "ok target=PID"
 *   setuid-dance                     as root: setresuid(1000,1000,0), then
 *                                    setresuid(0,0,0); prints the second result
 *   capset-gain                      drop CAP_NET_RAW from the effective set, then
 *                                    raise it again; prints the second result
 *   memfd-exec PATH [ARGS...]        copy PATH into a memfd and fexecve it
 *   deleted-exec PATH [ARGS...]      copy PATH to ./ftg-deleted, open it, unlink
 *                                    it and fexecve it
 *   fd-exec PATH [ARGS...]           open PATH and fexecve it
 *   map-exec PATH                    open PATH read-only, mmap its first page
 *                                    PROT_READ|PROT_EXEC
 *   mprotect-exec PATH               open PATH read-only, mmap its first page
 *                                    PROT_READ, then mprotect it to add PROT_EXEC
 *   map-exec-remap-flags PATH        mmap PATH's first page PROT_READ|PROT_EXEC
 *                                    with the flags remap_file_pages(2) passes
 *                                    (MAP_SHARED|MAP_FIXED|MAP_POPULATE)
 *   memfd-map-exec PATH              copy PATH into a memfd, mmap it
 *                                    PROT_READ|PROT_EXEC
 *   finit-module KO [compressed]     finit_module(2) of that file (compressed:
 *                                    with MODULE_INIT_COMPRESSED_FILE)
 *   init-module KO                   init_module(2) of the file's contents
 *   delete-module NAME [force]       delete_module(2), O_NONBLOCK (| O_TRUNC)
 *   write PATH TEXT                  open(2) PATH for writing, write(2) TEXT
 *   set-table FILE [SIZE]            FTG_IOC_SET_TABLE with FILE's bytes (SIZE:
 *                                    claim another size, at most the file's or
 *                                    above FTG_TABLE_MAX): "ok generation=N" or
 *                                    "errno=NAME error=N offset=N"
 *   get-table [OUT]                  FTG_IOC_GET_TABLE: "ok needed=N generation=N",
 *                                    the table written to OUT when given
 *   content-stats                    FTG_IOC_STATS: "ok hashes=N hits=N misses=N
 *                                    unknown=N", the content cache's counters
 *   hook-hits NAME                   FTG_IOC_HOOK_INFO: "ok hits=N flags=N" for the
 *                                    hook on kernel function NAME
 *   device-ops [FD]                  read(2) and every ioctl on FD (else a new
 *                                    descriptor of the device): "read=R stats=R
 *                                    hook=R call=R get=R set=R", R "ok" or the
 *                                    errno's name (set: an empty table)
 *   device-as UID [exec]             as root: open the device, drop to UID
 *                                    (setgroups, setresgid, setresuid: no
 *                                    capabilities left), then device-ops on that
 *                                    descriptor, in this process or, with exec,
 *                                    in /ftgtest exec'd with it inherited
 *   layout                           sizes, offsets and constants of the table
 *                                    ABI as name=value lines (for the host side)
 *   change OP ARGS...                change a file without opening it, OP one of:
 *                                      truncate PATH LEN, ftruncate FD LEN,
 *                                      rename OLD NEW, exchange A B
 *                                      (renameat2 RENAME_EXCHANGE), unlink PATH,
 *                                      link OLD NEW, chmod PATH MODE (octal),
 *                                      chown PATH UID GID, utimens PATH SECONDS,
 *                                      setxattr PATH NAME VALUE,
 *                                      removexattr PATH NAME,
 *                                      write-fd FD TEXT (write(2) on FD),
 *                                      mmap-fd FD TEXT (a shared mapping of FD)
 *   getxattr PATH NAME               "ok VALUE", or errno=NAME
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "../../../../kmod/include/uapi/ftguard.h"

#define DEVICE "/dev/" FTG_DEVICE_NAME

extern char **environ;

static const char *errno_name(int e)
{
	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
	E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM); E(EACCES);
	E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR);
	E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ETXTBSY);
	E(EFBIG); E(ENOSPC); E(EROFS); E(EMLINK); E(EPIPE); E(ENAMETOOLONG);
	E(ENOSYS); E(ELOOP); E(EOPNOTSUPP); E(EADDRNOTAVAIL); E(ENETUNREACH);
	E(ECONNRESET); E(ETIMEDOUT); E(ECONNREFUSED); E(EHOSTUNREACH);
	E(EKEYREJECTED); E(EAFNOSUPPORT); E(EBADMSG); E(ENOKEY);
#undef E
	}
	return NULL;
}

/* Prints "errno=NAME" (or "errno=<number>") for e and returns exit status 1. */
static int fail(int e)
{
	const char *name = errno_name(e);

	if (name)
		printf("errno=%s\n", name);
	else
		printf("errno=%d\n", e);
	fflush(stdout);
	return 1;
}

static int ok(void)
{
	printf("ok\n");
	fflush(stdout);
	return 0;
}

static void usage(const char *msg)
{
	fprintf(stderr, "ftgtest: %s (see the comment at the top of ftgtest.c)\n", msg);
	exit(2);
}

static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0')
		usage("not a number");
	return v;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* argv for a program: [path, args...] as a NULL-terminated array. */
static char **program_argv(char *path, int argc, char **args)
{
	char **v = calloc(argc + 2, sizeof(*v));

	if (!v)
		exit(fail(ENOMEM));
	v[0] = path;
	for (int i = 0; i < argc; i++)
		v[i + 1] = args[i];
	return v;
}

static int do_exec(int argc, char **argv)
{
	if (argc < 1)
		usage("exec PATH [ARGS...]");
	execv(argv[0], program_argv(argv[0], argc - 1, argv + 1));
	return fail(errno);
}

/* Exit status of a waited-for child: its own, or 128 + the signal. */
static int child_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		printf("signal=%d\n", WTERMSIG(status));
		fflush(stdout);
		return 128 + WTERMSIG(status);
	}
	return 125;
}

static int do_spawn(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 1)
		usage("spawn PATH [ARGS...]");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(errno);
	if (pid == 0)
		exit(do_exec(argc, argv));
	if (waitpid(pid, &status, 0) < 0)
		return fail(errno);
	return child_status(status);
}

static int do_as(int argc, char **argv)
{
	uid_t uid, euid;

	if (argc < 3)
		usage("as UID EUID PATH [ARGS...]");
	uid = (uid_t)number(argv[0]);
	euid = (uid_t)number(argv[1]);
	if (setgroups(0, NULL) || setresgid(uid, euid, euid) ||
	    setresuid(uid, euid, euid)) {
		printf("setup failed: ");
		return fail(errno);
	}
	return do_exec(argc - 2, argv + 2);
}

static int do_open(int argc, char **argv)
{
	int flags = O_CLOEXEC, fd;

	if (argc < 2)
		usage("open PATH r|w|rw [creat] [trunc]");
	if (!strcmp(argv[1], "r"))
		flags |= O_RDONLY;
	else if (!strcmp(argv[1], "w"))
		flags |= O_WRONLY;
	else if (!strcmp(argv[1], "rw"))
		flags |= O_RDWR;
	else
		usage("access must be r, w or rw");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "creat"))
			flags |= O_CREAT;
		else if (!strcmp(argv[i], "trunc"))
			flags |= O_TRUNC;
		else
			usage("open flags are creat and trunc");
	}
	fd = open(argv[0], flags, 0644);
	if (fd < 0)
		return fail(errno);
	close(fd);
	return ok();
}

/* Parses ADDR PORT into ss; returns its length. */
static socklen_t sockaddr_of(char **argv, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	long port = number(argv[1]);

	if (port < 0 || port > 65535)
		usage("port out of range");
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, argv[0], &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, argv[0], &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	usage("not an IPv4 or IPv6 literal");
	return 0;
}

/* connect (or bind) a TCP socket to ADDR PORT. */
static int do_socket(int argc, char **argv, int bind_it)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, r;

	if (argc != 2)
		usage(bind_it ? "bind ADDR PORT" : "connect ADDR PORT");
	len = sockaddr_of(argv, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		printf("socket: ");
		return fail(errno);
	}
	r = bind_it ? bind(fd, (struct sockaddr *)&ss, len) : connect(fd, (struct sockaddr *)&ss, len);
	if (r) {
		int e = errno;

		close(fd);
		return fail(e);
	}
	close(fd);
	return ok();
}

/* mkdirat(AT_FDCWD, PATH, MODE): the system call itself, whatever the C library does. */
static int do_mkdirat(int argc, char **argv)
{
	if (argc != 2)
		usage("mkdirat PATH MODE");
	if (syscall(SYS_mkdirat, AT_FDCWD, argv[0], (mode_t)strtol(argv[1], NULL, 8)))
		return fail(errno);
	return ok();
}

static int attach(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		return fail(errno);
	if (waitpid(pid, &status, __WALL) < 0)
		return fail(errno);
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL))
		return fail(errno);
	return 0;
}

static int do_ptrace_attach(int argc, char **argv)
{
	if (argc != 1)
		usage("ptrace-attach PID");
	return attach((pid_t)number(argv[0])) ? 1 : ok();
}

/* Waits until /proc/PID/exe names path (the child has exec'd it), up to 10 s. */
static void wait_for_exe(pid_t pid, const char *path)
{
	char link[64], exe[4096], want[4096];
	ssize_t n;

	if (!realpath(path, want))
		return;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 1000; i++) {
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			if (!strcmp(exe, want))
				return;
		}
		sleep_ms(10);
	}
}

static int do_ptrace_child(int argc, char **argv)
{
	int rc, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(errno);
	if (pid == 0) {
		/* never outlive the tracer, even when it is killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (argc >= 1) {
			execv(argv[0], program_argv(argv[0], argc - 1, argv + 1));
			_exit(127);
		}
		sleep_ms(30000);
		_exit(0);
	}
	if (argc >= 1)
		wait_for_exe(pid, argv[0]);
	rc = attach(pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (rc)
		return rc;
	printf("ok target=%d\n", (int)pid);
	return 0;
}

static int do_setuid_dance(void)
{
	if (setresuid(1000, 1000, 0)) {
		printf("first: ");
		return fail(errno);
	}
	if (setresuid(0, 0, 0))
		return fail(errno);
	return ok();
}

static int capset_effective(struct __user_cap_header_struct *h,
			    struct __user_cap_data_struct *d)
{
	return (int)syscall(SYS_capset, h, d);
}

static int do_capset_gain(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	const unsigned int bit = 1U << CAP_NET_RAW;

	if (syscall(SYS_capget, &h, d)) {
		printf("capget: ");
		return fail(errno);
	}
	if (!(d[0].permitted & bit)) {
		printf("CAP_NET_RAW not permitted: ");
		return fail(EPERM);
	}
	d[0].effective &= ~bit;
	if (capset_effective(&h, d)) {
		printf("first: ");
		return fail(errno);
	}
	d[0].effective |= bit;
	if (capset_effective(&h, d))
		return fail(errno);
	return ok();
}

/* Copies the file at path to fd; returns 0 or an errno. */
static int copy_to(const char *path, int fd)
{
	char buf[65536];
	ssize_t n;
	int in = open(path, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return errno;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, n) != n) {
			close(in);
			return EIO;
		}
	}
	close(in);
	return n < 0 ? errno : 0;
}

static int fexec(int fd, int argc, char **argv)
{
	fflush(stdout);
	fexecve(fd, program_argv(argv[0], argc - 1, argv + 1), environ);
	return fail(errno);
}

/* A memfd holding a copy of PATH; -1 after printing why. */
static int memfd_copy(const char *path, unsigned int flags)
{
	int fd, e;

	fd = memfd_create("ftg-memfd", flags);
	if (fd < 0) {
		printf("memfd_create: ");
		fail(errno);
		return -1;
	}
	e = copy_to(path, fd);
	if (e) {
		printf("copy: ");
		fail(e);
		return -1;
	}
	return fd;
}

static int do_memfd_exec(int argc, char **argv)
{
	int fd;

	if (argc < 1)
		usage("memfd-exec PATH [ARGS...]");
	fd = memfd_copy(argv[0], 0);
	return fd < 0 ? 1 : fexec(fd, argc, argv);
}

static int do_deleted_exec(int argc, char **argv)
{
	const char *tmp = "ftg-deleted";
	int fd, e;

	if (argc < 1)
		usage("deleted-exec PATH [ARGS...]");
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0) {
		printf("create: ");
		return fail(errno);
	}
	e = copy_to(argv[0], fd);
	close(fd);
	if (e) {
		printf("copy: ");
		return fail(e);
	}
	/* no O_CLOEXEC: fexecve of a file closed at exec would fail with ENOENT */
	fd = open(tmp, O_RDONLY);
	if (fd < 0 || unlink(tmp)) {
		printf("reopen: ");
		return fail(errno);
	}
	return fexec(fd, argc, argv);
}

static int do_fd_exec(int argc, char **argv)
{
	int fd;

	if (argc < 1)
		usage("fd-exec PATH [ARGS...]");
	fd = open(argv[0], O_RDONLY);
	if (fd < 0) {
		printf("open: ");
		return fail(errno);
	}
	return fexec(fd, argc, argv);
}

/* Map fd's first page: with exec, or read-only then mprotect'ed to exec. */
static int map_exec(int fd, int via_mprotect)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, via_mprotect ? PROT_READ : PROT_READ | PROT_EXEC,
		 MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: ");
		return fail(errno);
	}
	if (via_mprotect && mprotect(p, page, PROT_READ | PROT_EXEC)) {
		printf("mprotect: ");
		return fail(errno);
	}
	munmap(p, page);
	return ok();
}

static int do_map_exec(int argc, char **argv, int via_mprotect)
{
	int fd;

	if (argc != 1)
		usage(via_mprotect ? "mprotect-exec PATH" : "map-exec PATH");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open: ");
		return fail(errno);
	}
	return map_exec(fd, via_mprotect);
}

static int do_map_exec_remap_flags(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	void *at, *p;
	int fd;

	if (argc != 1)
		usage("map-exec-remap-flags PATH");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open: ");
		return fail(errno);
	}
	at = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at == MAP_FAILED) {
		printf("reserve: ");
		return fail(errno);
	}
	p = mmap(at, page, PROT_READ | PROT_EXEC,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: ");
		return fail(errno);
	}
	munmap(p, page);
	return ok();
}

static int do_memfd_map_exec(int argc, char **argv)
{
	int fd;

	if (argc != 1)
		usage("memfd-map-exec PATH");
	fd = memfd_copy(argv[0], MFD_CLOEXEC);
	return fd < 0 ? 1 : map_exec(fd, 0);
}

static int do_finit_module(int argc, char **argv)
{
	int fd, flags = 0;

	if (argc == 2 && !strcmp(argv[1], "compressed"))
		flags = MODULE_INIT_COMPRESSED_FILE;
	else if (argc != 1)
		usage("finit-module KO [compressed]");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open: ");
		return fail(errno);
	}
	if (syscall(SYS_finit_module, fd, "", flags))
		return fail(errno);
	return ok();
}

/* Reads a whole file into malloc'd memory; exits on failure. */
static void *slurp(const char *path, size_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		printf("open %s: ", path);
		exit(fail(errno));
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		exit(fail(ENOMEM));
	for (size_t done = 0; done < (size_t)st.st_size;) {
		ssize_t n = read(fd, (char *)buf + done, st.st_size - done);

		if (n <= 0) {
			printf("read %s: ", path);
			exit(fail(n < 0 ? errno : EIO));
		}
		done += n;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

static int do_write(int argc, char **argv)
{
	size_t len;
	int fd;

	if (argc != 2)
		usage("write PATH TEXT");
	fd = open(argv[0], O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(errno);
	len = strlen(argv[1]);
	if (write(fd, argv[1], len) != (ssize_t)len)
		return fail(errno);
	close(fd);
	return ok();
}

static int do_delete_module(int argc, char **argv)
{
	int flags = O_NONBLOCK;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "force")))
		usage("delete-module NAME [force]");
	if (argc == 2)
		flags |= O_TRUNC;
	if (syscall(SYS_delete_module, argv[0], flags))
		return fail(errno);
	return ok();
}

static int do_init_module(int argc, char **argv)
{
	size_t size;
	void *image;

	if (argc != 1)
		usage("init-module KO");
	image = slurp(argv[0], &size);
	if (syscall(SYS_init_module, image, size, ""))
		return fail(errno);
	return ok();
}

static int open_device(void)
{
	int fd = open(DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		printf("open " DEVICE ": ");
		exit(fail(errno));
	}
	return fd;
}

static int do_set_table(int argc, char **argv)
{
	struct ftg_table_arg arg;
	size_t size;
	void *table;
	int fd;

	if (argc != 1 && argc != 2)
		usage("set-table FILE [SIZE]");
	table = slurp(argv[0], &size);
	fd = open_device();
	memset(&arg, 0, sizeof(arg));
	arg.data = (uintptr_t)table;
	arg.size = (__u32)size;
	if (argc == 2) {
		/* only sizes the kernel must refuse before reading: no overread */
		unsigned long long claimed = strtoull(argv[1], NULL, 0);

		if (claimed > size && claimed <= FTG_TABLE_MAX)
			usage("SIZE beyond the file must exceed FTG_TABLE_MAX");
		arg.size = (__u32)claimed;
	}
	if (ioctl(fd, FTG_IOC_SET_TABLE, &arg)) {
		int e = errno;
		const char *name = errno_name(e);

		if (name)
			printf("errno=%s error=%u offset=%u\n", name, arg.error, arg.error_offset);
		else
			printf("errno=%d error=%u offset=%u\n", e, arg.error, arg.error_offset);
		return 1;
	}
	printf("ok generation=%llu\n", (unsigned long long)arg.generation);
	return 0;
}

static int do_hook_hits(int argc, char **argv)
{
	struct ftg_hook_info info;
	int fd = open_device();
	__u32 i;

	if (argc != 1)
		usage("hook-hits NAME");
	for (i = 0;; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioctl(fd, FTG_IOC_HOOK_INFO, &info))
			return fail(errno);	/* ENOENT: no hook of that name */
		if (!strncmp(info.name, argv[0], sizeof(info.name)))
			break;
	}
	printf("ok hits=%llu flags=%u\n", (unsigned long long)info.hits, info.flags);
	return 0;
}

static int do_content_stats(void)
{
	struct ftg_stats stats;
	int fd = open_device();

	memset(&stats, 0, sizeof(stats));
	if (ioctl(fd, FTG_IOC_STATS, &stats))
		return fail(errno);
	printf("ok hashes=%llu hits=%llu misses=%llu unknown=%llu\n",
	       (unsigned long long)stats.content_hashes, (unsigned long long)stats.content_hits,
	       (unsigned long long)stats.content_misses,
	       (unsigned long long)stats.content_unknown);
	return 0;
}

static int do_get_table(int argc, char **argv)
{
	struct ftg_table_arg arg;
	void *buf = NULL;
	int fd = open_device();

	if (argc > 1)
		usage("get-table [OUT]");
	memset(&arg, 0, sizeof(arg));
	if (ioctl(fd, FTG_IOC_GET_TABLE, &arg) && errno != ENOSPC)
		return fail(errno);
	if (argc == 1 && arg.needed) {
		buf = malloc(arg.needed);
		if (!buf)
			return fail(ENOMEM);
		arg.data = (uintptr_t)buf;
		arg.size = arg.needed;
		if (ioctl(fd, FTG_IOC_GET_TABLE, &arg))
			return fail(errno);
	}
	if (argc == 1) {
		FILE *out = fopen(argv[0], "w");

		if (!out || (arg.needed && fwrite(buf, 1, arg.needed, out) != arg.needed) ||
		    fclose(out)) {
			printf("write %s: ", argv[0]);
			return fail(errno);
		}
	}
	printf("ok needed=%u generation=%llu\n", arg.needed,
	       (unsigned long long)arg.generation);
	return 0;
}

static const char *outcome(int r)
{
	const char *name;

	if (r >= 0)
		return "ok";
	name = errno_name(errno);
	return name ? name : "other";
}

static int device_ops(int fd)
{
	char buf[4096];
	struct ftg_stats stats;
	struct ftg_hook_info hook;
	struct ftg_call_hook_info call;
	struct ftg_table_arg get, set;
	const char *r;

	if (fcntl(fd, F_SETFL, O_NONBLOCK)) {
		printf("fcntl: ");
		return fail(errno);
	}
	r = outcome((int)read(fd, buf, sizeof(buf)));
	if (!strcmp(r, "EAGAIN"))
		r = "ok";	/* allowed, nothing buffered */
	printf("read=%s", r);
	memset(&stats, 0, sizeof(stats));
	printf(" stats=%s", outcome(ioctl(fd, FTG_IOC_STATS, &stats)));
	memset(&hook, 0, sizeof(hook));
	printf(" hook=%s", outcome(ioctl(fd, FTG_IOC_HOOK_INFO, &hook)));
	memset(&call, 0, sizeof(call));
	printf(" call=%s", outcome(ioctl(fd, FTG_IOC_CALL_HOOK_INFO, &call)));
	memset(&get, 0, sizeof(get));
	r = outcome(ioctl(fd, FTG_IOC_GET_TABLE, &get));
	printf(" get=%s", !strcmp(r, "ENOSPC") ? "ok" : r);
	memset(&set, 0, sizeof(set));
	printf(" set=%s\n", outcome(ioctl(fd, FTG_IOC_SET_TABLE, &set)));
	return 0;
}

static int do_device_ops(int argc, char **argv)
{
	if (argc > 1)
		usage("device-ops [FD]");
	return device_ops(argc ? (int)number(argv[0]) : open_device());
}

static int do_device_as(int argc, char **argv)
{
	char fdnum[16];
	uid_t uid;
	int fd;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "exec")))
		usage("device-as UID [exec]");
	uid = (uid_t)number(argv[0]);
	fd = open(DEVICE, O_RDONLY);
	if (fd < 0) {
		printf("open " DEVICE ": ");
		return fail(errno);
	}
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
		printf("setup failed: ");
		return fail(errno);
	}
	if (argc == 1)
		return device_ops(fd);
	snprintf(fdnum, sizeof(fdnum), "%d", fd);
	execl("/proc/self/exe", "ftgtest", "device-ops", fdnum, (char *)NULL);
	printf("exec: ");
	return fail(errno);
}

static int do_layout(void)
{
#define SZ(s) printf("sizeof.%s=%zu\n", #s, sizeof(struct s))
#define OFF(s, f) printf("offsetof.%s.%s=%zu\n", #s, #f, offsetof(struct s, f))
#define C(c) printf("const.%s=%lld\n", #c, (long long)(c))
	SZ(ftg_table_header);
	OFF(ftg_table_header, magic);
	OFF(ftg_table_header, version);
	OFF(ftg_table_header, size);
	OFF(ftg_table_header, flags);
	OFF(ftg_table_header, policies);
	OFF(ftg_table_header, rules);
	OFF(ftg_table_header, values);
	OFF(ftg_table_header, strings);
	SZ(ftg_section);
	OFF(ftg_section, offset);
	OFF(ftg_section, count);
	SZ(ftg_policy);
	OFF(ftg_policy, name);
	OFF(ftg_policy, mode);
	OFF(ftg_policy, priority);
	SZ(ftg_rule);
	OFF(ftg_rule, name);
	OFF(ftg_rule, policy);
	OFF(ftg_rule, kind);
	OFF(ftg_rule, action);
	OFF(ftg_rule, err);
	OFF(ftg_rule, flags);
	OFF(ftg_rule, mask);
	OFF(ftg_rule, sel);
	SZ(ftg_sel);
	OFF(ftg_sel, first);
	OFF(ftg_sel, count);
	SZ(ftg_value);
	OFF(ftg_value, type);
	OFF(ftg_value, prefix_len);
	OFF(ftg_value, str_len);
	OFF(ftg_value, str_off);
	OFF(ftg_value, lo);
	OFF(ftg_value, hi);
	OFF(ftg_value, addr);
	SZ(ftg_table_arg);
	C(FTG_TABLE_MAGIC);
	C(FTG_TABLE_VERSION);
	C(FTG_TABLE_MAX);
	C(FTG_TABLE_RULES_MAX);
	C(FTG_TABLE_POLICIES_MAX);
	C(FTG_TABLE_VALUES_MAX);
	C(FTG_TABLE_SEL_MAX);
	C(FTG_TABLE_STR_MAX);
	C(FTG_GLOB_STARS);
	C(FTG_NAME_LEN);
	C(FTG_SELS);
	C(FTG_RULE_FLAGS_ALL);
	C(FTG_IOC_SET_TABLE);
	C(FTG_IOC_GET_TABLE);
#undef SZ
#undef OFF
#undef C
	return 0;
}

static int do_change_fd(const char *op, int argc, char **argv)
{
	int fd;

	if (argc != 3)
		usage("change ftruncate|write-fd|mmap-fd FD ARG");
	fd = (int)number(argv[1]);
	if (!strcmp(op, "ftruncate"))
		return ftruncate(fd, number(argv[2])) ? fail(errno) : ok();
	if (!strcmp(op, "write-fd")) {
		size_t len = strlen(argv[2]);

		return pwrite(fd, argv[2], len, 0) != (ssize_t)len ? fail(errno) : ok();
	}
	if (!strcmp(op, "mmap-fd")) {
		size_t len = strlen(argv[2]);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p == MAP_FAILED)
			return fail(errno);
		memcpy(p, argv[2], len);
		if (msync(p, len, MS_SYNC))
			return fail(errno);
		munmap(p, len);
		return ok();
	}
	usage("unknown change");
	return 2;
}

static int do_change(int argc, char **argv)
{
	const char *op;
	int r;

	if (argc < 2)
		usage("change OP ARGS...");
	op = argv[0];
	if (!strcmp(op, "ftruncate") || !strcmp(op, "write-fd") || !strcmp(op, "mmap-fd"))
		return do_change_fd(op, argc, argv);
	if (!strcmp(op, "truncate") && argc == 3) {
		r = truncate(argv[1], number(argv[2]));
	} else if (!strcmp(op, "rename") && argc == 3) {
		r = rename(argv[1], argv[2]);
	} else if (!strcmp(op, "exchange") && argc == 3) {
		r = (int)syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2],
				 RENAME_EXCHANGE);
	} else if (!strcmp(op, "unlink") && argc == 2) {
		r = unlink(argv[1]);
	} else if (!strcmp(op, "link") && argc == 3) {
		r = link(argv[1], argv[2]);
	} else if (!strcmp(op, "chmod") && argc == 3) {
		r = chmod(argv[1], (mode_t)strtol(argv[2], NULL, 8));
	} else if (!strcmp(op, "chown") && argc == 4) {
		r = chown(argv[1], (uid_t)number(argv[2]), (gid_t)number(argv[3]));
	} else if (!strcmp(op, "utimens") && argc == 3) {
		struct timespec ts[2] = { { .tv_sec = number(argv[2]) },
					  { .tv_sec = number(argv[2]) } };

		r = utimensat(AT_FDCWD, argv[1], ts, 0);
	} else if (!strcmp(op, "setxattr") && argc == 4) {
		r = setxattr(argv[1], argv[2], argv[3], strlen(argv[3]), 0);
	} else if (!strcmp(op, "removexattr") && argc == 3) {
		r = removexattr(argv[1], argv[2]);
	} else {
		usage("change OP ARGS... (see the list at the top)");
		return 2;
	}
	return r ? fail(errno) : ok();
}

static int do_getxattr(int argc, char **argv)
{
	char value[256];
	ssize_t n;

	if (argc != 2)
		usage("getxattr PATH NAME");
	n = getxattr(argv[0], argv[1], value, sizeof(value) - 1);
	if (n < 0)
		return fail(errno);
	value[n] = '\0';
	printf("ok %s\n", value);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		usage("missing subcommand");
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "ok"))
		return ok();
	if (!strcmp(cmd, "sleep")) {
		if (argc != 1)
			usage("sleep SECONDS");
		sleep_ms(number(argv[0]) * 1000);
		return ok();
	}
	if (!strcmp(cmd, "exec"))
		return do_exec(argc, argv);
	if (!strcmp(cmd, "spawn"))
		return do_spawn(argc, argv);
	if (!strcmp(cmd, "as"))
		return do_as(argc, argv);
	if (!strcmp(cmd, "open"))
		return do_open(argc, argv);
	if (!strcmp(cmd, "connect"))
		return do_socket(argc, argv, 0);
	if (!strcmp(cmd, "bind"))
		return do_socket(argc, argv, 1);
	if (!strcmp(cmd, "mkdirat"))
		return do_mkdirat(argc, argv);
	if (!strcmp(cmd, "ptrace-attach"))
		return do_ptrace_attach(argc, argv);
	if (!strcmp(cmd, "ptrace-child"))
		return do_ptrace_child(argc, argv);
	if (!strcmp(cmd, "setuid-dance"))
		return do_setuid_dance();
	if (!strcmp(cmd, "capset-gain"))
		return do_capset_gain();
	if (!strcmp(cmd, "memfd-exec"))
		return do_memfd_exec(argc, argv);
	if (!strcmp(cmd, "deleted-exec"))
		return do_deleted_exec(argc, argv);
	if (!strcmp(cmd, "fd-exec"))
		return do_fd_exec(argc, argv);
	if (!strcmp(cmd, "map-exec"))
		return do_map_exec(argc, argv, 0);
	if (!strcmp(cmd, "mprotect-exec"))
		return do_map_exec(argc, argv, 1);
	if (!strcmp(cmd, "map-exec-remap-flags"))
		return do_map_exec_remap_flags(argc, argv);
	if (!strcmp(cmd, "memfd-map-exec"))
		return do_memfd_map_exec(argc, argv);
	if (!strcmp(cmd, "finit-module"))
		return do_finit_module(argc, argv);
	if (!strcmp(cmd, "init-module"))
		return do_init_module(argc, argv);
	if (!strcmp(cmd, "delete-module"))
		return do_delete_module(argc, argv);
	if (!strcmp(cmd, "write"))
		return do_write(argc, argv);
	if (!strcmp(cmd, "set-table"))
		return do_set_table(argc, argv);
	if (!strcmp(cmd, "get-table"))
		return do_get_table(argc, argv);
	if (!strcmp(cmd, "hook-hits"))
		return do_hook_hits(argc, argv);
	if (!strcmp(cmd, "content-stats"))
		return do_content_stats();
	if (!strcmp(cmd, "device-ops"))
		return do_device_ops(argc, argv);
	if (!strcmp(cmd, "device-as"))
		return do_device_as(argc, argv);
	if (!strcmp(cmd, "layout"))
		return do_layout();
	if (!strcmp(cmd, "change"))
		return do_change(argc, argv);
	if (!strcmp(cmd, "getxattr"))
		return do_getxattr(argc, argv);
	usage("unknown subcommand");
	return 2;
}
