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

unsigned int vmmci_poll_ms = 1000;
module_param_named(poll_ms, vmmci_poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms,
		 "Poll COMMAND every N ms, in case the host's interrupt is lost (0 = IRQ only, default 1000)");

unsigned int vmmci_timesync_ms = 15000;
module_param_named(timesync_ms, vmmci_timesync_ms, uint, 0644);
MODULE_PARM_DESC(timesync_ms,
		 "Sample the host-guest clock offset every N ms (0 = off, default 15000)");

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
