// SPDX-License-Identifier: GPL-2.0
/*
 * The control queues of a multiport device: messages to the host are
 * queued and reclaimed lazily, messages from the host are decoded by
 * vcon_proto.h (also run by the userspace fuzz target), checked against the
 * driver's state and only then acted upon. A bad message costs the host a
 * ratelimited line in the log, nothing else.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>

#include "vcon.h"

/* Control buffers from the host: room for a header and any valid name. */
#define VCON_CTRL_BUF_SIZE	512

static void vcon_ctrl_reclaim_out(struct vcon_dev *vd)
{
	struct vcon_buf *buf;
	unsigned int len;

	while ((buf = virtqueue_get_buf(vd->c_ovq, &len)))
		vcon_buf_free(buf);
}

/*
 * Queue one message for the host. Fire and forget: the buffer is freed by
 * the next send or at teardown, so nobody spins waiting for the host.
 * Open and release call this on devices that may be gone: @vd is pinned
 * by the caller's port, its vdev is not. vdev is alive while c_ovq is
 * set (teardown clears it under c_ovq_lock before the device goes), so
 * vdev is only looked at under that lock with c_ovq set.
 */
int vcon_ctrl_send(struct vcon_dev *vd, u32 id, u16 event, u16 value)
{
	struct scatterlist sg;
	struct vcon_buf *buf;
	unsigned long flags;
	int ret = -ENODEV;

	if (!vd->multiport)
		return 0;
	buf = vcon_buf_alloc(VCON_CTRL_HDR_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	vcon_ctrl_encode((u8 *)buf->data, id, event, value, vd->le);
	buf->len = VCON_CTRL_HDR_LEN;
	sg_init_one(&sg, buf->data, buf->len);

	spin_lock_irqsave(&vd->c_ovq_lock, flags);
	if (vd->c_ovq) {
		vcon_ctrl_reclaim_out(vd);
		ret = virtqueue_add_outbuf(vd->c_ovq, &sg, 1, buf, GFP_ATOMIC);
		if (!ret) {
			vd->ctrl_sent++;
			virtqueue_kick(vd->c_ovq);
		} else {
			dev_warn_ratelimited(&vd->vdev->dev,
					     "control message %u for port %u lost: %d\n",
					     event, id, ret);
		}
	}
	/* Without c_ovq the device is frozen or going: nobody to tell. */
	spin_unlock_irqrestore(&vd->c_ovq_lock, flags);
	if (ret)
		vcon_buf_free(buf);
	return ret;
}

static int vcon_ctrl_queue_in(struct vcon_dev *vd, struct vcon_buf *buf)
{
	struct scatterlist sg;

	sg_init_one(&sg, buf->data, buf->size);
	return virtqueue_add_inbuf(vd->c_ivq, &sg, 1, buf, GFP_ATOMIC);
}

/* Fill the control receive queue; probe and restore. */
int vcon_ctrl_fill(struct vcon_dev *vd)
{
	struct vcon_buf *buf;
	unsigned int n = 0;

	spin_lock_irq(&vd->c_ivq_lock);
	while (vd->c_ivq->num_free) {
		buf = vcon_buf_alloc(VCON_CTRL_BUF_SIZE, GFP_ATOMIC);
		if (!buf)
			break;
		if (vcon_ctrl_queue_in(vd, buf)) {
			vcon_buf_free(buf);
			break;
		}
		n++;
	}
	if (n)
		virtqueue_kick(vd->c_ivq);
	spin_unlock_irq(&vd->c_ivq_lock);
	return n ? 0 : -ENOMEM;
}

/* Free both control queues' buffers; the device is reset. */
void vcon_ctrl_drain(struct vcon_dev *vd)
{
	/* NULL after a failed restore: nothing was queued. */
	spin_lock_irq(&vd->c_ivq_lock);
	if (vd->c_ivq)
		vcon_vq_drain(vd->c_ivq, true);
	spin_unlock_irq(&vd->c_ivq_lock);

	/* Our own kmalloc'ed messages: freeing them is right (see send). */
	spin_lock_irq(&vd->c_ovq_lock);
	if (vd->c_ovq)
		vcon_vq_drain(vd->c_ovq, true);
	spin_unlock_irq(&vd->c_ovq_lock);
}

/* Has the host taken every message we queued? Under c_ovq_lock. */
static bool vcon_ctrl_all_taken(struct vcon_dev *vd)
{
	vcon_ctrl_reclaim_out(vd);
	return vd->c_ovq->num_free == virtqueue_get_vring_size(vd->c_ovq);
}

/*
 * Wait until the host has answered what we told it and we have acted on
 * the answers: after a bind, until every port the host announces exists
 * and its console is attached. QEMU answers a control message while it
 * takes it, so once our last message is used its replies are already in
 * c_ivq, and one run of the control work acts on them; that run may say
 * more, hence the loop. A host that answers later is waited for until
 * @deadline only. The caller holds the device lock: no remove meanwhile.
 */
void vcon_ctrl_settle(struct vcon_dev *vd, unsigned long deadline)
{
	unsigned int sent;
	bool taken;

	if (!vd->multiport)
		return;
	for (;;) {
		spin_lock_irq(&vd->c_ovq_lock);
		if (!vd->c_ovq) {
			spin_unlock_irq(&vd->c_ovq_lock);
			return;
		}
		sent = vd->ctrl_sent;
		taken = vcon_ctrl_all_taken(vd);
		spin_unlock_irq(&vd->c_ovq_lock);

		/* Runs even if the interrupt for the replies is still due. */
		schedule_work(&vd->control_work);
		flush_work(&vd->control_work);
		if (taken && sent == READ_ONCE(vd->ctrl_sent))
			return;
		if (time_after(jiffies, deadline))
			break;
		usleep_range(1000, 2000);
	}
	dev_info(&vd->vdev->dev,
		 "the host has not answered every control message yet; its ports and console may appear late\n");
}

void vcon_ctrl_intr(struct virtqueue *vq)
{
	struct vcon_dev *vd = vq->vdev->priv;

	if (!READ_ONCE(vd->removing))
		schedule_work(&vd->control_work);
}

static void vcon_ctrl_reject(struct vcon_dev *vd, const struct vcon_ctrl *c,
			     int verdict)
{
	dev_warn_ratelimited(&vd->vdev->dev,
			     "dropped control message (event %u, port %u): %s\n",
			     c->event, c->id, vcon_ctrl_strerror(verdict));
}

static void vcon_ctrl_port_add(struct vcon_dev *vd, u32 id)
{
	int ret = vcon_port_add(vd, id);

	if (ret) {
		dev_warn_ratelimited(&vd->vdev->dev,
				     "cannot add port %u: %d\n", id, ret);
		vcon_ctrl_send(vd, id, VIRTIO_CONSOLE_PORT_READY, 0);
	}
}

static void vcon_ctrl_act(struct vcon_dev *vd, struct vcon_port *port,
			  const struct vcon_ctrl *c, const u8 *data)
{
	int ret;

	switch (c->event) {
	case VIRTIO_CONSOLE_PORT_REMOVE:
		/* The device still owns the queues: no reset happened. */
		vcon_port_unplug(port, false);
		break;
	case VIRTIO_CONSOLE_CONSOLE_PORT:
		if (port->is_console)
			break;
		ret = vcon_cons_attach(port);
		if (ret)
			dev_warn_ratelimited(&vd->vdev->dev,
					     "port %u: no console: %d\n",
					     c->id, ret);
		break;
	case VIRTIO_CONSOLE_RESIZE:
		if (port->is_console)
			vcon_cons_resize(port, c->rows, c->cols);
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		vcon_port_set_host_connected(port, c->value);
		break;
	case VIRTIO_CONSOLE_PORT_NAME:
		ret = vcon_port_set_name(port, data + c->name_off,
					 c->name_len);
		if (ret)
			dev_warn_ratelimited(&vd->vdev->dev,
					     "port %u: name not set: %d\n",
					     c->id, ret);
		break;
	}
}

static void vcon_ctrl_handle(struct vcon_dev *vd, struct vcon_buf *buf)
{
	struct vcon_port *port;
	struct vcon_ctrl c = { };
	int verdict;

	verdict = vcon_ctrl_decode((const u8 *)buf->data, buf->len,
				   virtio_is_little_endian(vd->vdev),
				   vd->max_nr_ports, &c);
	if (verdict) {
		vcon_ctrl_reject(vd, &c, verdict);
		return;
	}
	port = vcon_port_find(vd, c.id);
	verdict = vcon_ctrl_check(&c, READ_ONCE(vd->ready), !!port);
	if (verdict == VCON_CTRL_EDUP) {
		/*
		 * As in-tree, the host hears the port is ready once more.
		 * After a restore the host adds every port again: no news.
		 */
		vcon_ctrl_send(vd, c.id, VIRTIO_CONSOLE_PORT_READY, 1);
		if (!READ_ONCE(vd->restored))
			vcon_ctrl_reject(vd, &c, verdict);
	} else if (verdict) {
		vcon_ctrl_reject(vd, &c, verdict);
	} else if (c.event == VIRTIO_CONSOLE_PORT_ADD) {
		vcon_ctrl_port_add(vd, c.id);
	} else {
		vcon_ctrl_act(vd, port, &c, (const u8 *)buf->data);
	}
	if (port)
		vcon_port_put(port);
}

/*
 * Process context for everything the host tells us: port add/remove
 * create devices and sleep. One instance per device at a time (a work
 * item), which also serialises every port add, remove and rename.
 */
void vcon_ctrl_work(struct work_struct *work)
{
	struct vcon_dev *vd = container_of(work, struct vcon_dev, control_work);
	struct vcon_buf *buf;
	unsigned int len;

	spin_lock_irq(&vd->c_ivq_lock);
	while (!READ_ONCE(vd->removing) &&
	       (buf = virtqueue_get_buf(vd->c_ivq, &len))) {
		spin_unlock_irq(&vd->c_ivq_lock);

		buf->len = min_t(size_t, len, buf->size);
		vcon_ctrl_handle(vd, buf);

		spin_lock_irq(&vd->c_ivq_lock);
		if (vcon_ctrl_queue_in(vd, buf)) {
			dev_warn_ratelimited(&vd->vdev->dev,
					     "control buffer lost\n");
			vcon_buf_free(buf);
		} else {
			virtqueue_kick(vd->c_ivq);
		}
	}
	spin_unlock_irq(&vd->c_ivq_lock);
}
