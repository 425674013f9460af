// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the runner's own selftest: on load it provokes one
 * kernel report of the kind named by "fault", then fails the load so
 * nothing stays resident. The leak is the exception: the module stays, so
 * that kmemleak's backtrace still resolves to its symbols when a scan
 * prints it.
 *
 *   warn     a WARN (any kernel)
 *   lockdep  two mutexes taken in both orders (PROVE_LOCKING)
 *   uaf      a read of freed slab memory (KASAN)
 *   leak     a slab object nothing points at (kmemleak)
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *fault = "warn";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "warn, lockdep, uaf or leak");

static DEFINE_MUTEX(pvkit_warn_a);
static DEFINE_MUTEX(pvkit_warn_b);

/*
 * One thread, one order after the other: no deadlock can happen here, but
 * lockdep records a -> b and then sees b -> a, which is the inversion a
 * second thread would deadlock on.
 */
static void pvkit_warn_lock_inversion(void)
{
	mutex_lock(&pvkit_warn_a);
	mutex_lock(&pvkit_warn_b);
	mutex_unlock(&pvkit_warn_b);
	mutex_unlock(&pvkit_warn_a);

	mutex_lock(&pvkit_warn_b);
	mutex_lock(&pvkit_warn_a);
	mutex_unlock(&pvkit_warn_a);
	mutex_unlock(&pvkit_warn_b);
}

static noinline int pvkit_warn_use_after_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);
	int v;

	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, 64);
	kfree(p);
	/* Hidden from the compiler, which would otherwise see the bug. */
	OPTIMIZER_HIDE_VAR(p);
	v = READ_ONCE(p[8]);
	pr_info("pvkit_warn: read %#x from freed memory\n", v & 0xff);
	return 0;
}

static noinline int pvkit_warn_leak(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	/* Content kmemleak can show; then the last pointer to it is lost. */
	strscpy(p, "pvkit_warn deliberate leak", 128);
	OPTIMIZER_HIDE_VAR(p);
	return 0;
}

static int __init pvkit_warn_init(void)
{
	if (!strcmp(fault, "warn"))
		WARN(1, "pvkit_warn: deliberate warning for the runner selftest\n");
	else if (!strcmp(fault, "lockdep"))
		pvkit_warn_lock_inversion();
	else if (!strcmp(fault, "uaf"))
		pvkit_warn_use_after_free();
	else if (!strcmp(fault, "leak"))
		return pvkit_warn_leak();
	else
		return -EINVAL;
	return -EAGAIN;
}
module_init(pvkit_warn_init);

MODULE_DESCRIPTION("pvkit runner selftest: one deliberate kernel report on load");
MODULE_LICENSE("GPL");
