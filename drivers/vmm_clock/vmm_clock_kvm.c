// SPDX-License-Identifier: GPL-2.0
/*
 * Side by side with the in-tree kvm-clock. vmm 1.64 also answers a KVM
 * signature, so a stock kernel's kvm-clock registers the pvclock MSR on
 * every CPU before any module loads. The MSR holds one address per vCPU,
 * so a second registration would steal the host's updates from
 * kvm-clock's pages (and its vDSO and sched_clock with them). Instead we
 * only read the pages kvm-clock registered, through its exported per-CPU
 * pointer, and add what kvm-clock leaves out because vmm claims a stable
 * TSC: the monotonic guard. Registration, hotplug, suspend, kexec and
 * shutdown of those pages all stay kvm-clock's; nothing here writes an
 * MSR or a page.
 */
#include <linux/clocksource.h>
#include <linux/kvm_para.h>
#include <linux/percpu.h>
#include <asm/pvclock.h>
#include <asm/kvmclock.h>

#include "vmm_clock.h"

/*
 * Our read path takes struct pvclock_time_info; kvm-clock's pages hold
 * the kernel's struct pvclock_vcpu_time_info first. Both are the host's
 * layout, which these checks pin down.
 */
#define VMM_CLOCK_SAME_FIELD(ours, theirs)				\
	BUILD_BUG_ON(offsetof(struct pvclock_time_info, ours) !=	\
		     offsetof(struct pvclock_vcpu_time_info, theirs))

#ifdef CONFIG_KVM_GUEST
/*
 * kvmclock_init() points CPU 0's hv_clock_per_cpu at its page and registers
 * the clocksource kvm_clock (which sets its mult) only when it took the
 * MSR; no-kvmclock leaves both untouched. 6.12 no longer exports
 * kvm_clock, so there the pointer alone tells.
 */
bool vmm_clock_kvmclock_active(void)
{
	if (!kvm_para_available())
		return false;
	return per_cpu(hv_clock_per_cpu, 0) || compat_kvm_clock_mult();
}

const struct pvclock_time_info *notrace vmm_clock_kvm_ti(unsigned int cpu)
{
	struct pvclock_vsyscall_time_info *p;

	VMM_CLOCK_SAME_FIELD(ti_version, version);
	VMM_CLOCK_SAME_FIELD(ti_tsc_timestamp, tsc_timestamp);
	VMM_CLOCK_SAME_FIELD(ti_system_time, system_time);
	VMM_CLOCK_SAME_FIELD(ti_tsc_to_system_mul, tsc_to_system_mul);
	VMM_CLOCK_SAME_FIELD(ti_tsc_shift, tsc_shift);
	VMM_CLOCK_SAME_FIELD(ti_flags, flags);
	BUILD_BUG_ON(sizeof(struct pvclock_vcpu_time_info) !=
		     PVCLOCK_TIME_INFO_SIZE);

	/*
	 * Set before the CPU first runs and never cleared (kvm-clock keeps a
	 * page across offline/online); NULL only where kvm-clock found no
	 * memory for that CPU.
	 */
	p = READ_ONCE(per_cpu(hv_clock_per_cpu, cpu));
	return p ? (const struct pvclock_time_info *)&p->pvti : NULL;
}
#else
bool vmm_clock_kvmclock_active(void)
{
	return false;
}

const struct pvclock_time_info *notrace vmm_clock_kvm_ti(unsigned int cpu)
{
	return NULL;
}
#endif

/*
 * kvm-clock registered CPU 0 at boot and the host has been refreshing it
 * since, so a page that is empty or carries parameters we refuse here
 * means the host is not what we think: stand down rather than offer a
 * clock built on it.
 */
int vmm_clock_kvm_init(void)
{
	const struct pvclock_time_info *ti = vmm_clock_kvm_ti(0);
	u32 version;

	if (!ti) {
		pr_info("kvm-clock owns the pvclock MSR but exposes no page for CPU 0; not registering\n");
		return -ENODEV;
	}
	version = READ_ONCE(ti->ti_version);
	/* Pairs with the host's version bump after the fields. */
	virt_rmb();
	if (!version ||
	    !vmm_clock_params_valid(READ_ONCE(ti->ti_tsc_to_system_mul),
				    READ_ONCE(ti->ti_tsc_shift))) {
		pr_info("kvm-clock's pvclock page unusable (version %u mul %u shift %d); not registering\n",
			version, READ_ONCE(ti->ti_tsc_to_system_mul),
			READ_ONCE(ti->ti_tsc_shift));
		return -ENODEV;
	}
	return 0;
}
