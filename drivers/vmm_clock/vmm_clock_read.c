// SPDX-License-Identifier: GPL-2.0
/*
 * The read path and the "vmm-clock" clocksource, on our own slots or on
 * kvm-clock's pages (vmm_clock_kvm.c).
 *
 * Our own implementation of the pvclock read (pvclock_clocksource_read()
 * is not exported): a bounded version-protocol snapshot of this CPU's
 * slot, scaled by vmm_clock_math.h, then a global monotonic guard. The
 * guard stays although vmm claims TSC_STABLE: every VM entry re-anchors
 * system_time to the host's nanouptime, which may run slower than the
 * truncated mul predicts, and slots of different CPUs are re-anchored at
 * different moments.
 */
#include <linux/atomic.h>
#include <linux/clocksource.h>
#include <linux/module.h>
#include <linux/hardirq.h>
#include <linux/preempt.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmm_clock.h"

/*
 * Bound on snapshot attempts. An update takes the host well under a
 * microsecond, but a host thread preempted mid-update leaves the version
 * odd for a scheduler tick or more; 10000 attempts (tens to hundreds of
 * microseconds) ride out short stalls, and vmm_clock_gave_up keeps a long
 * stall from costing that much on every read.
 */
#define VMM_CLOCK_READ_TRIES	10000

#define VMM_CLOCK_RATING		400	/* as kvm-clock: above hpet, acpi_pm */
#define VMM_CLOCK_RATING_OVER_KVM	401	/* the guarded read wins over kvm-clock */
#define VMM_CLOCK_RATING_DEFER		299	/* just below tsc (300) */

DEFINE_PER_CPU(struct vmm_clock_stats, vmm_clock_stats);

/*
 * The odd version this CPU last gave up on, per slot: while the host stays
 * stuck on that very version, later reads give up at once instead of
 * spinning through the whole budget again.
 */
struct vmm_clock_gave_up {
	const struct pvclock_time_info *ti;
	u32 version;
};

static DEFINE_PER_CPU(struct vmm_clock_gave_up, vmm_clock_gave_up);

/* Highest value ever returned; the floor of every reading. */
static atomic64_t vmm_clock_last = ATOMIC64_INIT(0);

/*
 * One consistent reading of @ti, in ns, or false after
 * VMM_CLOCK_READ_TRIES attempts found the host mid-update.
 */
static bool notrace vmm_clock_snapshot(const struct pvclock_time_info *ti,
				       u64 *ns)
{
	struct vmm_clock_gave_up *gave_up = this_cpu_ptr(&vmm_clock_gave_up);
	unsigned int tries;
	u32 before = 0;

	for (tries = 0; tries < VMM_CLOCK_READ_TRIES; tries++) {
		u32 after, mul;
		u64 stamp, system_time, tsc;
		s8 shift;

		before = READ_ONCE(ti->ti_version);
		if (unlikely(vmm_clock_version_busy(before) &&
			     gave_up->ti == ti && gave_up->version == before))
			return false;
		/*
		 * Version before the fields: pairs with the host making the
		 * version odd before it writes them.
		 */
		virt_rmb();
		stamp = READ_ONCE(ti->ti_tsc_timestamp);
		system_time = READ_ONCE(ti->ti_system_time);
		mul = READ_ONCE(ti->ti_tsc_to_system_mul);
		shift = READ_ONCE(ti->ti_tsc_shift);
		tsc = rdtsc_ordered();
		/*
		 * Fields before the re-check: pairs with the host making the
		 * version even only after the fields are written.
		 */
		virt_rmb();
		after = READ_ONCE(ti->ti_version);
		if (likely(vmm_clock_version_ok(before, after))) {
			*ns = vmm_clock_ti_ns(tsc, stamp, system_time, mul,
					      shift);
			return true;
		}
		this_cpu_inc(vmm_clock_stats.retries);
		cpu_relax();
	}
	if (vmm_clock_version_busy(before)) {
		gave_up->ti = ti;
		gave_up->version = before;
	}
	return false;
}

static bool notrace vmm_clock_ti_filled(const struct pvclock_time_info *ti)
{
	return READ_ONCE(ti->ti_version) != 0;
}

/*
 * On kvm-clock's pages: this CPU's once the host filled it. A CPU coming
 * online may read before kvm-clock registered it; then CPU 0's page,
 * which is what kvm-clock's vDSO reads on every CPU anyway.
 */
static const struct pvclock_time_info *notrace vmm_clock_pick_kvm_ti(unsigned int cpu)
{
	const struct pvclock_time_info *own = vmm_clock_kvm_ti(cpu);
	const struct pvclock_time_info *boot;

	if (likely(own && vmm_clock_ti_filled(own)))
		return own;
	this_cpu_inc(vmm_clock_stats.fallback_reads);
	boot = vmm_clock_kvm_ti(0);
	if (vmm_clock_host.stable && boot && vmm_clock_ti_filled(boot))
		return boot;
	return NULL;
}

/*
 * The slot to read on @cpu: its own once registered and filled. Before
 * that (a CPU coming online reads the clock before our cpuhp callback
 * ran) use a live CPU's slot, as the vDSO reads CPU0's, which is sound
 * because the host promises a stable, synchronised TSC. With nothing live
 * (after the reboot notifier, during suspend) a filled slot still
 * extrapolates correctly from its last anchor.
 */
static const struct pvclock_time_info *notrace vmm_clock_pick_ti(unsigned int cpu)
{
	const struct pvclock_time_info *own;
	unsigned int other;

	if (vmm_clock_host.on_kvm_pages)
		return vmm_clock_pick_kvm_ti(cpu);
	own = vmm_clock_ti(cpu);
	if (likely(cpumask_test_cpu(cpu, &vmm_clock_live_mask) &&
		   vmm_clock_ti_filled(own)))
		return own;
	/* Suspended here, resumed elsewhere (suspend-to-idle): come back. */
	if (unlikely(vmm_clock_this_cpu_suspended()) && !in_nmi()) {
		vmm_clock_resume_this_cpu();
		if (cpumask_test_cpu(cpu, &vmm_clock_live_mask) &&
		    vmm_clock_ti_filled(own))
			return own;
	}
	this_cpu_inc(vmm_clock_stats.fallback_reads);
	other = cpumask_first(&vmm_clock_live_mask);
	if (vmm_clock_host.stable && other < nr_cpu_ids &&
	    vmm_clock_ti_filled(vmm_clock_ti(other)))
		return vmm_clock_ti(other);
	if (vmm_clock_ti_filled(own))
		return own;
	return NULL;
}

/* The first live CPU's slot, or CPU 0's kvm-clock page (diagnostics). */
const struct pvclock_time_info *vmm_clock_first_live_ti(void)
{
	unsigned int cpu;

	if (vmm_clock_host.on_kvm_pages)
		return vmm_clock_kvm_ti(0);
	cpu = cpumask_first(&vmm_clock_live_mask);
	return cpu < nr_cpu_ids ? vmm_clock_ti(cpu) : NULL;
}

/* The page @cpu reads when its own is live (diagnostics), or NULL. */
const struct pvclock_time_info *vmm_clock_cpu_ti(unsigned int cpu)
{
	if (vmm_clock_host.on_kvm_pages)
		return vmm_clock_kvm_ti(cpu);
	return vmm_clock_ti(cpu);
}

u64 notrace vmm_clock_read_ns(void)
{
	const struct pvclock_time_info *ti;
	s64 last;
	u64 ns;

	preempt_disable_notrace();
	ti = vmm_clock_pick_ti(smp_processor_id());
	if (unlikely(!ti)) {
		this_cpu_inc(vmm_clock_stats.unfilled_reads);
		ns = atomic64_read(&vmm_clock_last);
		goto out;
	}
	if (unlikely(!vmm_clock_snapshot(ti, &ns))) {
		/* Host stuck mid-update: a bounded, monotonic answer. */
		this_cpu_inc(vmm_clock_stats.odd_timeouts);
		ns = atomic64_read(&vmm_clock_last);
		goto out;
	}
	last = atomic64_read(&vmm_clock_last);
	do {
		if (!vmm_clock_advances(ns, last)) {
			if (vmm_clock_is_backward(ns, last))
				this_cpu_inc(vmm_clock_stats.clamps);
			ns = last;
			break;
		}
	} while (!atomic64_try_cmpxchg(&vmm_clock_last, &last, ns));
out:
	preempt_enable_notrace();
	return ns;
}

static u64 notrace vmm_clock_cs_read(struct clocksource *cs)
{
	return vmm_clock_read_ns();
}

/*
 * timekeeping_suspend() calls this with interrupts off: for suspend to RAM
 * and hibernation on the last CPU standing (the others went through cpuhp
 * teardown), for suspend-to-idle on the last CPU to freeze.
 */
static void vmm_clock_cs_suspend(struct clocksource *cs)
{
	/* kvm-clock's syscore suspend disables its own pages. */
	if (!vmm_clock_host.on_kvm_pages)
		vmm_clock_suspend_this_cpu();
}

/*
 * timekeeping_resume() calls this before it reads the clock, so the boot
 * CPU's slot is live again in time. The host may have restarted its uptime
 * meanwhile; timekeeping re-bases after resume (we are not SUSPEND_NONSTOP)
 * so the guard restarts from scratch instead of freezing the clock.
 * kvm-clock re-registers its boot CPU page while the CPU state is restored,
 * before timekeeping resumes.
 */
static void vmm_clock_cs_resume(struct clocksource *cs)
{
	if (!vmm_clock_host.on_kvm_pages)
		vmm_clock_resume_this_cpu();
	atomic64_set(&vmm_clock_last, 0);
}

static struct clocksource vmm_clock_cs = {
	.name		= "vmm-clock",
	.rating		= VMM_CLOCK_RATING,
	.read		= vmm_clock_cs_read,
	.mask		= CLOCKSOURCE_MASK(64),
	.flags		= CLOCK_SOURCE_IS_CONTINUOUS,
	.suspend	= vmm_clock_cs_suspend,
	.resume		= vmm_clock_cs_resume,
	/* No vDSO mode: the pvclock vvar page cannot be set from a module. */
	.vdso_clock_mode = VDSO_CLOCKMODE_NONE,
	/* Pins the module while this is the current clocksource. */
	.owner		= THIS_MODULE,
};

/*
 * Like kvm-clock: an invariant TSC that nobody marked unstable is the
 * better clock (it has the vDSO), so stay just below it. Otherwise, next
 * to kvm-clock, rate just above it: kvm-clock trusts vmm's stable claim
 * and reads without a guard, so host slew makes it step backward.
 */
int vmm_clock_rating(void)
{
	if (vmm_clock_defer_to_tsc &&
	    boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	    boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable())
		return VMM_CLOCK_RATING_DEFER;
	if (vmm_clock_host.on_kvm_pages)
		return VMM_CLOCK_RATING_OVER_KVM;
	return VMM_CLOCK_RATING;
}

int vmm_clock_cs_init(void)
{
	vmm_clock_cs.rating = vmm_clock_rating();
	/* 1 GHz: the counter is in nanoseconds. */
	return clocksource_register_hz(&vmm_clock_cs, NSEC_PER_SEC);
}

/*
 * Cannot fail while a module reference pins us as current; as the watchdog
 * the core falls back to (refined-)jiffies.
 */
void vmm_clock_cs_uninit(void)
{
	int ret = clocksource_unregister(&vmm_clock_cs);

	if (ret)
		pr_err("clocksource_unregister failed (%d)\n", ret);
}
