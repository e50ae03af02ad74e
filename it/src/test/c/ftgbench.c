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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	double t0, t1;
	long n, fail;
	int args;

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
