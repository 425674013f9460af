// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_clock: clocksource for Linux guests of OpenBSD's vmm(4), from the
 * host's paravirtual clock (CPUID "OpenBSDVMM58", MSR 0x4b564d01). This
 * file only orders setup and teardown and holds the module parameters.
 */
#include <linux/module.h>

#include "vmm_clock.h"

bool vmm_clock_allow_kvm;
module_param_named(allow_kvm, vmm_clock_allow_kvm, bool, 0444);
MODULE_PARM_DESC(allow_kvm,
		 "Also accept the KVM signature when OpenBSDVMM58 is absent (testing; default 0)");

bool vmm_clock_defer_to_tsc = true;
module_param_named(defer_to_tsc, vmm_clock_defer_to_tsc, bool, 0444);
MODULE_PARM_DESC(defer_to_tsc,
		 "Rate 299 (below tsc) when the TSC is invariant and stable (default 1; 0: always 400)");

bool vmm_clock_set_time;
module_param_named(set_time, vmm_clock_set_time, bool, 0444);
MODULE_PARM_DESC(set_time,
		 "Set the guest's wall clock from the host's wall clock MSR at load (default 0)");

static int __init vmm_clock_init(void)
{
	int ret;

	ret = vmm_clock_detect();
	if (ret)
		return ret;
	ret = vmm_clock_pages_init();
	if (ret)
		return ret;
	ret = vmm_clock_cpuhp_init();
	if (ret)
		goto err_pages;
	ret = vmm_clock_reboot_init();
	if (ret)
		goto err_cpuhp;
	ret = vmm_clock_wall_init();
	if (ret)
		goto err_reboot;
	ret = vmm_clock_cs_init();
	if (ret)
		goto err_wall;
	vmm_clock_debugfs_init();
	pr_info("registered clocksource vmm-clock (rating %d, %u CPUs live, wall clock %s)\n",
		vmm_clock_rating(), cpumask_weight(&vmm_clock_live_mask),
		vmm_clock_wall_present ? "yes" : "no");
	return 0;

err_wall:
	vmm_clock_wall_uninit();
err_reboot:
	vmm_clock_reboot_uninit();
err_cpuhp:
	vmm_clock_cpuhp_uninit();
err_pages:
	vmm_clock_pages_uninit();
	return ret;
}

/*
 * Reverse of init. The clocksource goes first so nobody reads the pages,
 * then every CPU tells the host to stop writing (cpuhp teardown), and only
 * then is the memory freed.
 */
static void __exit vmm_clock_exit(void)
{
	vmm_clock_debugfs_uninit();
	vmm_clock_cs_uninit();
	vmm_clock_wall_uninit();
	vmm_clock_reboot_uninit();
	vmm_clock_cpuhp_uninit();
	vmm_clock_pages_uninit();
}

module_init(vmm_clock_init);
module_exit(vmm_clock_exit);

MODULE_DESCRIPTION("Paravirtual clocksource for OpenBSD vmm(4) guests");
MODULE_AUTHOR("pvkit");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
