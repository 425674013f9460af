// SPDX-License-Identifier: GPL-2.0
/*
 * The host's wall clock (vmm 1.64: MSR 0x4b564d00). Each WRMSR makes the
 * host write its boot time (UTC) once into the struct at the given
 * guest-physical address, so every read writes the MSR again to see host
 * clock steps. Older hosts drop the write silently and the struct stays
 * zero: then we have no wall clock, which is not an error.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <asm/barrier.h>
#include <asm/msr.h>

#include "vmm_clock.h"

#define VMM_CLOCK_WALL_TRIES	100

bool vmm_clock_wall_present;

/* kmalloc memory: physically contiguous, so virt_to_phys() is valid. */
static struct vmm_clock_wall_clock *vmm_clock_wall;
/* Serialises MSR writes and reads of vmm_clock_wall. */
static DEFINE_MUTEX(vmm_clock_wall_lock);

/* Seqlock-style read of the struct; false if the host never finished. */
static bool vmm_clock_wall_snapshot(u32 *sec, u32 *nsec)
{
	unsigned int tries;

	for (tries = 0; tries < VMM_CLOCK_WALL_TRIES; tries++) {
		u32 before, after;

		before = READ_ONCE(vmm_clock_wall->wc_version);
		/* Pairs with the host making the version odd first. */
		virt_rmb();
		*sec = READ_ONCE(vmm_clock_wall->wc_sec);
		*nsec = READ_ONCE(vmm_clock_wall->wc_nsec);
		/* Pairs with the host making it even after the fields. */
		virt_rmb();
		after = READ_ONCE(vmm_clock_wall->wc_version);
		if (before && vmm_clock_version_ok(before, after))
			return true;
		usleep_range(100, 200);
	}
	return false;
}

/*
 * Ask the host for its boot time and add our clock (its uptime): @boot is
 * the host's boot time, @now the host's UTC now.
 */
int vmm_clock_wall_read(struct timespec64 *boot, struct timespec64 *now)
{
	u32 sec, nsec;
	int ret = 0;

	if (!vmm_clock_wall)
		return -ENODEV;
	mutex_lock(&vmm_clock_wall_lock);
	if (wrmsrq_safe(KVM_MSR_WALL_CLOCK, virt_to_phys(vmm_clock_wall))) {
		ret = -EIO;
		goto out;
	}
	if (!vmm_clock_wall_snapshot(&sec, &nsec)) {
		ret = -ENODEV;
		goto out;
	}
	if (nsec >= NSEC_PER_SEC) {
		pr_err_ratelimited("host wall clock nsec out of range (%u)\n",
				   nsec);
		ret = -ERANGE;
		goto out;
	}
	boot->tv_sec = sec;
	boot->tv_nsec = nsec;
	*now = ns_to_timespec64(vmm_clock_wall_ns(sec, nsec,
						  vmm_clock_read_ns()));
out:
	mutex_unlock(&vmm_clock_wall_lock);
	return ret;
}

int vmm_clock_wall_init(void)
{
	struct timespec64 boot, now;
	int ret;

	vmm_clock_wall = kzalloc(sizeof(*vmm_clock_wall), GFP_KERNEL);
	if (!vmm_clock_wall)
		return -ENOMEM;
	ret = vmm_clock_wall_read(&boot, &now);
	if (ret) {
		/* Pre-1.64 host: fine, just no wall clock. */
		pr_info("host provides no wall clock (%d)\n", ret);
		return 0;
	}
	vmm_clock_wall_present = true;
	if (vmm_clock_set_time) {
		ret = do_settimeofday64(&now);
		if (ret)
			pr_warn("setting the time from the host failed (%d)\n",
				ret);
		else
			pr_info("set the time from the host: %lld.%09ld\n",
				(long long)now.tv_sec, now.tv_nsec);
	}
	return 0;
}

/* The host writes the struct only during our WRMSR, so freeing is safe. */
void vmm_clock_wall_uninit(void)
{
	kfree(vmm_clock_wall);
	vmm_clock_wall = NULL;
	vmm_clock_wall_present = false;
}
