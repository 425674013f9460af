// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmmci" attribute group on the PCI device: read-only counters and
 * the last time-sync results, one value per file (Documentation/vmmci.md
 * has the ABI).
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "vmmci.h"

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
