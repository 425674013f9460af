// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the vmm_clock selftests: in-kernel readers of
 * ktime_get(), one kthread bound to each online CPU, counting readings
 * behind the thread's previous one or behind the largest value any reader
 * had published before the read began (one CPU's clock behind another's).
 * User-space readers only see the clock through the vDSO or the system
 * call; these see what timers and the scheduler's timekeeping users see.
 *
 * /sys/kernel/debug/pvkit_ktime/run:    write 1 to start, 0 to stop;
 *                                       2 counts ktime_get() calls only
 *                                       and 3 rdtsc_ordered() calls only
 *                                       (read rates for the bench: no
 *                                       shared maximum to serialise on)
 * /sys/kernel/debug/pvkit_ktime/result: per-CPU and total counts of the
 *                                       last run ("key value" per field)
 */
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>

#define PVKIT_KTIME_CHECK	1	/* monotonicity readers */
#define PVKIT_KTIME_RATE	2	/* ktime_get() only */
#define PVKIT_KTIME_RATE_TSC	3	/* rdtsc_ordered() only */

/* A line each: the counters are written on every read. */
struct pvkit_ktime_reader {
	struct task_struct *task;
	unsigned long long reads;
	unsigned long long backward;
	s64 worst_ns;
	u64 run_ns;		/* local_clock() from first to last read */
} ____cacheline_aligned;

static struct pvkit_ktime_reader *readers;	/* nr_cpu_ids entries */
static atomic64_t pvkit_ktime_max;
static DEFINE_MUTEX(pvkit_ktime_lock);	/* start/stop/result */
static bool pvkit_ktime_running;
static int pvkit_ktime_mode;
static struct dentry *pvkit_ktime_dir;

/* Read rates: nothing but the read and a count (local_clock() is TSC). */
static int pvkit_ktime_rate_thread(void *arg)
{
	struct pvkit_ktime_reader *r = arg;
	u64 t0 = local_clock(), sink = 0;

	while (!kthread_should_stop()) {
		unsigned int i;

		if (pvkit_ktime_mode == PVKIT_KTIME_RATE_TSC)
			for (i = 0; i < 256; i++)
				sink += rdtsc_ordered();
		else
			for (i = 0; i < 256; i++)
				sink += ktime_get();
		r->reads += 256;
		cond_resched();
	}
	r->run_ns = local_clock() - t0;
	/* Keeps the loops from being optimised away. */
	r->worst_ns = sink & 1;
	return 0;
}

static int pvkit_ktime_thread(void *arg)
{
	struct pvkit_ktime_reader *r = arg;
	s64 prev = 0, seen, t, d;

	while (!kthread_should_stop()) {
		seen = atomic64_read(&pvkit_ktime_max);
		/* The published maximum before the clock read. */
		smp_rmb();
		t = ktime_get();
		r->reads++;
		if (t < prev || t < seen) {
			d = max(prev, seen) - t;
			r->backward++;
			if (d > r->worst_ns)
				r->worst_ns = d;
		}
		prev = t;
		while (seen < t) {
			s64 old = atomic64_cmpxchg(&pvkit_ktime_max, seen, t);

			if (old == seen)
				break;
			seen = old;
		}
		/* Leave the CPU to the user-space readers now and then. */
		if (!(r->reads & 255))
			cond_resched();
	}
	return 0;
}

static void pvkit_ktime_stop(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (readers[cpu].task) {
			kthread_stop(readers[cpu].task);
			put_task_struct(readers[cpu].task);
			readers[cpu].task = NULL;
		}
	}
	pvkit_ktime_running = false;
}

static int pvkit_ktime_start(int mode)
{
	struct task_struct *t;
	unsigned int cpu;
	int ret = 0;

	memset(readers, 0, nr_cpu_ids * sizeof(*readers));
	pvkit_ktime_mode = mode;
	atomic64_set(&pvkit_ktime_max, 0);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		t = kthread_create(mode == PVKIT_KTIME_CHECK ?
				   pvkit_ktime_thread : pvkit_ktime_rate_thread,
				   &readers[cpu], "pvkit_ktime/%u", cpu);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		kthread_bind(t, cpu);
		/* Held so that stop never races with an exiting thread. */
		get_task_struct(t);
		readers[cpu].task = t;
		wake_up_process(t);
	}
	cpus_read_unlock();
	pvkit_ktime_running = true;
	if (ret)
		pvkit_ktime_stop();
	return ret;
}

static ssize_t pvkit_ktime_run_write(struct file *file, const char __user *buf,
				     size_t len, loff_t *ppos)
{
	unsigned int mode;
	int ret;

	ret = kstrtouint_from_user(buf, len, 10, &mode);
	if (ret)
		return ret;
	if (mode > PVKIT_KTIME_RATE_TSC)
		return -EINVAL;
	mutex_lock(&pvkit_ktime_lock);
	if (mode && !pvkit_ktime_running)
		ret = pvkit_ktime_start(mode);
	else if (!mode && pvkit_ktime_running)
		pvkit_ktime_stop();
	mutex_unlock(&pvkit_ktime_lock);
	return ret ? ret : len;
}

static const struct file_operations pvkit_ktime_run_fops = {
	.owner	= THIS_MODULE,
	.write	= pvkit_ktime_run_write,
};

static int pvkit_ktime_result_show(struct seq_file *m, void *unused)
{
	unsigned long long reads = 0, backward = 0;
	s64 worst = 0;
	unsigned int cpu;

	mutex_lock(&pvkit_ktime_lock);
	for_each_possible_cpu(cpu) {
		const struct pvkit_ktime_reader *r = &readers[cpu];

		if (!r->reads)
			continue;
		seq_printf(m, "cpu%u reads %llu backward %llu worst_ns %lld run_ns %llu\n",
			   cpu, r->reads, r->backward, r->worst_ns, r->run_ns);
		reads += r->reads;
		backward += r->backward;
		worst = max(worst, r->worst_ns);
	}
	seq_printf(m, "running %d\n", pvkit_ktime_running);
	seq_printf(m, "reads %llu\n", reads);
	seq_printf(m, "backward %llu\n", backward);
	seq_printf(m, "worst_ns %lld\n", worst);
	mutex_unlock(&pvkit_ktime_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvkit_ktime_result);

static int __init pvkit_ktime_init(void)
{
	readers = kcalloc(nr_cpu_ids, sizeof(*readers), GFP_KERNEL);
	if (!readers)
		return -ENOMEM;
	pvkit_ktime_dir = debugfs_create_dir("pvkit_ktime", NULL);
	debugfs_create_file("run", 0200, pvkit_ktime_dir, NULL,
			    &pvkit_ktime_run_fops);
	debugfs_create_file("result", 0444, pvkit_ktime_dir, NULL,
			    &pvkit_ktime_result_fops);
	return 0;
}

static void __exit pvkit_ktime_exit(void)
{
	debugfs_remove_recursive(pvkit_ktime_dir);
	mutex_lock(&pvkit_ktime_lock);
	if (pvkit_ktime_running)
		pvkit_ktime_stop();
	mutex_unlock(&pvkit_ktime_lock);
	kfree(readers);
}

module_init(pvkit_ktime_init);
module_exit(pvkit_ktime_exit);

MODULE_DESCRIPTION("pvkit selftest: in-kernel ktime_get() monotonicity readers");
MODULE_LICENSE("GPL");
