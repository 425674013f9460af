// SPDX-License-Identifier: GPL-2.0
/*
 * Host detection: the vmm signature and its CLOCKSOURCE2 feature bit, and
 * the one case where we must stay away although the host is right: the
 * in-tree kvm-clock already registered the same MSR because vmm 1.64 also
 * answers a KVM signature.
 */
#include <linux/clocksource.h>
#include <linux/kvm_para.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/pvclock.h>
#include <asm/kvmclock.h>

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

/*
 * kvmclock_init() points CPU0's hv_clock_per_cpu at its page and registers
 * kvm_clock (which sets its mult) only when it took the MSR; booting with
 * no-kvmclock leaves both untouched.
 */
static bool vmm_clock_kvmclock_active(void)
{
	if (!IS_ENABLED(CONFIG_KVM_GUEST) || !kvm_para_available())
		return false;
	return per_cpu(hv_clock_per_cpu, 0) || compat_kvm_clock_mult();
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
	if (vmm_clock_kvmclock_active()) {
		pr_info("kvm-clock already owns the pvclock MSR (KVM leaf 0x%x); not registering twice (boot with no-kvmclock to use vmm-clock)\n",
			h->kvm_base);
		return -EBUSY;
	}
	return 0;
}
