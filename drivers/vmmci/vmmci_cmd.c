// SPDX-License-Identifier: GPL-2.0
/*
 * Host requests: read COMMAND (from the IRQ work or the poll), ack within
 * the host's 3 s window, then act; and the late "guest powers off" notice
 * to the host.
 */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/reboot.h>
#include <linux/workqueue.h>

#include "vmmci.h"

/* Ack = write back exactly the value read, 32 bits wide (EAX unmasked). */
static void vmmci_cmd_ack(struct vmmci_dev *vd, u32 cmd, bool from_irq)
{
	iowrite32(cmd, vd->base + VMMCI_CONFIG_COMMAND);
	vd->stats.cmds_acked++;
	if (from_irq && READ_ONCE(vd->irq_ns))
		vd->stats.last_ack_latency_ns =
			ktime_get_ns() - READ_ONCE(vd->irq_ns);
}

/* Read COMMAND and act on it; vd->lock held. */
static void vmmci_cmd_handle(struct vmmci_dev *vd, bool from_irq)
{
	struct device *dev = &vd->pdev->dev;
	struct vmmci_decision d;
	u32 cmd;

	lockdep_assert_held(&vd->lock);
	cmd = ioread32(vd->base + VMMCI_CONFIG_COMMAND);
	d = vmmci_cmd_decide(&vd->cmd_state, cmd,
			     vd->features & VMMCI_F_ACK,
			     READ_ONCE(vmmci_reboot_poweroff));
	if (d.action == VMMCI_ACT_NONE || d.action == VMMCI_ACT_REPEAT)
		return;

	/* ack first: the host's 3 s clock is running, the rest can wait */
	if (d.ack)
		vmmci_cmd_ack(vd, cmd, from_irq);
	vd->stats.cmds_seen++;
	vd->stats.last_cmd = cmd;
	vd->stats.last_cmd_ns = ktime_get_real_ns();
	if (!from_irq)
		vd->stats.cmds_polled++;

	switch (d.action) {
	case VMMCI_ACT_POWEROFF:
		vd->host_power = true;
		dev_notice(dev, "host requested %s: powering off\n",
			   vmmci_cmd_name(cmd));
		orderly_poweroff(false);
		break;
	case VMMCI_ACT_REBOOT:
		vd->host_power = true;
		dev_notice(dev, "host requested reboot: rebooting\n");
		orderly_reboot();
		break;
	case VMMCI_ACT_POWER_BUSY:
		dev_info_ratelimited(dev,
				     "host requested %s while already shutting down\n",
				     vmmci_cmd_name(cmd));
		break;
	case VMMCI_ACT_SYNCRTC:
		vmmci_time_syncrtc(vd);
		break;
	case VMMCI_ACT_INVALID:
		vd->stats.cmds_invalid++;
		if (__ratelimit(&vd->bad_cmd_rs))
			dev_warn(dev, "ignoring invalid host command %#x (not acked; %llu invalid since load)\n",
				 cmd, vd->stats.cmds_invalid);
		break;
	default:
		break;
	}
}

/*
 * One look at COMMAND. Called with from_irq for the work queued by the
 * interrupt handler and without it for the periodic poll, which catches
 * requests whose interrupt the host's PIC dropped. Both run under
 * vd->lock, so the read/ack pair is atomic with respect to each other and
 * vmmci_cmd_decide() sees every value in order.
 */
static void vmmci_cmd_check(struct vmmci_dev *vd, bool from_irq)
{
	mutex_lock(&vd->lock);
	if (!vd->stopping)
		vmmci_cmd_handle(vd, from_irq);
	mutex_unlock(&vd->lock);
}

/*
 * Probe: what an earlier driver left in COMMAND. vmd never clears
 * SHUTDOWN or REBOOT, and nothing it shows (status, ISR, COMMAND) tells
 * whether someone acked them. While none of our drivers holds the
 * device the host sees no DRIVER_OK and posts nothing, and a bound one
 * handles every power request before it lets go (the IRQ, the poll, the
 * last look at remove), so one found here is one an earlier kernel or
 * binding already acked and acted on. Acking it again would re-arm the
 * host's long timer, acting again would shut down twice (a kexec reboot
 * would loop): take it as handled and leave the end to the host's timer,
 * as OpenBSD's vmmci(4) does by acting on interrupts only. SYNCRTC is
 * cleared by its ack, so one found here is new and the first poll takes it.
 */
void vmmci_cmd_adopt(struct vmmci_dev *vd)
{
	u32 cmd = ioread32(vd->base + VMMCI_CONFIG_COMMAND);

	if (cmd != VMMCI_SHUTDOWN && cmd != VMMCI_REBOOT)
		return;
	mutex_lock(&vd->lock);
	vd->cmd_state.last = cmd;
	mutex_unlock(&vd->lock);
	dev_notice(&vd->pdev->dev,
		   "host %s request from before this driver bound: already handled, left to the host\n",
		   vmmci_cmd_name(cmd));
}

/*
 * Remove, after the host was told there is no driver (so nothing new can
 * be posted): a power request that arrived after the last poll and whose
 * interrupt work found the stop flag would otherwise be taken for an old
 * one by the next probe. Handle it now. A SYNCRTC is left: its ack
 * clears it, so the next binding sees it as new.
 */
void vmmci_cmd_last_look(struct vmmci_dev *vd)
{
	u32 cmd = ioread32(vd->base + VMMCI_CONFIG_COMMAND);

	if (cmd != VMMCI_SHUTDOWN && cmd != VMMCI_REBOOT)
		return;
	mutex_lock(&vd->lock);
	vmmci_cmd_handle(vd, false);
	mutex_unlock(&vd->lock);
}

void vmmci_cmd_work(struct work_struct *work)
{
	struct vmmci_dev *vd = container_of(work, struct vmmci_dev, irq_work);

	vmmci_cmd_check(vd, true);
}

static void vmmci_cmd_schedule_poll(struct vmmci_dev *vd)
{
	unsigned int ms = READ_ONCE(vmmci_poll_ms);

	mutex_lock(&vd->lock);
	if (!vd->stopping)
		schedule_delayed_work(&vd->poll_work, msecs_to_jiffies(ms));
	mutex_unlock(&vd->lock);
}

void vmmci_cmd_poll_work(struct work_struct *work)
{
	struct vmmci_dev *vd = container_of(to_delayed_work(work),
					    struct vmmci_dev, poll_work);

	vmmci_cmd_check(vd, false);
	vmmci_cmd_schedule_poll(vd);
}

/*
 * A guest-initiated poweroff or halt: tell the host with SHUTDOWN so it
 * ends the VM (3 s later) instead of leaving a halted guest behind. This
 * runs after userspace is gone and filesystems are synced. Not on a
 * reboot (the host would kill the rebooting guest), not when the host
 * asked for the shutdown itself (it already knows), and only with ACK
 * negotiated (a host without it has no such path).
 */
static int vmmci_reboot_notify(struct notifier_block *nb,
			       unsigned long action, void *data)
{
	struct vmmci_dev *vd = container_of(nb, struct vmmci_dev, reboot_nb);

	if (action != SYS_POWER_OFF && action != SYS_HALT)
		return NOTIFY_DONE;

	mutex_lock(&vd->lock);
	if (!vd->stopping && !vd->host_power && (vd->features & VMMCI_F_ACK)) {
		iowrite32(VMMCI_SHUTDOWN, vd->base + VMMCI_CONFIG_COMMAND);
		dev_info(&vd->pdev->dev, "told the host we power off\n");
	}
	mutex_unlock(&vd->lock);
	return NOTIFY_DONE;
}

int vmmci_reboot_init(struct vmmci_dev *vd)
{
	vd->reboot_nb.notifier_call = vmmci_reboot_notify;
	/* run after the other notifiers: the host kills us 3 s from here */
	vd->reboot_nb.priority = INT_MIN;
	return register_reboot_notifier(&vd->reboot_nb);
}

void vmmci_reboot_uninit(struct vmmci_dev *vd)
{
	unregister_reboot_notifier(&vd->reboot_nb);
}
