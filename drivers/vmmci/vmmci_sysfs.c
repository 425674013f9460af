// SPDX-License-Identifier: GPL-2.0
/*
 * What users see under /sys: the module parameters, and the "vmmci"
 * attribute group on the PCI device with read-only counters and the last
 * time-sync results, one value per file (Documentation/vmmci.md has the
 * ABI).
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "vmmci.h"

/*
 * The two periods are re-read at every re-arm of their work, so a value
 * the work cannot run on must be refused when it is written, not met
 * there: 0 or a huge period would stop the poll (the backstop for
 * interrupts the host's PIC drops) or the samples for good.
 */
static int vmmci_period_set(const char *val, const struct kernel_param *kp,
			    unsigned int max_ms)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms < VMMCI_MIN_PERIOD_MS ||
	    ms > max_ms) {
		pr_warn_ratelimited("%s must be %u to %u ms; kept %u\n",
				    kp->name, VMMCI_MIN_PERIOD_MS, max_ms,
				    READ_ONCE(*(unsigned int *)kp->arg));
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static int vmmci_poll_set(const char *val, const struct kernel_param *kp)
{
	return vmmci_period_set(val, kp, VMMCI_POLL_MAX_MS);
}

static int vmmci_timesync_set(const char *val, const struct kernel_param *kp)
{
	return vmmci_period_set(val, kp, VMMCI_TIMESYNC_MAX_MS);
}

static const struct kernel_param_ops vmmci_poll_ops = {
	.set = vmmci_poll_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops vmmci_timesync_ops = {
	.set = vmmci_timesync_set,
	.get = param_get_uint,
};

unsigned int vmmci_poll_ms = 1000;
module_param_cb(poll_ms, &vmmci_poll_ops, &vmmci_poll_ms, 0644);
__MODULE_PARM_TYPE(poll_ms, "uint");
MODULE_PARM_DESC(poll_ms,
		 "Poll COMMAND every N ms, in case the host's interrupt is lost (10-60000, default 1000)");

unsigned int vmmci_timesync_ms = 15000;
module_param_cb(timesync_ms, &vmmci_timesync_ops, &vmmci_timesync_ms, 0644);
__MODULE_PARM_TYPE(timesync_ms, "uint");
MODULE_PARM_DESC(timesync_ms,
		 "Sample the host-guest clock offset every N ms (10-3600000, default 15000)");

bool vmmci_reboot_poweroff;
module_param_named(reboot_poweroff, vmmci_reboot_poweroff, bool, 0644);
MODULE_PARM_DESC(reboot_poweroff,
		 "Power off instead of rebooting on a host REBOOT request (what vmctl stop sends)");

unsigned int vmmci_correct_max_us;
module_param_named(correct_max_us, vmmci_correct_max_us, uint, 0644);
MODULE_PARM_DESC(correct_max_us,
		 "Step the clock to the host at each sample when the offset is within N us (0 = off, default)");

unsigned int vmmci_correct_min_us = 1000;
module_param_named(correct_min_us, vmmci_correct_min_us, uint, 0644);
MODULE_PARM_DESC(correct_min_us,
		 "Offsets below N us are noise and never corrected (default 1000)");

/* A consistent copy of the counters: all fields from one moment. */
static void vmmci_sysfs_snapshot(struct device *dev, struct vmmci_stats *s)
{
	struct vmmci_dev *vd = dev_get_drvdata(dev);

	mutex_lock(&vd->lock);
	*s = vd->stats;
	s->host_features = vd->host_features;
	s->features = vd->features;
	mutex_unlock(&vd->lock);
	s->irqs = atomic64_read(&vd->irqs);
}

/* @_val is an expression over the snapshot @s, e.g. s.samples */
#define VMMCI_STAT(_name, _fmt, _val)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct vmmci_stats s;						\
									\
	vmmci_sysfs_snapshot(dev, &s);					\
	return sysfs_emit(buf, _fmt "\n", _val);				\
}									\
static DEVICE_ATTR_RO(_name)

VMMCI_STAT(irqs, "%llu", (u64)s.irqs);
VMMCI_STAT(cmds_seen, "%llu", (u64)s.cmds_seen);
VMMCI_STAT(cmds_acked, "%llu", (u64)s.cmds_acked);
VMMCI_STAT(cmds_invalid, "%llu", (u64)s.cmds_invalid);
VMMCI_STAT(cmds_polled, "%llu", (u64)s.cmds_polled);
VMMCI_STAT(times_invalid, "%llu", (u64)s.times_invalid);
VMMCI_STAT(last_cmd, "%u", (u32)s.last_cmd);
VMMCI_STAT(last_cmd_ns, "%llu", (u64)s.last_cmd_ns);
VMMCI_STAT(last_ack_latency_ns, "%llu", (u64)s.last_ack_latency_ns);
VMMCI_STAT(samples, "%llu", (u64)s.samples);
VMMCI_STAT(offset_ns, "%lld", (s64)s.offset_ns);
VMMCI_STAT(max_offset_ns, "%llu", (u64)s.max_offset_ns);
VMMCI_STAT(last_sample_ns, "%llu", (u64)s.last_sample_ns);
VMMCI_STAT(syncs, "%llu", (u64)s.syncs);
VMMCI_STAT(last_step_ns, "%lld", (s64)s.last_step_ns);
VMMCI_STAT(last_sync_ns, "%llu", (u64)s.last_sync_ns);
VMMCI_STAT(corrections, "%llu", (u64)s.corrections);
VMMCI_STAT(host_features, "%#x", (u32)s.host_features);
VMMCI_STAT(features, "%#x", (u32)s.features);

static struct attribute *vmmci_sysfs_attrs[] = {
	&dev_attr_irqs.attr,
	&dev_attr_cmds_seen.attr,
	&dev_attr_cmds_acked.attr,
	&dev_attr_cmds_invalid.attr,
	&dev_attr_cmds_polled.attr,
	&dev_attr_times_invalid.attr,
	&dev_attr_last_cmd.attr,
	&dev_attr_last_cmd_ns.attr,
	&dev_attr_last_ack_latency_ns.attr,
	&dev_attr_samples.attr,
	&dev_attr_offset_ns.attr,
	&dev_attr_max_offset_ns.attr,
	&dev_attr_last_sample_ns.attr,
	&dev_attr_syncs.attr,
	&dev_attr_last_step_ns.attr,
	&dev_attr_last_sync_ns.attr,
	&dev_attr_corrections.attr,
	&dev_attr_host_features.attr,
	&dev_attr_features.attr,
	NULL
};

static const struct attribute_group vmmci_sysfs_group = {
	.name = "vmmci",
	.attrs = vmmci_sysfs_attrs,
};

const struct attribute_group *vmmci_sysfs_groups[] = {
	&vmmci_sysfs_group,
	NULL
};
