/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface between the vmm_clock objects. Each concern is a
 * vmm_clock_<concern>.c with an _init()/_uninit() pair that
 * vmm_clock_main.c calls in order and unwinds in reverse.
 */
#ifndef VMM_CLOCK_H
#define VMM_CLOCK_H

#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/time64.h>
#include <linux/types.h>

#include "vmm_clock_abi.h"
#include "vmm_clock_math.h"

/* Module parameters (vmm_clock_main.c). */
extern bool vmm_clock_allow_kvm;
extern bool vmm_clock_defer_to_tsc;
extern bool vmm_clock_set_time;
extern bool vmm_clock_keep_kvmclock;

/* What detection found (vmm_clock_detect.c). */
struct vmm_clock_host {
	u32 base;		/* CPUID leaf with the signature we use */
	u32 features;		/* EAX of base + 1 */
	u32 kvm_base;		/* KVM signature leaf, 0 if none */
	bool is_kvm;		/* accepted the KVM signature (allow_kvm) */
	bool stable;		/* CLOCKSOURCE_STABLE_BIT advertised */
	bool on_kvm_pages;	/* kvm-clock owns the MSR: read its pages */
};

extern struct vmm_clock_host vmm_clock_host;
int vmm_clock_detect(void);

/* Reading the pages in-tree kvm-clock registered (kvm.c). */
bool vmm_clock_kvmclock_active(void);
const struct pvclock_time_info *vmm_clock_kvm_ti(unsigned int cpu);
int vmm_clock_kvm_init(void);

/* Host-written pages, per-CPU registration, hotplug, reboot (pages.c). */
struct vmm_clock_cpu {
	unsigned long registrations;	/* MSR writes with the enable bit */
	unsigned long disables;		/* MSR writes of 0 */
	unsigned long msr_errors;	/* WRMSR faulted */
};

DECLARE_PER_CPU(struct vmm_clock_cpu, vmm_clock_cpu);
extern struct cpumask vmm_clock_live_mask;

int vmm_clock_pages_init(void);
void vmm_clock_pages_uninit(void);
int vmm_clock_cpuhp_init(void);
void vmm_clock_cpuhp_uninit(void);
int vmm_clock_reboot_init(void);
void vmm_clock_reboot_uninit(void);

#define VMM_CLOCK_SLOT_SIZE	64
extern void *vmm_clock_area;

/* Inline: the read path calls it on every read. */
static inline struct pvclock_time_info *vmm_clock_ti(unsigned int cpu)
{
	return vmm_clock_area + (size_t)cpu * VMM_CLOCK_SLOT_SIZE;
}

void vmm_clock_suspend_this_cpu(void);
void vmm_clock_resume_this_cpu(void);
bool vmm_clock_this_cpu_suspended(void);

/* Read path and the clocksource (read.c). */
struct vmm_clock_stats {
	unsigned long retries;		/* snapshot torn or odd: read again */
	unsigned long clamps;		/* reading behind the guard: returned it */
	unsigned long ceilings;		/* reading ahead of the TSC ceiling */
	unsigned long odd_timeouts;	/* gave up: returned the last value */
	unsigned long fallback_reads;	/* own page not live: used another */
	unsigned long unfilled_reads;	/* no filled page at all */
	unsigned long pauses;		/* host pauses seen (pause.c) */
};

DECLARE_PER_CPU(struct vmm_clock_stats, vmm_clock_stats);

u64 vmm_clock_read_ns(void);
u64 vmm_clock_read_unguarded_ns(void);
u64 vmm_clock_read_nothing(void);
int vmm_clock_guard_init(void);
void vmm_clock_guard_uninit(void);
int vmm_clock_rating(void);
int vmm_clock_cs_init(void);
void vmm_clock_cs_uninit(void);
const struct pvclock_time_info *vmm_clock_first_live_ti(void);
const struct pvclock_time_info *vmm_clock_cpu_ti(unsigned int cpu);

/* Host pauses (pause.c). */
#define VMM_CLOCK_PAUSE_NS	(5ULL * NSEC_PER_SEC)
DECLARE_PER_CPU(bool, vmm_clock_pause_touch);
extern bool vmm_clock_pause_armed;	/* while vmm-clock is current */
void vmm_clock_pause_noted(u64 gap_ns);
void vmm_clock_pause_catch_up(void);
void vmm_clock_pause_uninit(void);

/* Inline: every read looks, with preemption disabled. */
static __always_inline void vmm_clock_pause_check(void)
{
	if (unlikely(__this_cpu_read(vmm_clock_pause_touch)))
		vmm_clock_pause_catch_up();
}

/* Host wall clock (wall.c). */
extern bool vmm_clock_wall_present;
int vmm_clock_wall_init(void);
void vmm_clock_wall_uninit(void);
int vmm_clock_wall_read(struct timespec64 *boot, struct timespec64 *now);

/* Diagnostics (debugfs.c). */
void vmm_clock_debugfs_init(void);
void vmm_clock_debugfs_uninit(void);

#endif /* VMM_CLOCK_H */
