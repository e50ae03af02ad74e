// SPDX-License-Identifier: GPL-2.0
/*
 * ftgbench: the timed loops of the policy benchmarks, run in the VM.
 *
 *   ftgbench open N PATH      N x open(PATH, O_RDONLY) + close
 *   ftgbench exec N PROG      N x vfork + execv(PROG) + wait
 *   ftgbench exec-new N PROG NEW
 *                             N x (copy PROG to a new file NEW, exec it, unlink
 *                             it): every exec runs a file version never seen
 *   ftgbench mmapx N PATH     N x open + mmap(PROT_READ|PROT_EXEC) + munmap + close
 *   ftgbench truncate N PATH  N x truncate(PATH, 0)
 *   ftgbench rename N PATH    N x rename, PATH to PATH.2 and back
 *   ftgbench link N PATH      N x (link(PATH, PATH.l) + unlink(PATH.l))
 *   ftgbench chmod N PATH     N x chmod, 0600 and 0644 in turn
 *   ftgbench utimes N PATH    N x utimensat(PATH, now)
 *   ftgbench getppid N        N x the getppid system call
 *   ftgbench spin N           N x a two-instruction loop (dec, jnz): under
 *                             QEMU -icount shift=0 it prints 2.0 (one guest
 *                             nanosecond per instruction)
 *
 * Prints "<ns per operation> <failures>" on one line; the time is
 * CLOCK_MONOTONIC's, taken around the whole loop.
 *
 * The end-to-end benchmark's loops, readers and counters (/dev/ftguard):
 *
 *   ftgbench storm N [RATE]   N x the getppid system call, as fast as it goes
 *                             or, with RATE > 0, paced at RATE calls a second;
 *                             the module's counters (FTG_IOC_STATS) read just
 *                             before and after the loop.  Prints "<ns per
 *                             call> <failures> <produced> <delivered>
 *                             <dropped>", the counters' increase over the loop
 *   ftgbench drain            the raw reader: poll(2) (200 ms) and read(2) of
 *                             64 KiB, as ftguard's own reader does, counting
 *                             records and bytes and decoding nothing but the
 *                             headers, until SIGINT or SIGTERM; then what is
 *                             left without waiting.  Prints "<records> <bytes>
 *                             <call records of ftgbench>"
 *   ftgbench stats            the counters: "<produced> <delivered> <dropped>
 *                             <entries waiting>" (dropped: every reason)
 *   ftgbench settle SECONDS   wait (reading the counters every 50 ms, no
 *                             process started) until no record waits in the
 *                             buffer; exit 1 after SECONDS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../../kmod/include/uapi/ftguard.h"

#define DEVICE		"/dev/" FTG_DEVICE_NAME
/* What ftguard's reader asks for per read (EventPump.Options.of). */
#define READ_BYTES	(64 * 1024)
#define POLL_MS		200

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long bench_open(long n, const char *path)
{
	long fail = 0;

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			fail++;
		else
			close(fd);
	}
	return fail;
}

static int run(const char *prog);

static long bench_exec(long n, const char *prog)
{
	long fail = 0;

	for (long i = 0; i < n; i++)
		fail += run(prog);
	return fail;
}

static int run(const char *prog)
{
	int status;
	pid_t pid = vfork();

	if (pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	return pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	       WEXITSTATUS(status) != 0;
}

static long bench_exec_new(long n, const char *prog, const char *new)
{
	struct stat st;
	char *buf;
	long fail = 0;
	int fd = open(prog, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return n;
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		return n;
	close(fd);
	for (long i = 0; i < n; i++) {
		fd = open(new, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0 || write(fd, buf, st.st_size) != st.st_size) {
			fail++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		fail += run(new);
		if (unlink(new) < 0)
			fail++;
	}
	free(buf);
	return fail;
}

static long bench_mmapx(long n, const char *path)
{
	long fail = 0;

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		void *p;

		if (fd < 0) {
			fail++;
			continue;
		}
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			fail++;
		else
			munmap(p, 4096);
		close(fd);
	}
	return fail;
}

static long bench_modify(const char *op, long n, const char *path)
{
	char other[4096];
	long fail = 0;

	snprintf(other, sizeof(other), "%s.%s", path,
		 strcmp(op, "link") ? "2" : "l");
	for (long i = 0; i < n; i++) {
		int rc;

		if (!strcmp(op, "truncate"))
			rc = truncate(path, 0);
		else if (!strcmp(op, "rename"))
			rc = i % 2 ? rename(other, path) : rename(path, other);
		else if (!strcmp(op, "link"))
			rc = link(path, other) || unlink(other);
		else if (!strcmp(op, "chmod"))
			rc = chmod(path, i % 2 ? 0644 : 0600);
		else
			rc = utimensat(AT_FDCWD, path, NULL, 0);
		if (rc)
			fail++;
	}
	if (!strcmp(op, "rename") && n % 2 && rename(other, path))
		fail++;
	return fail;
}

static long bench_spin(long n)
{
	long c = n;

	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(c));
	return c;
}

/* Through syscall(2): nothing in the C library may answer from a cache. */
static long bench_getppid(long n)
{
	long fail = 0;

	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) <= 0)
			fail++;
	return fail;
}

static int read_stats(int fd, struct ftg_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, FTG_IOC_STATS, st) < 0) {
		perror("ftgbench: FTG_IOC_STATS");
		return -1;
	}
	return 0;
}

static unsigned long long dropped(const struct ftg_stats *st)
{
	unsigned long long n = 0;

	for (int i = 0; i < FTG_DROP_REASONS; i++)
		n += st->dropped[i];
	return n;
}

static int open_device(int flags)
{
	int fd = open(DEVICE, flags | O_CLOEXEC);

	if (fd < 0)
		perror("ftgbench: " DEVICE);
	return fd;
}

/* Sleep until t0 + i / rate when the loop is ahead of it. */
static void pace(double t0, long i, long rate)
{
	double due = t0 + i * 1e9 / rate;
	struct timespec ts;

	if (now_ns() >= due)
		return;
	ts.tv_sec = (time_t)(due / 1e9);
	ts.tv_nsec = (long)(due - ts.tv_sec * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int storm(long n, long rate)
{
	struct ftg_stats a, b;
	long fail = 0;
	double t0, t1;
	int fd = open_device(O_RDONLY);

	if (fd < 0 || read_stats(fd, &a))
		return 1;
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (rate > 0)
			pace(t0, i, rate);
		if (syscall(SYS_getppid) <= 0)
			fail++;
	}
	t1 = now_ns();
	if (read_stats(fd, &b))
		return 1;
	printf("%.1f %ld %llu %llu %llu\n", (t1 - t0) / n, fail,
	       (unsigned long long)(b.produced - a.produced),
	       (unsigned long long)(b.delivered - a.delivered),
	       dropped(&b) - dropped(&a));
	close(fd);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = 1;
}

/* Counts the records of one read; returns -1 on a malformed batch. */
static int count(const char *buf, ssize_t len, unsigned long long *records,
		 unsigned long long *calls)
{
	ssize_t off = 0;

	while (off < len) {
		const struct ftg_event_header *h = (const void *)(buf + off);

		if (len - off < (ssize_t)sizeof(*h) || h->size < sizeof(*h) ||
		    h->size > len - off || h->size % FTG_RECORD_ALIGN)
			return -1;
		(*records)++;
		if (h->type == FTG_EV_CALL && !strcmp(h->comm, "ftgbench"))
			(*calls)++;
		off += h->size;
	}
	return 0;
}

static int drain(void)
{
	static char buf[READ_BYTES] __attribute__((aligned(8)));
	unsigned long long records = 0, bytes = 0, calls = 0;
	struct sigaction sa = { .sa_handler = on_stop };
	int fd = open_device(O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return 1;
	/* No SA_RESTART: a stop request ends the poll at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!stop && poll(&p, 1, POLL_MS) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (stop)
				break;
			continue;
		}
		if (n < 0) {
			perror("ftgbench: read");
			return 1;
		}
		if (count(buf, n, &records, &calls)) {
			fprintf(stderr, "ftgbench: malformed records\n");
			return 1;
		}
		bytes += n;
	}
	printf("%llu %llu %llu\n", records, bytes, calls);
	close(fd);
	return 0;
}

static int stats(void)
{
	struct ftg_stats st;
	int fd = open_device(O_RDONLY);

	if (fd < 0 || read_stats(fd, &st))
		return 1;
	printf("%llu %llu %llu %llu\n", (unsigned long long)st.produced,
	       (unsigned long long)st.delivered, dropped(&st),
	       (unsigned long long)st.buffer_entries);
	close(fd);
	return 0;
}

static int settle(long seconds)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000 * 1000 };
	double deadline = now_ns() + seconds * 1e9;
	struct ftg_stats st;
	int fd = open_device(O_RDONLY);

	if (fd < 0)
		return 1;
	for (;;) {
		if (read_stats(fd, &st))
			return 1;
		if (!st.buffer_entries)
			break;
		if (now_ns() > deadline) {
			fprintf(stderr, "ftgbench: %llu records still wait after %ld s\n",
				(unsigned long long)st.buffer_entries, seconds);
			return 1;
		}
		nanosleep(&tick, NULL);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	double t0, t1;
	long n, fail;
	int args;

	if (argc == 2 && !strcmp(argv[1], "drain"))
		return drain();
	if (argc == 2 && !strcmp(argv[1], "stats"))
		return stats();
	if (argc == 3 && !strcmp(argv[1], "settle") && atol(argv[2]) > 0)
		return settle(atol(argv[2]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "storm") &&
	    atol(argv[2]) > 0)
		return storm(atol(argv[2]), argc == 4 ? atol(argv[3]) : 0);
	n = argc < 3 ? 0 : atol(argv[2]);
	if (n <= 0) {
		fprintf(stderr, "usage: ftgbench OP N [PATH [NEW]] (see the source)\n");
		return 2;
	}
	args = !strcmp(argv[1], "getppid") || !strcmp(argv[1], "spin") ? 3 :
	       !strcmp(argv[1], "exec-new") ? 5 : 4;
	if (argc != args) {
		fprintf(stderr, "ftgbench %s: %d arguments expected\n", argv[1],
			args - 1);
		return 2;
	}
	t0 = now_ns();
	if (!strcmp(argv[1], "open"))
		fail = bench_open(n, argv[3]);
	else if (!strcmp(argv[1], "exec"))
		fail = bench_exec(n, argv[3]);
	else if (!strcmp(argv[1], "exec-new"))
		fail = bench_exec_new(n, argv[3], argv[4]);
	else if (!strcmp(argv[1], "mmapx"))
		fail = bench_mmapx(n, argv[3]);
	else if (!strcmp(argv[1], "truncate") || !strcmp(argv[1], "rename") ||
		 !strcmp(argv[1], "link") || !strcmp(argv[1], "chmod") ||
		 !strcmp(argv[1], "utimes"))
		fail = bench_modify(argv[1], n, argv[3]);
	else if (!strcmp(argv[1], "getppid"))
		fail = bench_getppid(n);
	else if (!strcmp(argv[1], "spin"))
		fail = bench_spin(n);
	else
		return 2;
	t1 = now_ns();
	printf("%.1f %ld\n", (t1 - t0) / n, fail);
	return 0;
}
