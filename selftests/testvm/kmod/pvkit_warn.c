// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the runner's own selftest: emits one kernel WARN on
 * load, then fails the load so nothing stays resident.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init pvkit_warn_init(void)
{
	WARN(1, "pvkit_warn: deliberate warning for the runner selftest\n");
	return -EAGAIN;
}
module_init(pvkit_warn_init);

MODULE_DESCRIPTION("pvkit runner selftest: emits one WARN on load");
MODULE_LICENSE("GPL");
