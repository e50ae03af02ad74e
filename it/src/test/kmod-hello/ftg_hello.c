// SPDX-License-Identifier: GPL-2.0
/* A module that does nothing: loaded by the module_load policy tests. */
#include <linux/init.h>
#include <linux/module.h>

static int __init ftg_hello_init(void)
{
	pr_info("ftg_hello: loaded\n");
	return 0;
}

static void __exit ftg_hello_exit(void)
{
	pr_info("ftg_hello: unloaded\n");
}

module_init(ftg_hello_init);
module_exit(ftg_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ftguard test module: does nothing");
