// SPDX-License-Identifier: GPL-2.0
/*
 * The network family: the decision on a connection (rule kind connect), in
 * the ftrace callback of security_socket_connect(), on the kernel's copy
 * of the address.
 */
#include "common.h"

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/ptrace.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "compat.h"
#include "decide.h"
#include "hook.h"
#include "policy.h"

/* The kernel's own shortest sockaddr_in6 (without sin6_scope_id). */
#define FTG_SIN6_LEN	offsetof(struct sockaddr_in6, sin6_scope_id)

static bool notrace ftg_v4mapped(const struct in6_addr *a)
{
	return !a->s6_addr32[0] && !a->s6_addr32[1] && a->s6_addr32[2] == htonl(0x0000ffff);
}

/* security_socket_connect(struct socket *, struct sockaddr *, int addrlen) */
static unsigned long notrace ftg_guard_connect(struct pt_regs *regs)
{
	const struct sockaddr *sa = (const struct sockaddr *)ftg_arg(regs, 1);
	int addrlen = (int)ftg_arg(regs, 2);
	const struct ftg_table *t;
	struct ftg_facts f;

	if (addrlen < (int)sizeof(sa->sa_family))
		return 0;
	if (sa->sa_family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		t = ftg_begin(FTG_KIND_CONNECT, &f);
		if (!t)
			return 0;
		f.family = AF_INET;
		f.port = ntohs(in->sin_port);
		memcpy(f.addr, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 && addrlen >= FTG_SIN6_LEN) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		t = ftg_begin(FTG_KIND_CONNECT, &f);
		if (!t)
			return 0;
		f.port = ntohs(in6->sin6_port);
		if (ftg_v4mapped(&in6->sin6_addr)) {
			f.family = AF_INET;
			memcpy(f.addr, &in6->sin6_addr.s6_addr32[3], 4);
		} else {
			f.family = AF_INET6;
			memcpy(f.addr, &in6->sin6_addr, 16);
		}
	} else {
		return 0;
	}
	ftg_binary(&f);
	ftg_decide(t, &f, f.binary, f.binary_len, f.binary);
	return ftg_end(&f, regs);
}

/* Their ftrace callbacks, which call them directly (hook.h). */
FTG_DEFINE_GUARD(ftg_guard_connect)

static struct ftg_hook ftg_net_hooks[] = {
	FTG_HOOK_GUARD("security_socket_connect", ftg_guard_connect, NULL),
};

void __init ftg_add_net_hooks(void)
{
	ftg_hooks_add(ftg_net_hooks, ARRAY_SIZE(ftg_net_hooks));
}
