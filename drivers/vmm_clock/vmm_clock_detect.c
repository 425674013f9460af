// SPDX-License-Identifier: GPL-2.0
/*
 * Host detection: the vmm signature and its CLOCKSOURCE2 feature bit, and
 * whether the in-tree kvm-clock already registered the same MSR (vmm 1.64
 * also answers a KVM signature), in which case we read its pages.
 */
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "vmm_clock.h"

struct vmm_clock_host vmm_clock_host;

/* First hypervisor leaf whose signature is @sig, or 0. */
static u32 vmm_clock_find_leaf(const char *sig)
{
	u32 base, eax, regs[3];

	for (base = VMM_CPUID_BASE_FIRST; base <= VMM_CPUID_BASE_LAST;
	     base += VMM_CPUID_BASE_STEP) {
		/*
		 * vmm answers EAX = 0 (no max-leaf) at its base, so the
		 * signature alone decides, not the leaf count.
		 */
		cpuid(base, &eax, &regs[0], &regs[1], &regs[2]);
		if (!memcmp(sig, regs, VMM_HV_SIGNATURE_LEN))
			return base;
	}
	return 0;
}

int vmm_clock_detect(void)
{
	struct vmm_clock_host *h = &vmm_clock_host;
	u32 eax, ebx, ecx, edx;

	/* Without the hypervisor bit, 0x4000xxxx leaves are not ours to read. */
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR) ||
	    !boot_cpu_has(X86_FEATURE_TSC)) {
		pr_info("not an OpenBSD vmm guest (no hypervisor CPUID)\n");
		return -ENODEV;
	}
	h->kvm_base = vmm_clock_find_leaf(VMM_KVM_SIGNATURE);
	h->base = vmm_clock_find_leaf(VMM_HV_SIGNATURE);
	if (!h->base && vmm_clock_allow_kvm && h->kvm_base) {
		h->base = h->kvm_base;
		h->is_kvm = true;
	}
	if (!h->base) {
		pr_info("not an OpenBSD vmm guest (no %s CPUID signature)\n",
			VMM_HV_SIGNATURE);
		return -ENODEV;
	}
	cpuid(h->base + CPUID_OFFSET_KVM_FEATURES, &eax, &ebx, &ecx, &edx);
	h->features = eax;
	h->stable = eax & BIT(VMM_KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	if (!(eax & BIT(VMM_KVM_FEATURE_CLOCKSOURCE2))) {
		pr_info("host has no pvclock (CPUID 0x%x EAX 0x%08x lacks CLOCKSOURCE2)\n",
			h->base + CPUID_OFFSET_KVM_FEATURES, eax);
		return -ENODEV;
	}
	/*
	 * Not EBUSY: systemd-modules-load marks the boot failed for anything
	 * but ENODEV, and standing down here is a choice, not a fault.
	 */
	h->on_kvm_pages = vmm_clock_kvmclock_active();
	if (h->on_kvm_pages && vmm_clock_keep_kvmclock) {
		pr_info("kvm-clock owns the pvclock MSR (KVM leaf 0x%x) and keep_kvmclock=1: leaving it current\n",
			h->kvm_base);
		return -ENODEV;
	}
	return 0;
}
