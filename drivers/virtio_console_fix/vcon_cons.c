// SPDX-License-Identifier: GPL-2.0
/*
 * Console ports through hvc: /dev/hvcN and console=hvcN. hvc calls us by
 * vtermno, so console ports sit on a list keyed by it; the lock is held
 * across each callback, which is how removal knows no callback still uses
 * a port once it is off the list. Output never waits for the host: a full
 * queue answers -EAGAIN and hvc retries (the printk path spins in
 * hvc_console_print() calling our flush, which reclaims). Only a full
 * working queue answers -EAGAIN: without queues (frozen, restore failed)
 * or on a broken device nothing will free a slot, so hvc gets -EPIPE and
 * drops the output instead of spinning forever.
 */
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>

#include "vcon.h"
#include "vcon_hvc.h"

/* Console ports by vtermno; taken from any context, printk included. */
static DEFINE_SPINLOCK(vcon_cons_lock);
static LIST_HEAD(vcon_cons_ports);
/* vtermno 0 is the early console slot in-tree; we start at 1 as it does. */
static u32 vcon_next_vtermno = 1;

static struct vcon_port *vcon_cons_find(u32 vtermno)
{
	struct vcon_port *port;

	list_for_each_entry(port, &vcon_cons_ports, cons_list)
		if (port->vtermno == vtermno)
			return port;
	return NULL;
}

static VCON_HVC_RET vcon_cons_put_chars(u32 vtermno,
					const VCON_HVC_CHAR *data,
					VCON_HVC_COUNT count)
{
	struct vcon_port *port;
	struct vcon_buf *buf;
	unsigned long flags;
	int ret;

	if (!count)
		return 0;
	buf = vcon_buf_alloc(count, GFP_ATOMIC);
	if (!buf)
		return count;	/* drop rather than spin in printk */
	memcpy(buf->data, data, count);
	buf->len = count;

	spin_lock_irqsave(&vcon_cons_lock, flags);
	port = vcon_cons_find(vtermno);
	ret = port ? vcon_port_send(port, buf) : -EPIPE;
	spin_unlock_irqrestore(&vcon_cons_lock, flags);
	if (ret) {
		vcon_buf_free(buf);
		return ret == -EAGAIN ? -EAGAIN : -EPIPE;
	}
	return count;
}

static VCON_HVC_RET vcon_cons_get_chars(u32 vtermno, VCON_HVC_CHAR *out,
					VCON_HVC_COUNT count)
{
	struct vcon_port *port;
	struct vcon_buf *buf;
	unsigned long flags;
	size_t n = 0;

	spin_lock_irqsave(&vcon_cons_lock, flags);
	port = vcon_cons_find(vtermno);
	if (!port) {
		spin_unlock_irqrestore(&vcon_cons_lock, flags);
		return -EPIPE;
	}
	/* hvc calls us one at a time per vterm: nobody else reads inbuf. */
	buf = vcon_port_take_inbuf(port);
	if (buf && count) {
		n = min_t(size_t, count, buf->len - buf->offset);
		memcpy(out, buf->data + buf->offset, n);
		buf->offset += n;
		if (buf->offset >= buf->len)
			vcon_port_done_inbuf(port);
	}
	spin_unlock_irqrestore(&vcon_cons_lock, flags);
	return n;
}

/* hvc_console_print() spins on -EAGAIN calling this: free used slots. */
static int vcon_cons_flush(u32 vtermno, bool wait)
{
	struct vcon_port *port;
	unsigned long flags;

	spin_lock_irqsave(&vcon_cons_lock, flags);
	port = vcon_cons_find(vtermno);
	if (port)
		vcon_port_reclaim_and_wake(port);
	spin_unlock_irqrestore(&vcon_cons_lock, flags);
	return 0;
}

static const struct hv_ops vcon_hv_ops = {
	.get_chars = vcon_cons_get_chars,
	.put_chars = vcon_cons_put_chars,
	.flush = vcon_cons_flush,
};

/*
 * Caller: the control work (or probe). __hvc_resize() expects hp->lock,
 * which lives in the private struct hvc_struct we refuse to depend on.
 * We are its only caller for our vterms and are serialised per device,
 * so the unlocked store can only race with hvc's resize work reading
 * hp->ws; at worst that work applies a size one update late.
 */
void vcon_cons_resize(struct vcon_port *port, u16 rows, u16 cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	port->rows = rows;
	port->cols = cols;
	if (port->hvc)
		__hvc_resize(port->hvc, ws);
}

int vcon_cons_attach(struct vcon_port *port)
{
	struct vcon_dev *vd = port->vd;
	bool host = READ_ONCE(port->host_connected);
	struct hvc_struct *hvc;

	/* On the list first: hvc_alloc() may replay the log through us. */
	spin_lock_irq(&vcon_cons_lock);
	port->vtermno = vcon_next_vtermno++;
	port->is_console = true;
	list_add_tail(&port->cons_list, &vcon_cons_ports);
	spin_unlock_irq(&vcon_cons_lock);

	spin_lock_irq(&port->inbuf_lock);
	port->guest_connected = true;
	spin_unlock_irq(&port->inbuf_lock);
	WRITE_ONCE(port->host_connected, true);

	if (vcon_fault(VCON_FAULT_HVC))
		hvc = ERR_PTR(-ENOMEM);
	else
		hvc = hvc_alloc(port->vtermno, port->vtermno, &vcon_hv_ops,
				PAGE_SIZE);
	if (IS_ERR(hvc)) {
		spin_lock_irq(&vcon_cons_lock);
		list_del_init(&port->cons_list);
		port->is_console = false;
		spin_unlock_irq(&vcon_cons_lock);
		/* An ordinary port again: free for an opener, as it was. */
		spin_lock_irq(&port->inbuf_lock);
		port->guest_connected = false;
		spin_unlock_irq(&port->inbuf_lock);
		WRITE_ONCE(port->host_connected, host);
		return PTR_ERR(hvc);
	}
	port->hvc = hvc;

	if (!vd->multiport &&
	    virtio_has_feature(vd->vdev, VIRTIO_CONSOLE_F_SIZE)) {
		u16 rows, cols;

		virtio_cread(vd->vdev, struct virtio_console_config, rows,
			     &rows);
		virtio_cread(vd->vdev, struct virtio_console_config, cols,
			     &cols);
		vcon_cons_resize(port, rows, cols);
	}
	/* The host learns the console is open, as with the in-tree driver. */
	vcon_ctrl_send(vd, port->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
	hvc_kick();
	return 0;
}

void vcon_cons_detach(struct vcon_port *port)
{
	spin_lock_irq(&vcon_cons_lock);
	list_del_init(&port->cons_list);
	spin_unlock_irq(&vcon_cons_lock);
	/* No callback uses the port now; hvc stops calling for the vterm. */
	if (port->hvc)
		hvc_remove(port->hvc);
	port->hvc = NULL;
}
