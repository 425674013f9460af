// SPDX-License-Identifier: GPL-2.0
/*
 * vmmci: Linux driver for the "VMM Control" device of OpenBSD's vmd(8).
 *
 * PCI glue: bind 0b5d:0777 (subsystem 0b5d:ffff, revision 0), speak the
 * legacy virtio header to set DRIVER_OK, take the shared INTx line, and
 * run the start/stop halves shared by probe/remove, freeze/restore and
 * shutdown. Commands live in vmmci_cmd.c, time in vmmci_time.c, the
 * sysfs files and module parameters in vmmci_sysfs.c.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "vmmci.h"

static const struct pci_device_id vmmci_pci_ids[] = {
	{ PCI_DEVICE_SUB(PCI_VENDOR_OPENBSD, PCI_PRODUCT_OPENBSD_CONTROL,
			 PCI_VENDOR_OPENBSD, PCI_PRODUCT_VIRTIO_VMMCI) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vmmci_pci_ids);

static void vmmci_status_write(struct vmmci_dev *vd, u8 status)
{
	/* 8-bit is safe here: the host field is a uint8_t and truncates */
	iowrite8(status, vd->base + VIRTIO_CONFIG_DEVICE_STATUS);
}

/*
 * Legacy virtio handshake: ACKNOWLEDGE, DRIVER, features, DRIVER_OK.
 * DRIVER_OK is what makes vmd send requests at all: without it
 * "vmctl stop" is an immediate hard kill and SYNCRTC is never sent.
 * Writing 0 first is conventional; on vmd it resets nothing else.
 */
static int vmmci_hw_init(struct vmmci_dev *vd)
{
	u8 st = VIRTIO_CONFIG_DEVICE_STATUS_ACK;

	vmmci_status_write(vd, VIRTIO_CONFIG_DEVICE_STATUS_RESET);
	vmmci_status_write(vd, st);
	st |= VIRTIO_CONFIG_DEVICE_STATUS_DRIVER;
	vmmci_status_write(vd, st);

	vd->host_features = ioread32(vd->base + VIRTIO_CONFIG_DEVICE_FEATURES);
	vd->features = vmmci_features(vd->host_features);
	iowrite32(vd->features, vd->base + VIRTIO_CONFIG_GUEST_FEATURES);

	st |= VIRTIO_CONFIG_DEVICE_STATUS_DRIVER_OK;
	vmmci_status_write(vd, st);
	if (!(ioread8(vd->base + VIRTIO_CONFIG_DEVICE_STATUS) &
	      VIRTIO_CONFIG_DEVICE_STATUS_DRIVER_OK)) {
		dev_err(&vd->pdev->dev, "host did not keep DRIVER_OK\n");
		return -EIO;
	}
	return 0;
}

/* Tell the host there is no driver: requests then fail fast on its side. */
static void vmmci_hw_uninit(struct vmmci_dev *vd)
{
	vmmci_status_write(vd, VIRTIO_CONFIG_DEVICE_STATUS_RESET);
}

/*
 * Shared INTx: the ISR read both tells us whether the interrupt is ours
 * and deasserts the line on the host. The command itself is handled in
 * process context (it may start a shutdown or step the clock).
 */
static irqreturn_t vmmci_irq(int irq, void *data)
{
	struct vmmci_dev *vd = data;
	u8 isr = ioread8(vd->base + VIRTIO_CONFIG_ISR_STATUS);

	if (!(isr & VIRTIO_CONFIG_ISR_CONFIG_CHANGE))
		return IRQ_NONE;
	WRITE_ONCE(vd->irq_ns, ktime_get_ns());
	atomic64_inc(&vd->irqs);
	queue_work(system_highpri_wq, &vd->irq_work);
	return IRQ_HANDLED;
}

/*
 * The producers go in order: the stop flag under the lock the works take
 * before re-arming, then the IRQ (free_irq waits for a running handler),
 * then the works (the _sync cancels also wait for, and defeat, a
 * self-requeue).
 */
static void vmmci_quiesce(struct vmmci_dev *vd)
{
	mutex_lock(&vd->lock);
	vd->stopping = true;
	mutex_unlock(&vd->lock);

	if (vd->has_irq)
		free_irq(vd->pdev->irq, vd);
	cancel_work_sync(&vd->irq_work);
	cancel_delayed_work_sync(&vd->poll_work);
	cancel_delayed_work_sync(&vd->sync_work);
}

/*
 * Start half, shared by probe and restore: interrupt first, then
 * DRIVER_OK (so a request posted right after DRIVER_OK finds the handler
 * in place), then one check of COMMAND for a request that is already
 * pending (the host does not clear COMMAND when status is reset, and a
 * pre-handler interrupt is never re-delivered), then the periodic work.
 * cmd_state is kept: after a resume it still knows what was handled.
 */
static int vmmci_start(struct vmmci_dev *vd)
{
	struct pci_dev *pdev = vd->pdev;
	int ret;

	mutex_lock(&vd->lock);
	vd->stopping = false;
	mutex_unlock(&vd->lock);

	/* a stale assertion from a previous driver would otherwise be ours */
	ioread8(vd->base + VIRTIO_CONFIG_ISR_STATUS);

	vd->has_irq = pdev->irq > 0;
	if (vd->has_irq) {
		ret = request_irq(pdev->irq, vmmci_irq, IRQF_SHARED,
				  dev_name(&pdev->dev), vd);
		if (ret) {
			dev_err(&pdev->dev, "cannot get IRQ %d: %d\n",
				pdev->irq, ret);
			return ret;
		}
	} else {
		dev_warn(&pdev->dev, "no IRQ routed, polling only\n");
	}

	ret = vmmci_hw_init(vd);
	if (ret) {
		vmmci_quiesce(vd);
		return ret;
	}

	vd->running = true;
	/* the first poll, right now, is the check for a pending request */
	schedule_delayed_work(&vd->poll_work, 0);
	vmmci_time_schedule(vd, true);
	return 0;
}

/*
 * Stop half, shared by remove, freeze and shutdown. Safe to call when
 * stopped (a failed restore, then remove).
 */
static void vmmci_stop(struct vmmci_dev *vd)
{
	if (!vd->running)
		return;
	vd->running = false;
	vmmci_quiesce(vd);
}

/* Unbind, unload: the reverse of probe's start, run by devres. */
static void vmmci_teardown(void *data)
{
	struct vmmci_dev *vd = data;

	vmmci_stop(vd);
	vmmci_hw_uninit(vd);
	vmmci_cmd_last_look(vd);
}

static void vmmci_reboot_release(void *data)
{
	vmmci_reboot_uninit(data);
}

static int vmmci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	resource_size_t start = pci_resource_start(pdev, VMMCI_BAR);
	struct vmmci_dev *vd;
	int ret;

	/* A revision other than 0 would be a different register layout. */
	if (pdev->revision != VMMCI_PCI_REVISION) {
		dev_info(dev, "unsupported revision %u\n", pdev->revision);
		return -ENODEV;
	}
	if (!(pci_resource_flags(pdev, VMMCI_BAR) & IORESOURCE_IO) ||
	    pci_resource_len(pdev, VMMCI_BAR) < VMMCI_REGS_SIZE) {
		dev_err(dev, "BAR0 is not an I/O BAR of >= %d bytes\n",
			VMMCI_REGS_SIZE);
		return -ENODEV;
	}

	vd = devm_kzalloc(dev, sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	vd->pdev = pdev;
	mutex_init(&vd->lock);
	INIT_WORK(&vd->irq_work, vmmci_cmd_work);
	INIT_DELAYED_WORK(&vd->poll_work, vmmci_cmd_poll_work);
	INIT_DELAYED_WORK(&vd->sync_work, vmmci_time_work);
	ratelimit_state_init(&vd->bad_cmd_rs, VMMCI_BAD_LOG_S * HZ, 1);
	ratelimit_state_init(&vd->bad_time_rs, VMMCI_BAD_LOG_S * HZ, 1);
	/* The lines carry the counts: no "callbacks suppressed" lines. */
	ratelimit_set_flags(&vd->bad_cmd_rs, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_set_flags(&vd->bad_time_rs, RATELIMIT_MSG_ON_RELEASE);
	pci_set_drvdata(pdev, vd);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!devm_request_region(dev, start, pci_resource_len(pdev, VMMCI_BAR),
				 KBUILD_MODNAME))
		return -EBUSY;
	vd->base = devm_ioport_map(dev, start, VMMCI_REGS_SIZE);
	if (!vd->base)
		return -ENOMEM;

	/*
	 * No DRIVER_OK until start: a kernel that did not go through our
	 * shutdown (a crash kexec) may have left it set.
	 */
	vmmci_hw_uninit(vd);
	vmmci_cmd_adopt(vd);
	ret = vmmci_start(vd);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, vmmci_teardown, vd);
	if (ret)
		return ret;
	ret = vmmci_reboot_init(vd);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, vmmci_reboot_release, vd);
	if (ret)
		return ret;

	dev_info(dev, "irq %d, host features %#x, using %#x\n",
		 vd->has_irq ? pdev->irq : 0, vd->host_features, vd->features);
	return 0;
}

/*
 * System poweroff/reboot/kexec: quiesce and drop DRIVER_OK. The reboot
 * notifier has already told the host about a guest poweroff (its timer
 * runs whatever the status). Until the next kernel's driver binds, the
 * host must see no driver: a request posted now would sit in COMMAND,
 * never acked, and look like an old one to that driver; without
 * DRIVER_OK vmd ends the VM at once instead, which is what it would do
 * 3 s later anyway.
 */
static void vmmci_shutdown(struct pci_dev *pdev)
{
	struct vmmci_dev *vd = pci_get_drvdata(pdev);

	if (vd && vd->running) {
		vmmci_stop(vd);
		vmmci_hw_uninit(vd);
	}
}

static int vmmci_freeze(struct device *dev)
{
	struct vmmci_dev *vd = dev_get_drvdata(dev);

	if (vd->running) {
		vmmci_stop(vd);
		vmmci_hw_uninit(vd);
	}
	return 0;
}

/* Resume/restore: the host or a restored image may have lost DRIVER_OK. */
static int vmmci_restore(struct device *dev)
{
	struct vmmci_dev *vd = dev_get_drvdata(dev);

	if (vd->running)
		return 0;
	return vmmci_start(vd);
}

static const struct dev_pm_ops vmmci_pm_ops = {
	.suspend = vmmci_freeze,
	.resume = vmmci_restore,
	.freeze = vmmci_freeze,
	.thaw = vmmci_restore,
	.poweroff = vmmci_freeze,
	.restore = vmmci_restore,
};

static struct pci_driver vmmci_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = vmmci_pci_ids,
	.probe = vmmci_probe,
	.shutdown = vmmci_shutdown,
	.driver.pm = &vmmci_pm_ops,
	/* created after probe succeeds, removed before remove runs */
	PVKIT_PCI_DRIVER_DEV_GROUPS(vmmci_sysfs_groups),
};

module_pci_driver(vmmci_pci_driver);

MODULE_DESCRIPTION("OpenBSD vmd(8) VMM control interface (vmmci) driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
