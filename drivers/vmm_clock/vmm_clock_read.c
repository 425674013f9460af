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
 *
 * The guard is one value, the largest ever returned, on a cache line of
 * its own (with only the TSC beside it), read first: a reading at or
 * below it returns it without writing, and only a reading beyond it is
 * published, with a compare-and-exchange (without a bus lock where the
 * guest can only have one CPU). Beside it, where the ceiling starts.
 *
 * Beside the floor, a ceiling (vmm_clock_math.h): no reading may run
 * ahead of the ceiling's start (about the last value returned) by more
 * than the host's rate at load plus 1/16, on the TSC. A host can lie
 * about the time; it cannot throw the clock years ahead.
 */
#include <linux/atomic.h>
#include <linux/clocksource.h>
#include <linux/delay.h>
#include <linux/hardirq.h>
#include <linux/irq_work.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/jiffies.h>
#include <linux/jump_label.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/pvclock.h>
#include <asm/kvmclock.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmm_clock.h"

/*
 * Bounds on one read's snapshot attempts: VMM_CLOCK_READ_SPIN_US of TSC
 * time, and VMM_CLOCK_READ_TRIES attempts whatever the TSC does. An
 * update takes the host well under a microsecond; a host thread
 * preempted mid-update leaves the version odd for a scheduler tick or
 * more, and then the read returns the floor (time pauses) rather than
 * spin. vmm_clock_gave_up keeps a long stall from costing the budget on
 * every read, and the time bound keeps a host that changes the version
 * all the time from making every read slow.
 */
#define VMM_CLOCK_READ_TRIES	10000
#define VMM_CLOCK_READ_SPIN_US	50

#define VMM_CLOCK_GUARD_INIT_TRIES	200	/* about 200 ms */

#define VMM_CLOCK_RATING		400	/* as kvm-clock: above hpet, acpi_pm */
#define VMM_CLOCK_RATING_OVER_KVM	401	/* the guarded read wins over kvm-clock */
#define VMM_CLOCK_RATING_DEFER		299	/* just below tsc (300) */

DEFINE_PER_CPU(struct vmm_clock_stats, vmm_clock_stats);

/* This CPU's kvm-clock page, without a call into vmm_clock_kvm.c. */
#ifdef CONFIG_KVM_GUEST
static __always_inline const struct pvclock_time_info *
vmm_clock_this_kvm_ti(void)
{
	struct pvclock_vsyscall_time_info *p = this_cpu_read(hv_clock_per_cpu);

	/* Same layout: vmm_clock_kvm_ti() checks it at build time. */
	return p ? (const struct pvclock_time_info *)&p->pvti : NULL;
}
#else
static __always_inline const struct pvclock_time_info *
vmm_clock_this_kvm_ti(void)
{
	return NULL;
}
#endif

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

/*
 * The guard: the largest value returned on any CPU (0: none since load
 * or resume) and the TSC of the reading it came from. Alone on its line.
 */
struct vmm_clock_last {
	atomic64_t ns;		/* whole on 32-bit too */
	u64 line_ns;		/* the ceiling runs from here, */
	u64 line_tsc;		/* at this TSC */
} ____cacheline_aligned_in_smp;

static struct vmm_clock_last vmm_clock_last;

/*
 * A guest that can only ever have one CPU (vmd gives every VM one vCPU)
 * publishes without a bus lock: a cmpxchg without LOCK is one instruction
 * on the only CPU that reads, so its interrupts and NMIs cannot split it.
 */
static DEFINE_STATIC_KEY_FALSE(vmm_clock_one_cpu);

/* VMM_CLOCK_READ_SPIN_US in TSC cycles (no bound but the count if 0). */
static u64 vmm_clock_spin_cycles __read_mostly = U64_MAX;

/* The ceiling's rate (vmm_clock_ceiling_params()), fixed at load. */
static u32 vmm_clock_ceil_mul __read_mostly;
static s8 vmm_clock_ceil_shift __read_mostly;

/* One consistent reading of a page. */
struct vmm_clock_reading {
	u64 ns;
	u64 tsc;
	u32 mul;
	s8 shift;
};

/*
 * One consistent reading of @ti, or false after VMM_CLOCK_READ_TRIES
 * attempts found the host mid-update.
 */
static __always_inline bool vmm_clock_snapshot(const struct pvclock_time_info *ti,
					       struct vmm_clock_reading *r)
{
	struct vmm_clock_gave_up *gave_up = this_cpu_ptr(&vmm_clock_gave_up);
	unsigned int tries;
	u64 first_tsc = 0;
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
			r->ns = vmm_clock_ti_ns(tsc, stamp, system_time, mul,
						shift);
			r->tsc = tsc;
			r->mul = mul;
			r->shift = shift;
			return true;
		}
		this_cpu_inc(vmm_clock_stats.retries);
		if (!tries)
			first_tsc = tsc;
		else if (tsc - first_tsc > vmm_clock_spin_cycles)
			break;
		cpu_relax();
	}
	if (vmm_clock_version_busy(before)) {
		gave_up->ti = ti;
		gave_up->version = before;
	}
	return false;
}

static __always_inline bool vmm_clock_ti_filled(const struct pvclock_time_info *ti)
{
	return READ_ONCE(ti->ti_version) != 0;
}

/*
 * On kvm-clock's pages: this CPU's once the host filled it. A CPU coming
 * online may read before kvm-clock registered it; then CPU 0's page,
 * which is what kvm-clock's vDSO reads on every CPU anyway.
 */
static __always_inline const struct pvclock_time_info *
vmm_clock_pick_kvm_ti(void)
{
	const struct pvclock_time_info *own = vmm_clock_this_kvm_ti();
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
static __always_inline const struct pvclock_time_info *
vmm_clock_pick_ti(unsigned int cpu)
{
	const struct pvclock_time_info *own;
	unsigned int other;

	if (vmm_clock_host.on_kvm_pages)
		return vmm_clock_pick_kvm_ti();
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

/*
 * The largest value returned so far, and the ceiling's start. TSC before
 * value, pairing with the publisher's value-after-TSC: a TSC newer than
 * its value's only tightens the ceiling.
 */
static __always_inline u64 vmm_clock_floor(u64 *line_ns, u64 *line_tsc)
{
	u64 ns = atomic64_read(&vmm_clock_last.ns);

	*line_tsc = READ_ONCE(vmm_clock_last.line_tsc);
	/* The line's TSC before its value (vmm_clock_publish()). */
	smp_rmb();
	*line_ns = READ_ONCE(vmm_clock_last.line_ns);
	return ns;
}

/* Move the guard from *@old to @ns, or say what it holds now. */
static __always_inline bool vmm_clock_guard_try(s64 *old, u64 ns)
{
	s64 seen;

	if (!static_branch_likely(&vmm_clock_one_cpu))
		return atomic64_try_cmpxchg(&vmm_clock_last.ns, old, ns);
	seen = cmpxchg64_local(&vmm_clock_last.ns.counter, *old, (s64)ns);
	if (seen == *old)
		return true;
	*old = seen;
	return false;
}

/*
 * Publish @ns, read at @tsc, if it is still beyond the largest value
 * returned; the value that is returned: @ns, or a larger one another
 * reader published meanwhile. Then restart the ceiling at @tsc: from
 * @ns, but no lower than @ceil (where the ceiling stood) less a
 * sixteenth of its rise since its last start. A host that keeps sending
 * values just above the guard thus cannot pull the ceiling far below
 * real time (0.4% of the time at most), and honest readings afterwards
 * are caught up at 6.25% from there only.
 * A racing publisher leaves a line a few instructions off.
 */
static __always_inline u64 vmm_clock_publish(u64 last, u64 ns, u64 tsc,
					     u64 ceil, u64 line_ns)
{
	s64 old = last;
	u64 line;

	do {
		if (!vmm_clock_advances(ns, old))
			return old;
	} while (!vmm_clock_guard_try(&old, ns));
	/* Only the CPU that replaces the stale value takes it for a pause. */
	if (unlikely(old && ns - old > VMM_CLOCK_PAUSE_NS &&
		     READ_ONCE(vmm_clock_pause_armed)))
		vmm_clock_pause_noted(ns - old);
	/* A saturated ceiling (an absurd TSC delta) restarts from @ns. */
	line = ceil == ~0ull ? ns : ceil - ((ceil - line_ns) >> 4);
	WRITE_ONCE(vmm_clock_last.line_tsc, tsc);
	/* The TSC before the value: see vmm_clock_floor(). */
	smp_wmb();
	WRITE_ONCE(vmm_clock_last.line_ns, max(line, ns));
	return ns;
}

/*
 * Reported from an irq_work, never from the read itself: the read runs
 * inside timekeeping's write section, where printk could wait for a
 * clock that cannot move. One line per VMM_CLOCK_REPORT_SECS at most;
 * the read only queues the work once that much time has passed.
 */
#define VMM_CLOCK_REPORT_SECS	10
/*
 * Pages of different CPUs are anchored a little apart (the host samples
 * its clock and the TSC one after the other), so two reads on two CPUs
 * close together can meet the ceiling by a few hundred ns with an honest
 * host. Only a reading further ahead than this is reported.
 */
#define VMM_CLOCK_LIE_NS	(1000 * 1000)

static atomic_t vmm_clock_report_pending = ATOMIC_INIT(0);
static unsigned long vmm_clock_report_next;	/* jiffies */

static void vmm_clock_report(struct irq_work *work)
{
	unsigned long ceil = 0, odd = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		ceil += READ_ONCE(per_cpu(vmm_clock_stats.ceilings, cpu));
		odd += READ_ONCE(per_cpu(vmm_clock_stats.odd_timeouts, cpu));
	}
	pr_warn("host pvclock implausible: %lu readings ahead of the TSC held back, %lu reads gave up on an odd version (since load)\n",
		ceil, odd);
	WRITE_ONCE(vmm_clock_report_next,
		   jiffies + VMM_CLOCK_REPORT_SECS * HZ);
	atomic_set(&vmm_clock_report_pending, 0);
}

static DEFINE_IRQ_WORK(vmm_clock_report_work, vmm_clock_report);

static void notrace vmm_clock_host_lied(void)
{
	if (time_after_eq(jiffies, READ_ONCE(vmm_clock_report_next)) &&
	    !atomic_read(&vmm_clock_report_pending) &&
	    !atomic_xchg(&vmm_clock_report_pending, 1))
		irq_work_queue(&vmm_clock_report_work);
}

/*
 * Everything the read calls is inlined: under TCG, as on hardware with
 * return thunks, each call and return costs about as much as the rest.
 */
static __always_inline u64 vmm_clock_read(void)
{
	const struct pvclock_time_info *ti;
	struct vmm_clock_reading r;
	u64 last, line_ns, line_tsc, ceil, ns;

	preempt_disable_notrace();
	ti = vmm_clock_pick_ti(smp_processor_id());
	if (unlikely(!ti)) {
		this_cpu_inc(vmm_clock_stats.unfilled_reads);
		ns = vmm_clock_floor(&line_ns, &line_tsc);
		goto out;
	}
	if (unlikely(!vmm_clock_snapshot(ti, &r))) {
		/* Host stuck mid-update: a bounded, monotonic answer. */
		this_cpu_inc(vmm_clock_stats.odd_timeouts);
		vmm_clock_host_lied();
		ns = vmm_clock_floor(&line_ns, &line_tsc);
		goto out;
	}
	last = vmm_clock_floor(&line_ns, &line_tsc);
	if (!vmm_clock_advances(r.ns, last)) {
		if (vmm_clock_is_backward(r.ns, last))
			this_cpu_inc(vmm_clock_stats.clamps);
		ns = last;
		goto out;
	}
	ns = r.ns;
	/* Nothing published yet (resume): the first reading anchors. */
	if (unlikely(!last)) {
		ceil = ns;
		line_ns = ns;
	} else {
		ceil = vmm_clock_ceiling(line_ns, line_tsc, r.tsc,
					 vmm_clock_ceil_mul,
					 vmm_clock_ceil_shift);
		if (unlikely(ns > ceil)) {
			this_cpu_inc(vmm_clock_stats.ceilings);
			if (ns - ceil > VMM_CLOCK_LIE_NS)
				vmm_clock_host_lied();
			ns = ceil;
			if (ns <= last) {
				ns = last;
				goto out;
			}
		}
	}
	ns = vmm_clock_publish(last, ns, r.tsc, ceil, line_ns);
out:
	vmm_clock_pause_check();
	preempt_enable_notrace();
	return ns;
}

/* Forget the guard: the next reading anchors afresh. */
static void vmm_clock_guard_reset(void)
{
	atomic64_set(&vmm_clock_last.ns, 0);
	WRITE_ONCE(vmm_clock_last.line_tsc, 0);
	WRITE_ONCE(vmm_clock_last.line_ns, 0);
}

/*
 * The guard's start and the ceiling's rate, from the page this CPU reads
 * now, which setup has just found sane. Before the first read (the wall
 * clock's at load).
 */
int vmm_clock_guard_init(void)
{
	const struct pvclock_time_info *ti;
	struct vmm_clock_reading r;
	unsigned int tries;
	bool ok = false;

	if (tsc_khz)
		vmm_clock_spin_cycles = div_u64((u64)tsc_khz * VMM_CLOCK_READ_SPIN_US,
						USEC_PER_MSEC);
	/* A CPU's page may still be filling: give it the fill check's time. */
	for (tries = 0; tries < VMM_CLOCK_GUARD_INIT_TRIES; tries++) {
		preempt_disable();
		ti = vmm_clock_pick_ti(smp_processor_id());
		ok = ti && vmm_clock_snapshot(ti, &r) &&
		     vmm_clock_params_valid(r.mul, r.shift);
		preempt_enable();
		if (ok)
			break;
		usleep_range(1000, 2000);
	}
	if (!ok) {
		pr_info("no consistent pvclock reading at load; not registering\n");
		return -ENODEV;
	}
	if (num_possible_cpus() == 1)
		static_branch_enable(&vmm_clock_one_cpu);
	vmm_clock_ceiling_params(r.mul, r.shift, &vmm_clock_ceil_mul,
				 &vmm_clock_ceil_shift);
	/* Readings on every CPU are bounded from this one on. */
	vmm_clock_last.line_tsc = r.tsc;
	vmm_clock_last.line_ns = r.ns;
	atomic64_set(&vmm_clock_last.ns, r.ns);
	return 0;
}

void vmm_clock_guard_uninit(void)
{
	vmm_clock_pause_uninit();
	irq_work_sync(&vmm_clock_report_work);
}

u64 notrace vmm_clock_read_ns(void)
{
	return vmm_clock_read();
}

/*
 * For the bench: the page read alone, without the guard, which is what a
 * reader that trusts the host's TSC_STABLE claim pays (kvm-clock).
 */
u64 notrace vmm_clock_read_unguarded_ns(void)
{
	const struct pvclock_time_info *ti;
	struct vmm_clock_reading r = { 0 };

	preempt_disable_notrace();
	ti = vmm_clock_pick_ti(smp_processor_id());
	if (ti)
		vmm_clock_snapshot(ti, &r);
	preempt_enable_notrace();
	return r.ns;
}

/* For the bench: the cost of the call itself. */
u64 notrace vmm_clock_read_nothing(void)
{
	return 1;
}

static u64 notrace vmm_clock_cs_read(struct clocksource *cs)
{
	return vmm_clock_read();
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
	vmm_clock_guard_reset();
}

/*
 * Pauses count only while we are the current clocksource: otherwise
 * nobody reads us at every tick, and a gap means nothing. The read here
 * brings the guard up to date first (timekeeping calls these from
 * stop_machine, where reading the clock is fine).
 */
static int vmm_clock_cs_enable(struct clocksource *cs)
{
	vmm_clock_read();
	WRITE_ONCE(vmm_clock_pause_armed, true);
	return 0;
}

static void vmm_clock_cs_disable(struct clocksource *cs)
{
	WRITE_ONCE(vmm_clock_pause_armed, false);
}

static struct clocksource vmm_clock_cs = {
	.name		= "vmm-clock",
	.enable		= vmm_clock_cs_enable,
	.disable	= vmm_clock_cs_disable,
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
