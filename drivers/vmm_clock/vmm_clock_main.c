// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_clock: clocksource for Linux guests of OpenBSD's vmm(4), from the
 * host's paravirtual clock (CPUID "OpenBSDVMM58", MSR 0x4b564d01), either
 * on pages of its own or, where the in-tree kvm-clock already registered
 * the MSR, on kvm-clock's pages. This file only orders setup and teardown
 * and holds the module parameters.
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

bool vmm_clock_keep_kvmclock;
module_param_named(keep_kvmclock, vmm_clock_keep_kvmclock, bool, 0444);
MODULE_PARM_DESC(keep_kvmclock,
		 "Where kvm-clock owns the pvclock MSR, do not load and leave kvm-clock current (default 0)");

/*
 * Our own pages, their registration on every CPU and the reboot hook;
 * none of it when kvm-clock's pages are read instead (they are its).
 */
static int vmm_clock_own_init(void)
{
	int ret;

	if (vmm_clock_host.on_kvm_pages)
		return vmm_clock_kvm_init();
	ret = vmm_clock_pages_init();
	if (ret)
		return ret;
	ret = vmm_clock_cpuhp_init();
	if (ret)
		goto err_pages;
	ret = vmm_clock_reboot_init();
	if (ret)
		goto err_cpuhp;
	return 0;

err_cpuhp:
	vmm_clock_cpuhp_uninit();
err_pages:
	vmm_clock_pages_uninit();
	return ret;
}

static void vmm_clock_own_uninit(void)
{
	if (vmm_clock_host.on_kvm_pages)
		return;
	vmm_clock_reboot_uninit();
	vmm_clock_cpuhp_uninit();
	vmm_clock_pages_uninit();
}

static int __init vmm_clock_init(void)
{
	int ret;

	ret = vmm_clock_detect();
	if (ret)
		return ret;
	ret = vmm_clock_own_init();
	if (ret)
		return ret;
	ret = vmm_clock_guard_init();
	if (ret)
		goto err_own;
	ret = vmm_clock_wall_init();
	if (ret)
		goto err_guard;
	ret = vmm_clock_cs_init();
	if (ret)
		goto err_wall;
	vmm_clock_debugfs_init();
	if (vmm_clock_host.on_kvm_pages)
		pr_info("registered clocksource vmm-clock on kvm-clock's pvclock pages (rating %d, wall clock %s)\n",
			vmm_clock_rating(),
			vmm_clock_wall_present ? "yes" : "no");
	else
		pr_info("registered clocksource vmm-clock (rating %d, %u CPUs live, wall clock %s)\n",
			vmm_clock_rating(),
			cpumask_weight(&vmm_clock_live_mask),
			vmm_clock_wall_present ? "yes" : "no");
	return 0;

err_wall:
	vmm_clock_wall_uninit();
err_guard:
	vmm_clock_guard_uninit();
err_own:
	vmm_clock_own_uninit();
	return ret;
}

/*
 * Reverse of init. The clocksource goes first so nobody reads the pages,
 * then every CPU tells the host to stop writing (cpuhp teardown), and only
 * then is the memory freed. On kvm-clock's pages only the clocksource
 * goes: the pages and the MSR stay kvm-clock's, untouched.
 */
static void __exit vmm_clock_exit(void)
{
	vmm_clock_debugfs_uninit();
	vmm_clock_cs_uninit();
	vmm_clock_wall_uninit();
	vmm_clock_guard_uninit();
	vmm_clock_own_uninit();
}

module_init(vmm_clock_init);
module_exit(vmm_clock_exit);

MODULE_DESCRIPTION("Paravirtual clocksource for OpenBSD vmm(4) guests");
MODULE_AUTHOR("pvkit");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
