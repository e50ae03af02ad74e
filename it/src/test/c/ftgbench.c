// SPDX-License-Identifier: GPL-2.0
/*
 * ftgbench: the timed loops of the policy benchmarks, run in the VM.
 *
 *   ftgbench open N PATH   N x open(PATH, O_RDONLY) + close; prints ns per call
 *   ftgbench exec N PROG   N x vfork + execv(PROG) + wait;   prints ns per exec
 *   ftgbench getppid N     N x the getppid system call;       prints ns per call
 *
 * Prints "<ns per operation> <failures>" on one line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static long bench_exec(long n, const char *prog)
{
	long fail = 0;

	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = vfork();

		if (pid == 0) {
			execl(prog, prog, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			fail++;
	}
	return fail;
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

	if (argc < 3 || (n = atol(argv[2])) <= 0 ||
	    argc != (strcmp(argv[1], "getppid") ? 4 : 3)) {
		fprintf(stderr, "usage: ftgbench open|exec N PATH | getppid N\n");
		return 2;
	}
	t0 = now_ns();
	if (!strcmp(argv[1], "open"))
		fail = bench_open(n, argv[3]);
	else if (!strcmp(argv[1], "exec"))
		fail = bench_exec(n, argv[3]);
	else if (!strcmp(argv[1], "getppid"))
		fail = bench_getppid(n);
	else
		return 2;
	t1 = now_ns();
	printf("%.1f %ld\n", (t1 - t0) / n, fail);
	return 0;
}
