// SPDX-License-Identifier: GPL-2.0
/*
 * Time: read the host's microsecond clock from the TIME registers, step
 * the guest clock on SYNCRTC, and sample the offset periodically
 * (TIMESYNC) for sysfs and for the optional bounded correction.
 */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "vmmci.h"

/*
 * One host/guest comparison; vd->lock held. TIME_SEC is read first
 * because that read takes the host's snapshot (TIME_USEC returns the
 * snapshot's microseconds); the high words are always 0 on vmd and are
 * not read. The guest time is taken around the TIME_SEC read.
 */
static int vmmci_time_sample(struct vmmci_dev *vd, s64 *offset)
{
	u64 before, after, guest, host;
	u32 sec, usec;

	lockdep_assert_held(&vd->lock);
	before = ktime_get_real_ns();
	sec = ioread32(vd->base + VMMCI_CONFIG_TIME_SEC);
	after = ktime_get_real_ns();
	usec = ioread32(vd->base + VMMCI_CONFIG_TIME_USEC);

	if (!vmmci_time_valid(sec, usec)) {
		vd->stats.times_invalid++;
		if (__ratelimit(&vd->bad_time_rs))
			dev_warn(&vd->pdev->dev, "host time %u.%06u s is invalid (%llu invalid since load)\n",
				 sec, usec, vd->stats.times_invalid);
		return -EIO;
	}
	guest = vmmci_guest_mid(before, after);
	host = vmmci_host_ns(sec, usec);
	*offset = vmmci_offset_ns(host, guest);
	return 0;
}

/* Step CLOCK_REALTIME by @offset ns; vd->lock held. */
static int vmmci_time_step(struct vmmci_dev *vd, s64 offset)
{
	struct timespec64 ts;
	s64 target;
	int ret;

	lockdep_assert_held(&vd->lock);
	target = ktime_get_real_ns() + offset;
	if (target < 0)
		return -EINVAL;
	ts = ns_to_timespec64(target);
	ret = do_settimeofday64(&ts);
	if (ret)
		return ret;
	vd->stats.last_step_ns = offset;
	vd->stats.last_sync_ns = ktime_get_real_ns();
	return 0;
}

static void vmmci_time_record(struct vmmci_dev *vd, s64 offset)
{
	vd->stats.samples++;
	vd->stats.offset_ns = offset;
	vd->stats.max_offset_ns = max(vd->stats.max_offset_ns,
				      vmmci_abs_ns(offset));
	vd->stats.last_sample_ns = ktime_get_real_ns();
}

/*
 * SYNCRTC, just acked; vd->lock held since the COMMAND read. The host saw
 * its clock jump by more than 5 s (host suspend, VM pause, a host clock
 * step). Resync from the TIME registers, which have microseconds, rather
 * than the 1 s emulated RTC. The step is done under the same lock hold
 * as the ack: the ack cleared the request on the host, so a stop that
 * came in between would lose it for good.
 */
void vmmci_time_syncrtc(struct vmmci_dev *vd)
{
	struct device *dev = &vd->pdev->dev;
	s64 offset;
	int ret;

	lockdep_assert_held(&vd->lock);
	if (vmmci_time_sample(vd, &offset))
		return;
	if (!vmmci_should_step(offset)) {
		dev_dbg(dev, "syncrtc: offset %lld ns, no step\n", offset);
		return;
	}
	ret = vmmci_time_step(vd, offset);
	if (ret) {
		dev_warn_ratelimited(dev, "syncrtc: step by %lld ns failed: %d\n",
				     offset, ret);
		return;
	}
	vd->stats.syncs++;
	dev_info_ratelimited(dev, "syncrtc: clock stepped by %lld ns\n",
			     offset);
}

void vmmci_time_schedule(struct vmmci_dev *vd, bool now)
{
	unsigned int ms = READ_ONCE(vmmci_timesync_ms);

	if (!(vd->features & VMMCI_F_TIMESYNC))
		return;
	mutex_lock(&vd->lock);
	if (!vd->stopping)
		schedule_delayed_work(&vd->sync_work,
				      now ? 0 : msecs_to_jiffies(ms));
	mutex_unlock(&vd->lock);
}

/* The TIMESYNC tick: sample, record, and correct only if asked to. */
void vmmci_time_work(struct work_struct *work)
{
	struct vmmci_dev *vd = container_of(to_delayed_work(work),
					    struct vmmci_dev, sync_work);
	u64 max_ns = (u64)READ_ONCE(vmmci_correct_max_us) * 1000;
	u64 min_ns = (u64)READ_ONCE(vmmci_correct_min_us) * 1000;
	s64 offset;

	mutex_lock(&vd->lock);
	if (vd->stopping) {
		mutex_unlock(&vd->lock);
		return;
	}
	if (!vmmci_time_sample(vd, &offset)) {
		vmmci_time_record(vd, offset);
		if (vmmci_should_correct(offset, min_ns, max_ns) &&
		    !vmmci_time_step(vd, offset)) {
			vd->stats.corrections++;
			dev_dbg_ratelimited(&vd->pdev->dev,
					    "corrected %lld ns\n", offset);
		}
	}
	mutex_unlock(&vd->lock);
	vmmci_time_schedule(vd, false);
}
