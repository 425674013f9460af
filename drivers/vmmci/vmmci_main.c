// SPDX-License-Identifier: GPL-2.0
/*
 * vmmci: Linux driver for the "VMM Control" device of OpenBSD's vmd(8).
 * This file only holds the module parameters and orders init/exit; the
 * device lives in vmmci_pci.c, commands in vmmci_cmd.c, time in
 * vmmci_time.c and the sysfs ABI in vmmci_sysfs.c.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "vmmci.h"

/*
 * The two periods are re-read at every re-arm of their work, so a value
 * the work cannot run on must be refused when it is written, not met
 * there: 0 or a huge period would stop the poll (the backstop for
 * interrupts the host's PIC drops) or the samples for good.
 */
static int vmmci_period_set(const char *val, const struct kernel_param *kp,
			    unsigned int max_ms)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms < VMMCI_MIN_PERIOD_MS ||
	    ms > max_ms) {
		pr_warn_ratelimited("%s must be %u to %u ms; kept %u\n",
				    kp->name, VMMCI_MIN_PERIOD_MS, max_ms,
				    READ_ONCE(*(unsigned int *)kp->arg));
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static int vmmci_poll_set(const char *val, const struct kernel_param *kp)
{
	return vmmci_period_set(val, kp, VMMCI_POLL_MAX_MS);
}

static int vmmci_timesync_set(const char *val, const struct kernel_param *kp)
{
	return vmmci_period_set(val, kp, VMMCI_TIMESYNC_MAX_MS);
}

static const struct kernel_param_ops vmmci_poll_ops = {
	.set = vmmci_poll_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops vmmci_timesync_ops = {
	.set = vmmci_timesync_set,
	.get = param_get_uint,
};

unsigned int vmmci_poll_ms = 1000;
module_param_cb(poll_ms, &vmmci_poll_ops, &vmmci_poll_ms, 0644);
MODULE_PARM_DESC(poll_ms,
		 "Poll COMMAND every N ms, in case the host's interrupt is lost (10-60000, default 1000)");

unsigned int vmmci_timesync_ms = 15000;
module_param_cb(timesync_ms, &vmmci_timesync_ops, &vmmci_timesync_ms, 0644);
MODULE_PARM_DESC(timesync_ms,
		 "Sample the host-guest clock offset every N ms (10-3600000, default 15000)");

bool vmmci_reboot_poweroff;
module_param_named(reboot_poweroff, vmmci_reboot_poweroff, bool, 0644);
MODULE_PARM_DESC(reboot_poweroff,
		 "Power off instead of rebooting on a host REBOOT request (what vmctl stop sends)");

unsigned int vmmci_correct_max_us;
module_param_named(correct_max_us, vmmci_correct_max_us, uint, 0644);
MODULE_PARM_DESC(correct_max_us,
		 "Step the clock to the host at each sample when the offset is within N us (0 = off, default)");

unsigned int vmmci_correct_min_us = 1000;
module_param_named(correct_min_us, vmmci_correct_min_us, uint, 0644);
MODULE_PARM_DESC(correct_min_us,
		 "Offsets below N us are noise and never corrected (default 1000)");

static int __init vmmci_init(void)
{
	return vmmci_pci_init();
}

static void __exit vmmci_exit(void)
{
	vmmci_pci_uninit();
}

module_init(vmmci_init);
module_exit(vmmci_exit);

MODULE_DESCRIPTION("OpenBSD vmd(8) VMM control interface (vmmci) driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
