// SPDX-License-Identifier: GPL-2.0
/*
 * kcore: the first four bytes of kernel text at each address given, read
 * from /proc/kcore (the kernel's memory as an ELF core file), independently
 * of any module.  One line per address: "ADDR b0 b1 b2 b3", or
 * "ADDR unreadable" when no loaded segment holds it.
 *
 *   kcore HEXADDR...
 *
 * Built statically on the host (gcc -static -O2 -Wall -Werror) and copied
 * into the guest as /kcore.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	int fd, i, j;

	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0) {
		perror("/proc/kcore");
		return 2;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		fprintf(stderr, "/proc/kcore: not a 64-bit ELF core\n");
		return 2;
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph || pread(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) != (ssize_t)(eh.e_phnum * sizeof(*ph))) {
		fprintf(stderr, "/proc/kcore: cannot read the program headers\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		unsigned long long addr = strtoull(argv[i], NULL, 16);
		unsigned char b[4];
		int done = 0;

		for (j = 0; j < eh.e_phnum && !done; j++) {
			if (ph[j].p_type != PT_LOAD || addr < ph[j].p_vaddr ||
			    addr + sizeof(b) > ph[j].p_vaddr + ph[j].p_filesz)
				continue;
			if (pread(fd, b, sizeof(b), ph[j].p_offset + (addr - ph[j].p_vaddr)) != sizeof(b))
				break;
			printf("%s %02x %02x %02x %02x\n", argv[i], b[0], b[1], b[2], b[3]);
			done = 1;
		}
		if (!done)
			printf("%s unreadable\n", argv[i]);
	}
	return 0;
}
