// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio device: probe/remove, freeze/restore, queue setup and config
 * changes. probe and restore share vcon_vqs_init(); remove and freeze
 * share the "stop the host, then free" order of vcon_dev_quiesce().
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>

#include "vcon.h"

struct class *vcon_class;

unsigned int vcon_fault_inject;
module_param_named(fault_inject, vcon_fault_inject, uint, 0644);
MODULE_PARM_DESC(fault_inject,
		 "test hooks, 0 in production: 1 delays release, 2 fails restore, 4 fails the console, 8 single-page write chunks");

static void vcon_dev_release(struct kref *kref)
{
	struct vcon_dev *vd = container_of(kref, struct vcon_dev, kref);

	kfree(vd->in_vqs);
	kfree(vd->out_vqs);
	kfree(vd);
}

void vcon_dev_put(struct vcon_dev *vd)
{
	kref_put(&vd->kref, vcon_dev_release);
}

static int vcon_vqs_init(struct vcon_dev *vd)
{
	unsigned int i, nvqs = vd->nvqs;
	struct virtqueue_info *info;
	struct virtqueue **vqs;
	int ret = -ENOMEM;

	if (vcon_fault(VCON_FAULT_RESTORE) && vd->ready_once)
		return -EIO;
	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!vqs || !info)
		goto out_free;

	for (i = 0; i < nvqs; i++) {
		if (vd->multiport && (i == 2 || i == 3)) {
			info[i].callback = i == 2 ? vcon_ctrl_intr : NULL;
			info[i].name = i == 2 ? "control-i" : "control-o";
		} else {
			info[i].callback = i % 2 ? vcon_out_intr : vcon_in_intr;
			info[i].name = i % 2 ? "output" : "input";
		}
	}
	ret = virtio_find_vqs(vd->vdev, nvqs, vqs, info, NULL);
	if (ret)
		goto out_free;

	for (i = 0; i < vd->max_nr_ports; i++) {
		vd->in_vqs[i] = vqs[vcon_port_in_vq(i)];
		vd->out_vqs[i] = vqs[vcon_port_in_vq(i) + 1];
	}
	if (vd->multiport) {
		vd->c_ivq = vqs[2];
		vd->c_ovq = vqs[3];
	}
out_free:
	kfree(info);
	kfree(vqs);
	return ret;
}

static void vcon_config_work(struct work_struct *work)
{
	struct vcon_dev *vd = container_of(work, struct vcon_dev, config_work);
	struct vcon_port *port;
	u16 rows, cols;

	/* Only a single-port device reports its size in config space. */
	if (vd->multiport ||
	    !virtio_has_feature(vd->vdev, VIRTIO_CONSOLE_F_SIZE))
		return;
	port = vcon_port_find(vd, 0);
	if (!port)
		return;
	virtio_cread(vd->vdev, struct virtio_console_config, rows, &rows);
	virtio_cread(vd->vdev, struct virtio_console_config, cols, &cols);
	if (port->is_console)
		vcon_cons_resize(port, rows, cols);
	vcon_port_put(port);
}

static void vcon_config_changed(struct virtio_device *vdev)
{
	struct vcon_dev *vd = vdev->priv;

	if (!READ_ONCE(vd->removing))
		schedule_work(&vd->config_work);
}

static u32 vcon_read_max_ports(struct virtio_device *vdev)
{
	u32 max;

	if (!virtio_has_feature(vdev, VIRTIO_CONSOLE_F_MULTIPORT))
		return 1;
	virtio_cread(vdev, struct virtio_console_config, max_nr_ports, &max);
	if (max < 1 || max > VCON_MAX_PORTS) {
		dev_warn(&vdev->dev, "max_nr_ports %u clamped to 1..%u\n",
			 max, VCON_MAX_PORTS);
		max = clamp_t(u32, max, 1, VCON_MAX_PORTS);
	}
	return max;
}

/*
 * DRIVER_OK first, as in-tree: a device may ignore notifications before
 * it, and with notification hardening the queues are broken until then.
 * Then the ports' queues (restore), the control queue and DEVICE_READY.
 */
static int vcon_dev_start(struct vcon_dev *vd)
{
	struct vcon_port *port;
	int ret;

	virtio_device_ready(vd->vdev);
	/* Only restore has ports here; the control work is not running. */
	list_for_each_entry(port, &vd->ports, list) {
		spin_lock_irq(&port->inbuf_lock);
		port->in_vq = vd->in_vqs[port->id];
		spin_unlock_irq(&port->inbuf_lock);
		spin_lock_irq(&port->outvq_lock);
		port->out_vq = vd->out_vqs[port->id];
		spin_unlock_irq(&port->outvq_lock);
		vcon_port_fill_in(port);
	}
	vd->ready_once = true;
	if (!vd->multiport)
		return 0;
	ret = vcon_ctrl_fill(vd);
	if (ret)
		return ret;
	/* Set first: the replies may arrive before the send returns. */
	WRITE_ONCE(vd->ready, true);
	return vcon_ctrl_send(vd, VIRTIO_CONSOLE_BAD_ID,
			      VIRTIO_CONSOLE_DEVICE_READY, 1);
}

static bool vcon_port_id_live(struct vcon_dev *vd, u32 id)
{
	struct vcon_port *port = vcon_port_find(vd, id);

	if (!port)
		return false;
	/* The list's reference stays: never the last one. */
	vcon_port_put(port);
	return true;
}

/*
 * Stop the host and every source of work, then free what the queues
 * held. Remove and freeze.
 */
static void vcon_dev_quiesce(struct vcon_dev *vd)
{
	unsigned int i;

	WRITE_ONCE(vd->removing, true);
	WRITE_ONCE(vd->ready, false);
	/* After the reset no callback runs and the host touches nothing. */
	virtio_reset_device(vd->vdev);
	cancel_work_sync(&vd->control_work);
	cancel_work_sync(&vd->config_work);
	if (vd->multiport) {
		vcon_ctrl_drain(vd);
		spin_lock_irq(&vd->c_ovq_lock);
		vd->c_ovq = NULL;
		spin_unlock_irq(&vd->c_ovq_lock);
	}
	/*
	 * Ports the host removed left their unused buffers queued (the
	 * device owned them until now). Live ports took theirs off the
	 * shared pointers' queues under their locks, or will before they
	 * are drained: only ids without a port hold anything here.
	 */
	for (i = 0; i < vd->max_nr_ports; i++) {
		if (vcon_port_id_live(vd, i))
			continue;
		if (vd->in_vqs[i])
			vcon_vq_drain(vd->in_vqs[i], true);
		if (vd->out_vqs[i])
			vcon_vq_drain(vd->out_vqs[i], true);
	}
}

/* The queues are deleted: no stale pointer may outlive them. */
static void vcon_dev_del_vqs(struct vcon_dev *vd)
{
	vd->vdev->config->del_vqs(vd->vdev);
	memset(vd->in_vqs, 0, vd->max_nr_ports * sizeof(*vd->in_vqs));
	memset(vd->out_vqs, 0, vd->max_nr_ports * sizeof(*vd->out_vqs));
	spin_lock_irq(&vd->c_ivq_lock);
	vd->c_ivq = NULL;
	spin_unlock_irq(&vd->c_ivq_lock);
}

static int vcon_probe(struct virtio_device *vdev)
{
	struct vcon_dev *vd;
	int ret;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "transport cannot read config space\n");
		return -EINVAL;
	}
	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	kref_init(&vd->kref);
	vd->vdev = vdev;
	vdev->priv = vd;
	spin_lock_init(&vd->ports_lock);
	INIT_LIST_HEAD(&vd->ports);
	spin_lock_init(&vd->c_ivq_lock);
	spin_lock_init(&vd->c_ovq_lock);
	INIT_WORK(&vd->control_work, vcon_ctrl_work);
	INIT_WORK(&vd->config_work, vcon_config_work);
	vd->multiport = virtio_has_feature(vdev, VIRTIO_CONSOLE_F_MULTIPORT);
	vd->le = virtio_is_little_endian(vdev);
	vd->max_nr_ports = vcon_read_max_ports(vdev);
	vd->nvqs = vd->multiport ? 2 * (vd->max_nr_ports + 1) : 2;

	ret = -ENOMEM;
	vd->in_vqs = kcalloc(vd->max_nr_ports, sizeof(*vd->in_vqs),
			     GFP_KERNEL);
	vd->out_vqs = kcalloc(vd->max_nr_ports, sizeof(*vd->out_vqs),
			      GFP_KERNEL);
	if (!vd->in_vqs || !vd->out_vqs)
		goto err_put;

	ret = alloc_chrdev_region(&vd->devt_base, 0, vd->max_nr_ports,
				  "virtio-portsdev");
	if (ret)
		goto err_put;
	ret = vcon_vqs_init(vd);
	if (ret)
		goto err_chrdev;
	ret = vcon_dev_start(vd);
	if (ret)
		goto err_reset;
	if (!vd->multiport) {
		/* A single-port device: port 0 exists and is the console. */
		ret = vcon_port_add(vd, 0);
		if (ret)
			goto err_reset;
	}
	return 0;

err_reset:
	vcon_dev_quiesce(vd);
	vcon_dev_del_vqs(vd);
err_chrdev:
	unregister_chrdev_region(vd->devt_base, vd->max_nr_ports);
err_put:
	vcon_dev_put(vd);
	return ret;
}

static void vcon_remove(struct virtio_device *vdev)
{
	struct vcon_dev *vd = vdev->priv;
	struct vcon_port *port, *tmp;

	/*
	 * Broken before the reset, as in-tree: a console write spinning on
	 * a full queue (hvc retries -EAGAIN) sees the queue broken and
	 * gives up, instead of waiting for buffers a reset device never
	 * returns.
	 */
	virtio_break_device(vdev);
	vcon_dev_quiesce(vd);
	/* Nothing adds or removes ports now: the control work is gone. */
	list_for_each_entry_safe(port, tmp, &vd->ports, list)
		vcon_port_unplug(port, true);
	vcon_dev_del_vqs(vd);
	unregister_chrdev_region(vd->devt_base, vd->max_nr_ports);
	vcon_dev_put(vd);
}

#ifdef CONFIG_PM_SLEEP
static int vcon_freeze(struct virtio_device *vdev)
{
	struct vcon_dev *vd = vdev->priv;
	struct vcon_port *port;

	vcon_dev_quiesce(vd);
	/* The ports stay; only their queues go until restore. */
	list_for_each_entry(port, &vd->ports, list) {
		/*
		 * The reset made the host forget the port's state, and
		 * restore hears only of hosts that are connected: one that
		 * hung up meanwhile must read as gone (as in-tree).
		 */
		if (!port->is_console)
			vcon_port_set_host_connected(port, false);
		vcon_port_drain(port, true);
	}
	vcon_dev_del_vqs(vd);
	return 0;
}

static int vcon_restore(struct virtio_device *vdev)
{
	struct vcon_dev *vd = vdev->priv;
	struct vcon_port *port;
	int ret;

	/*
	 * On failure the ports stay without queues: writers sleep (killable)
	 * and readers see the host gone, until the device is removed.
	 */
	ret = vcon_vqs_init(vd);
	if (ret)
		return ret;
	WRITE_ONCE(vd->restored, true);
	WRITE_ONCE(vd->removing, false);
	ret = vcon_dev_start(vd);
	if (ret)
		return ret;
	/* The host forgot everything: announce the ports and their state. */
	list_for_each_entry(port, &vd->ports, list) {
		vcon_ctrl_send(vd, port->id, VIRTIO_CONSOLE_PORT_READY, 1);
		if (port->guest_connected)
			vcon_ctrl_send(vd, port->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
		/* Writers that slept for want of a queue look again. */
		wake_up_interruptible(&port->waitqueue);
	}
	return 0;
}
#endif

static const struct virtio_device_id vcon_id_table[] = {
	{ VIRTIO_ID_CONSOLE, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vcon_id_table);

static const unsigned int vcon_features[] = {
	VIRTIO_CONSOLE_F_SIZE,
	VIRTIO_CONSOLE_F_MULTIPORT,
};

struct virtio_driver vcon_virtio_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = vcon_id_table,
	.feature_table = vcon_features,
	.feature_table_size = ARRAY_SIZE(vcon_features),
	.feature_table_legacy = vcon_features,
	.feature_table_size_legacy = ARRAY_SIZE(vcon_features),
	.probe = vcon_probe,
	.remove = vcon_remove,
	.config_changed = vcon_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze = vcon_freeze,
	.restore = vcon_restore,
#endif
};
