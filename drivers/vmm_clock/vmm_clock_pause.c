// SPDX-License-Identifier: GPL-2.0
/*
 * Host pauses. A host that stops the whole VM (vmctl pause, a snapshot, a
 * host under memory pressure) lets the guest see the time it lost, as it
 * should: the TSC ran on. But every CPU's soft-lockup watchdog then finds
 * itself untouched for that long and reports a lockup that never was.
 * KVM's host says that it stopped the VM (PVCLOCK_GUEST_STOPPED), and the
 * guest touches its watchdogs; vmm never says so.
 *
 * So the read takes a time in which no CPU returned a clock value for
 * VMM_CLOCK_PAUSE_NS, while vmm-clock was the current clocksource, as a
 * pause: a busy CPU reads the clock at every tick and an idle one at
 * least at every soft-lockup watchdog period (4 s by default), so only a
 * stopped VM, or every CPU stuck with interrupts off, leaves such a gap.
 * Each CPU touches its own watchdog at its first read after the pause: on
 * a CPU woken by its timer that is the timer interrupt's own read, before
 * the watchdog's check runs in it. With the watchdog off an idle guest
 * may go quiet that long too; touching it then costs nothing, and the
 * message says what was seen, not more. RCU's stall warning is left alone
 * (no module can reset it), so a real stall of every CPU still shows.
 */
#include <linux/irq_work.h>
#include <linux/math64.h>
#include <linux/nmi.h>
#include <linux/percpu.h>
#include <linux/printk.h>

#include "vmm_clock.h"

DEFINE_PER_CPU(bool, vmm_clock_pause_touch);
bool vmm_clock_pause_armed;

static u64 vmm_clock_pause_gap_ns;

/* Not from the read: it may run inside timekeeping's write section. */
static void vmm_clock_pause_report(struct irq_work *work)
{
	u64 gap = READ_ONCE(vmm_clock_pause_gap_ns);
	u32 ns;
	u64 secs = div_u64_rem(gap, NSEC_PER_SEC, &ns);

	pr_info_ratelimited("no CPU read the clock for %llu.%03u s: taken for a host pause, soft-lockup watchdogs touched\n",
			    secs, (u32)(ns / NSEC_PER_MSEC));
}

static DEFINE_IRQ_WORK(vmm_clock_pause_work, vmm_clock_pause_report);

/* Once per pause, so each read needs to look at its own CPU's flag only. */
void notrace vmm_clock_pause_noted(u64 gap_ns)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(vmm_clock_pause_touch, cpu), true);
	this_cpu_inc(vmm_clock_stats.pauses);
	reset_hung_task_detector();
	WRITE_ONCE(vmm_clock_pause_gap_ns, gap_ns);
	irq_work_queue(&vmm_clock_pause_work);
}

void notrace vmm_clock_pause_catch_up(void)
{
	__this_cpu_write(vmm_clock_pause_touch, false);
	touch_softlockup_watchdog();
}

void vmm_clock_pause_uninit(void)
{
	WRITE_ONCE(vmm_clock_pause_armed, false);
	irq_work_sync(&vmm_clock_pause_work);
}
