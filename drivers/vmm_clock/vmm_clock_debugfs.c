// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics under /sys/kernel/debug/vmm_clock/ (described in
 * Documentation/vmm_clock.md): what the host offers, what each CPU
 * registered, and counters of every unusual path of the read.
 */
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmm_clock.h"

#define VMM_CLOCK_BENCH_READS	1000000

static struct dentry *vmm_clock_debugfs_dir;

static void vmm_clock_sum_stats(struct vmm_clock_stats *sum)
{
	unsigned int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vmm_clock_stats *s = per_cpu_ptr(&vmm_clock_stats,
							      cpu);

		sum->retries += READ_ONCE(s->retries);
		sum->clamps += READ_ONCE(s->clamps);
		sum->ceilings += READ_ONCE(s->ceilings);
		sum->odd_timeouts += READ_ONCE(s->odd_timeouts);
		sum->fallback_reads += READ_ONCE(s->fallback_reads);
		sum->unfilled_reads += READ_ONCE(s->unfilled_reads);
		sum->pauses += READ_ONCE(s->pauses);
	}
}

static int vmm_clock_status_show(struct seq_file *m, void *unused)
{
	const struct vmm_clock_host *h = &vmm_clock_host;
	const struct pvclock_time_info *ti = vmm_clock_first_live_ti();
	struct vmm_clock_stats sum;
	u32 mul = 0;
	s8 shift = 0;
	u8 flags = 0;

	if (ti) {
		mul = READ_ONCE(ti->ti_tsc_to_system_mul);
		shift = READ_ONCE(ti->ti_tsc_shift);
		flags = READ_ONCE(ti->ti_flags);
	}
	vmm_clock_sum_stats(&sum);
	seq_printf(m, "pages %s\n",
		   h->on_kvm_pages ? "kvm-clock" : "own");
	seq_printf(m, "signature %s\n",
		   h->is_kvm ? "KVMKVMKVM" : VMM_HV_SIGNATURE);
	seq_printf(m, "cpuid_base 0x%08x\n", h->base);
	seq_printf(m, "kvm_leaf 0x%08x\n", h->kvm_base);
	seq_printf(m, "host_features 0x%08x\n", h->features);
	seq_printf(m, "host_stable %d\n", h->stable);
	seq_printf(m, "ti_flags 0x%02x\n", flags);
	seq_printf(m, "mul %u\n", mul);
	seq_printf(m, "shift %d\n", shift);
	seq_printf(m, "host_tsc_khz %llu\n", vmm_clock_tsc_khz(mul, shift));
	seq_printf(m, "guest_tsc_khz %u\n", tsc_khz);
	seq_printf(m, "rating %d\n", vmm_clock_rating());
	seq_printf(m, "live_cpus %*pbl\n", cpumask_pr_args(&vmm_clock_live_mask));
	seq_printf(m, "wall_clock %d\n", vmm_clock_wall_present);
	seq_printf(m, "retries %lu\n", sum.retries);
	seq_printf(m, "clamps %lu\n", sum.clamps);
	seq_printf(m, "odd_timeouts %lu\n", sum.odd_timeouts);
	seq_printf(m, "fallback_reads %lu\n", sum.fallback_reads);
	seq_printf(m, "unfilled_reads %lu\n", sum.unfilled_reads);
	seq_printf(m, "pauses %lu\n", sum.pauses);
	seq_printf(m, "ceilings %lu\n", sum.ceilings);
	seq_printf(m, "now_ns %llu\n", vmm_clock_read_ns());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmm_clock_status);

static int vmm_clock_cpus_show(struct seq_file *m, void *unused)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		const struct vmm_clock_cpu *c = per_cpu_ptr(&vmm_clock_cpu, cpu);
		const struct pvclock_time_info *ti = vmm_clock_cpu_ti(cpu);

		seq_printf(m, "cpu%u live=%d registrations=%lu disables=%lu msr_errors=%lu",
			   cpu, cpumask_test_cpu(cpu, &vmm_clock_live_mask),
			   c->registrations, c->disables, c->msr_errors);
		if (!ti) {
			seq_puts(m, " version=0 mul=0 shift=0 flags=0x00\n");
			continue;
		}
		seq_printf(m, " version=%u mul=%u shift=%d flags=0x%02x\n",
			   READ_ONCE(ti->ti_version),
			   READ_ONCE(ti->ti_tsc_to_system_mul),
			   READ_ONCE(ti->ti_tsc_shift), READ_ONCE(ti->ti_flags));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmm_clock_cpus);

static int vmm_clock_wall_show(struct seq_file *m, void *unused)
{
	struct timespec64 boot, now;
	int ret;

	if (!vmm_clock_wall_present)
		return -ENODEV;
	ret = vmm_clock_wall_read(&boot, &now);
	if (ret)
		return ret;
	seq_printf(m, "host_boot %lld.%09ld\n", (long long)boot.tv_sec,
		   boot.tv_nsec);
	seq_printf(m, "host_now %lld.%09ld\n", (long long)now.tv_sec,
		   now.tv_nsec);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmm_clock_wall);

/*
 * VMM_CLOCK_BENCH_READS evaluations of @expr, in ps each, timed with
 * local_clock() (sched_clock, independent of the current clocksource).
 * Preemption stays enabled between batches.
 */
#define VMM_CLOCK_BENCH_PS(expr, sink) ({				\
	u64 t0 = local_clock();						\
	unsigned int i;							\
									\
	for (i = 0; i < VMM_CLOCK_BENCH_READS; i++) {			\
		(sink) += (expr);					\
		if (!(i % 4096))					\
			cond_resched();					\
	}								\
	div_u64((local_clock() - t0) * 1000, VMM_CLOCK_BENCH_READS);	\
})

/*
 * The cost of our read and of its parts, so that the bench can say where
 * the time goes: the call alone, a bare and an ordered rdtsc, the page
 * read without the guard (what kvm-clock pays when it trusts the host's
 * TSC_STABLE claim), the whole read, and ktime_get() through whichever
 * clocksource is current. Numbers only.
 */
static int vmm_clock_bench_show(struct seq_file *m, void *unused)
{
	u64 sink = 0;

	seq_printf(m, "reads %u\n", VMM_CLOCK_BENCH_READS);
	seq_printf(m, "call_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(vmm_clock_read_nothing(), sink));
	seq_printf(m, "rdtsc_bare_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(rdtsc(), sink));
	seq_printf(m, "rdtsc_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(rdtsc_ordered(), sink));
	seq_printf(m, "unguarded_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(vmm_clock_read_unguarded_ns(), sink));
	seq_printf(m, "vmm_clock_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(vmm_clock_read_ns(), sink));
	seq_printf(m, "ktime_get_ps_per_read %llu\n",
		   VMM_CLOCK_BENCH_PS(ktime_get(), sink));
	/* Keeps the loops from being optimised away. */
	seq_printf(m, "checksum %llu\n", sink & 1);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmm_clock_bench);

/* Failures only lose diagnostics; debugfs calls take error pointers. */
void vmm_clock_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir("vmm_clock", NULL);

	vmm_clock_debugfs_dir = d;
	debugfs_create_file("status", 0444, d, NULL, &vmm_clock_status_fops);
	debugfs_create_file("cpus", 0444, d, NULL, &vmm_clock_cpus_fops);
	debugfs_create_file("wall_clock", 0444, d, NULL, &vmm_clock_wall_fops);
	debugfs_create_file("bench", 0400, d, NULL, &vmm_clock_bench_fops);
}

void vmm_clock_debugfs_uninit(void)
{
	debugfs_remove_recursive(vmm_clock_debugfs_dir);
	vmm_clock_debugfs_dir = NULL;
}
