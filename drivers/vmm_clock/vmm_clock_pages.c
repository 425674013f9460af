// SPDX-License-Identifier: GPL-2.0
/*
 * Memory the host writes into, and telling the host where it is.
 *
 * One 64-byte slot per possible CPU in one physically contiguous,
 * page-aligned area: 64 divides PAGE_SIZE, so no slot crosses a page
 * (vmm injects #GP otherwise) and each CPU's slot has its own cache line.
 * Each online CPU writes its own slot's address to the system time MSR
 * (the MSR is per vCPU). Every path that stops using a slot (CPU offline,
 * unload, suspend, reboot/kexec) writes the MSR with 0 first, because the
 * host keeps writing into the registered address on every VM entry.
 */
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/msr.h>

#include "vmm_clock.h"

#define VMM_CLOCK_FILL_WAIT_MS	200	/* host fills a page within this */

DEFINE_PER_CPU(struct vmm_clock_cpu, vmm_clock_cpu);

/* CPUs whose slot is registered with the host right now. */
struct cpumask vmm_clock_live_mask;

void *vmm_clock_area;
static size_t vmm_clock_area_size;
static int vmm_clock_cpuhp_state;
/* Set by the reboot notifier: CPUs coming up later must not register. */
static bool vmm_clock_shutting_down;

/*
 * Set on the CPU that timekeeping suspend disabled. Suspend-to-idle
 * suspends timekeeping on whichever CPU freezes last and resumes it on
 * whichever wakes first, so the CPU that was disabled may not be the one
 * .resume runs on: it re-registers itself on its next read instead.
 */
static DEFINE_PER_CPU(bool, vmm_clock_suspended);

static phys_addr_t vmm_clock_ti_phys(unsigned int cpu)
{
	return virt_to_phys(vmm_clock_ti(cpu));
}

int vmm_clock_pages_init(void)
{
	BUILD_BUG_ON(sizeof(struct pvclock_time_info) != PVCLOCK_TIME_INFO_SIZE);
	BUILD_BUG_ON(PAGE_SIZE % VMM_CLOCK_SLOT_SIZE);
	BUILD_BUG_ON(VMM_CLOCK_SLOT_SIZE % PVCLOCK_SYSTEM_TIME_ALIGN);

	vmm_clock_area_size = PAGE_ALIGN((size_t)nr_cpu_ids *
					 VMM_CLOCK_SLOT_SIZE);
	vmm_clock_area = alloc_pages_exact(vmm_clock_area_size,
					   GFP_KERNEL | __GFP_ZERO);
	if (!vmm_clock_area)
		return -ENOMEM;
	return 0;
}

void vmm_clock_pages_uninit(void)
{
	if (vmm_clock_area)
		free_pages_exact(vmm_clock_area, vmm_clock_area_size);
	vmm_clock_area = NULL;
}

/*
 * One helper for every path that (re)registers a CPU: load, CPU online,
 * resume. The enable bit sits in bit 0 of the 16-byte aligned address.
 *
 * The flag check and the MSR write run with interrupts off: the reboot
 * notifier sets the flag and then disables every CPU by IPI, so the IPI
 * either came before (and the check sees the flag) or is held until the
 * write is done (and disables it). Otherwise a CPU could pass the check,
 * take the IPI, then enable the host's writes into memory that a kexec'd
 * kernel owns.
 */
static void vmm_clock_register_this_cpu(void)
{
	struct vmm_clock_cpu *st;
	unsigned long flags;
	unsigned int cpu;
	int ret;

	local_irq_save(flags);
	if (READ_ONCE(vmm_clock_shutting_down)) {
		local_irq_restore(flags);
		return;
	}
	cpu = smp_processor_id();
	st = this_cpu_ptr(&vmm_clock_cpu);
	ret = wrmsrq_safe(KVM_MSR_SYSTEM_TIME,
			  vmm_clock_ti_phys(cpu) | PVCLOCK_SYSTEM_TIME_ENABLE);
	if (ret) {
		st->msr_errors++;
	} else {
		st->registrations++;
		cpumask_set_cpu(cpu, &vmm_clock_live_mask);
	}
	local_irq_restore(flags);
	if (ret)
		pr_err_ratelimited("cpu%u: host refused the pvclock MSR write\n",
				   cpu);
}

/*
 * Take the CPU out of the live mask first so readers stop preferring its
 * slot, then tell the host to stop writing. The slot stays allocated until
 * unload, so a reader that already picked it sees a consistent, if
 * no-longer-refreshed, snapshot.
 */
static void vmm_clock_disable_this_cpu(void)
{
	unsigned int cpu = smp_processor_id();
	struct vmm_clock_cpu *st = this_cpu_ptr(&vmm_clock_cpu);

	/* Before the MSR write: a read in between must not re-register. */
	this_cpu_write(vmm_clock_suspended, false);
	barrier();
	cpumask_clear_cpu(cpu, &vmm_clock_live_mask);
	if (wrmsrq_safe(KVM_MSR_SYSTEM_TIME, 0)) {
		st->msr_errors++;
		pr_err_ratelimited("cpu%u: host refused disabling the pvclock MSR\n",
				   cpu);
		return;
	}
	st->disables++;
}

/* Timekeeping suspend: this CPU stops, to come back on resume. */
void vmm_clock_suspend_this_cpu(void)
{
	vmm_clock_disable_this_cpu();
	this_cpu_write(vmm_clock_suspended, true);
}

/*
 * Timekeeping resume (on this CPU), or the first read on a CPU that was
 * suspended but did not run the resume (see vmm_clock_suspended).
 */
void vmm_clock_resume_this_cpu(void)
{
	this_cpu_write(vmm_clock_suspended, false);
	barrier();
	vmm_clock_register_this_cpu();
}

bool vmm_clock_this_cpu_suspended(void)
{
	return this_cpu_read(vmm_clock_suspended);
}

/* cpuhp AP_ONLINE callbacks run on the CPU concerned. */
static int vmm_clock_cpu_online(unsigned int cpu)
{
	vmm_clock_register_this_cpu();
	return 0;
}

static int vmm_clock_cpu_offline(unsigned int cpu)
{
	vmm_clock_disable_this_cpu();
	return 0;
}

/*
 * Wait, bounded, until the host filled the calling CPU's slot, and refuse
 * parameters that would make a useless clock.
 */
static int vmm_clock_check_host_fill(void)
{
	const struct pvclock_time_info *ti;
	unsigned int ms;
	u32 version;

	ti = vmm_clock_ti(raw_smp_processor_id());
	for (ms = 0; ms < VMM_CLOCK_FILL_WAIT_MS; ms++) {
		version = READ_ONCE(ti->ti_version);
		if (version && !vmm_clock_version_busy(version))
			break;
		usleep_range(1000, 2000);
	}
	if (ms == VMM_CLOCK_FILL_WAIT_MS) {
		pr_err("host did not fill the pvclock page within %u ms (version %u)\n",
		       VMM_CLOCK_FILL_WAIT_MS, version);
		return -ENODEV;
	}
	/* Pairs with the host's version bump after the fields. */
	virt_rmb();
	if (!vmm_clock_params_valid(READ_ONCE(ti->ti_tsc_to_system_mul),
				    READ_ONCE(ti->ti_tsc_shift))) {
		pr_err("host pvclock parameters unusable (mul %u shift %d)\n",
		       ti->ti_tsc_to_system_mul, ti->ti_tsc_shift);
		return -ENODEV;
	}
	return 0;
}

int vmm_clock_cpuhp_init(void)
{
	int ret;

	/* Runs vmm_clock_cpu_online() on every CPU already online. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmm_clock:online",
				vmm_clock_cpu_online, vmm_clock_cpu_offline);
	if (ret < 0)
		return ret;
	vmm_clock_cpuhp_state = ret;
	if (cpumask_empty(&vmm_clock_live_mask)) {
		pr_err("no CPU could register its pvclock page\n");
		ret = -ENODEV;
		goto err_remove;
	}
	/* Pin to one CPU: the check reads that CPU's slot. */
	migrate_disable();
	ret = vmm_clock_check_host_fill();
	migrate_enable();
	if (ret)
		goto err_remove;
	return 0;

err_remove:
	vmm_clock_cpuhp_uninit();
	return ret;
}

/* Runs vmm_clock_cpu_offline() (MSR 0) on every online CPU. */
void vmm_clock_cpuhp_uninit(void)
{
	if (vmm_clock_cpuhp_state > 0)
		cpuhp_remove_state(vmm_clock_cpuhp_state);
	vmm_clock_cpuhp_state = 0;
}

static void vmm_clock_disable_ipi(void *unused)
{
	vmm_clock_disable_this_cpu();
}

/*
 * Before reboot, halt, power off and kexec the host must stop writing:
 * the next kernel may own that memory. (A crash kexec has no hook a
 * module can use.) Readers keep extrapolating from the last snapshots.
 */
static int vmm_clock_reboot_notify(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	WRITE_ONCE(vmm_clock_shutting_down, true);
	/*
	 * The flag before on_each_cpu() reads the online mask: a CPU coming
	 * online either is in the mask (and gets the IPI) or, having marked
	 * itself online before it registers, sees the flag.
	 */
	smp_mb();
	on_each_cpu(vmm_clock_disable_ipi, NULL, 1);
	return NOTIFY_DONE;
}

static struct notifier_block vmm_clock_reboot_nb = {
	.notifier_call = vmm_clock_reboot_notify,
};

int vmm_clock_reboot_init(void)
{
	return register_reboot_notifier(&vmm_clock_reboot_nb);
}

void vmm_clock_reboot_uninit(void)
{
	unregister_reboot_notifier(&vmm_clock_reboot_nb);
}
