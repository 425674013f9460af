// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vportNpM: one opener at a time, blocking and non-blocking read and
 * write, poll, SIGIO, splice (through write_iter).
 *
 * Writers sleep on "queue full" and are woken by whoever frees out-vq
 * slots (vcon_port.c). poll() never reclaims out-vq slots, because a
 * reclaim there takes the used buffers that vring_interrupt() would have
 * seen and so swallows the interrupt a sleeping writer needs. Read and
 * poll may take a used in buffer early: whoever does wakes the readers
 * (vcon_port_take_inbuf()), since its interrupt then finds nothing.
 */
#include <linux/delay.h>
#include <linux/freezer.h>
#include <linux/poll.h>
#include <linux/uio.h>

#include "vcon.h"

static bool vcon_write_would_block(struct vcon_port *port)
{
	bool ret;

	spin_lock_irq(&port->outvq_lock);
	if (port->unplugged)
		ret = false;
	else if (!port->out_vq)
		/* Frozen, or a restore failed: sleep (killable) until restore. */
		ret = true;
	else if (virtqueue_is_broken(port->out_vq))
		/* Nothing will ever free a slot: the send says -ENODEV. */
		ret = false;
	else if (!READ_ONCE(port->host_connected))
		ret = true;
	else
		ret = port->outvq_full;
	spin_unlock_irq(&port->outvq_lock);
	return ret;
}

static bool vcon_read_would_block(struct vcon_port *port)
{
	if (READ_ONCE(port->unplugged) || !READ_ONCE(port->host_connected))
		return false;
	return !vcon_port_has_input(port);
}

static int vcon_wait_writable(struct vcon_port *port, bool nonblock)
{
	int ret;

	if (vcon_write_would_block(port)) {
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_freezable(port->waitqueue,
					   !vcon_write_would_block(port));
		if (ret < 0)
			return ret;
	}
	return READ_ONCE(port->unplugged) ? -ENODEV : 0;
}

static bool vcon_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_filp->f_flags & O_NONBLOCK) ||
	       (iocb->ki_flags & IOCB_NOWAIT);
}

static ssize_t vcon_fop_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vcon_port *port = iocb->ki_filp->private_data;
	bool nonblock = vcon_nonblock(iocb);
	size_t count = iov_iter_count(from);
	struct vcon_buf *buf;
	ssize_t ret;
	int err;

	if (!count)
		return 0;
	ret = vcon_wait_writable(port, nonblock);
	if (ret)
		return ret;

	count = min_t(size_t, count, VCON_WRITE_MAX);
	if (count > VCON_COPY_MAX) {
		buf = vcon_buf_from_iter(port, count, from, &err);
		if (!buf)
			return err;
	} else {
		buf = vcon_buf_alloc(count, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		if (!copy_from_iter_full(buf->data, count, from)) {
			ret = -EFAULT;
			goto err_free;
		}
		buf->len = count;
	}
	/* The queue owns @buf once it is sent. */
	count = buf->len;

	/*
	 * Another writer may have taken the slot we waited for, or the
	 * queues went away (freeze): wait again. vcon_write_would_block()
	 * agrees with both answers, so this sleeps rather than spins.
	 */
	for (;;) {
		ret = vcon_port_send(port, buf);
		if (ret != -EAGAIN && ret != -ESHUTDOWN)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = vcon_wait_writable(port, false);
		if (ret)
			break;
	}
	if (ret)
		goto err_free;
	return count;

err_free:
	vcon_buf_put(port, buf);
	return ret;
}

/* Copy from inbuf; only the read_mutex holder consumes it. */
static ssize_t vcon_fill_readbuf(struct vcon_port *port, struct iov_iter *to)
{
	struct vcon_buf *buf;
	size_t n, copied;

	buf = vcon_port_take_inbuf(port);
	if (!buf)
		return 0;
	n = min(iov_iter_count(to), buf->len - buf->offset);
	copied = copy_to_iter(buf->data + buf->offset, n, to);
	if (!copied && n)
		return -EFAULT;
	buf->offset += copied;
	if (buf->offset >= buf->len)
		vcon_port_done_inbuf(port);
	return copied;
}

/*
 * As much as the reader asked for and the host has sent, over as many in
 * buffers as that takes: a large read is one system call, not one per
 * page the host filled.
 */
static ssize_t vcon_fill_readbuf_all(struct vcon_port *port,
				     struct iov_iter *to)
{
	ssize_t ret, total = 0;

	while (iov_iter_count(to)) {
		ret = vcon_fill_readbuf(port, to);
		if (ret <= 0)
			return total ? total : ret;
		total += ret;
	}
	return total;
}

static ssize_t vcon_fop_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct vcon_port *port = iocb->ki_filp->private_data;
	bool nonblock = vcon_nonblock(iocb);
	ssize_t ret;
	bool host;

	if (!iov_iter_count(to))
		return 0;
	for (;;) {
		if (READ_ONCE(port->unplugged))
			return -ENODEV;
		host = READ_ONCE(port->host_connected);
		/*
		 * The host queues its data before the hangup: having seen it
		 * connected or not, look for data, and only then call the
		 * port empty or at end of file.
		 */
		smp_rmb();
		mutex_lock(&port->read_mutex);
		ret = vcon_fill_readbuf_all(port, to);
		mutex_unlock(&port->read_mutex);
		if (ret || !host)
			return ret;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_freezable(port->waitqueue,
					   !vcon_read_would_block(port));
		if (ret < 0)
			return ret;
	}
}

/*
 * Never reclaims out-vq slots: a poll that did would steal the used
 * buffers from vring_interrupt() (see the top of this file).
 */
static __poll_t vcon_fop_poll(struct file *filp, poll_table *wait)
{
	struct vcon_port *port = filp->private_data;
	__poll_t mask = 0;
	bool host;

	poll_wait(filp, &port->waitqueue, wait);
	if (READ_ONCE(port->unplugged))
		return EPOLLHUP;
	host = READ_ONCE(port->host_connected);
	/* As in read: data sent before a hangup shows with it. */
	smp_rmb();
	if (vcon_port_has_input(port))
		mask |= EPOLLIN | EPOLLRDNORM;

	spin_lock_irq(&port->outvq_lock);
	if (host && port->out_vq && !port->outvq_full)
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock_irq(&port->outvq_lock);

	if (!host)
		mask |= EPOLLHUP;
	return mask;
}

static int vcon_fop_open(struct inode *inode, struct file *filp)
{
	struct vcon_port *port = vcon_port_find_devt(inode->i_rdev);
	int ret;

	if (!port)
		return -ENXIO;
	/* Console ports belong to hvc (/dev/hvcN), as in-tree. */
	if (port->is_console) {
		ret = -ENXIO;
		goto err_put;
	}
	spin_lock_irq(&port->inbuf_lock);
	if (port->guest_connected || port->unplugged) {
		ret = port->unplugged ? -ENXIO : -EBUSY;
		spin_unlock_irq(&port->inbuf_lock);
		goto err_put;
	}
	port->guest_connected = true;
	spin_unlock_irq(&port->inbuf_lock);

	filp->private_data = port;
	/* Leftovers of the last opener: a reclaim site, so it wakes. */
	vcon_port_reclaim_and_wake(port);
	vcon_ctrl_send(port->vd, port->id, VIRTIO_CONSOLE_PORT_OPEN, 1);
	return stream_open(inode, filp);

err_put:
	vcon_port_put(port);
	return ret;
}

static int vcon_fop_release(struct inode *inode, struct file *filp)
{
	struct vcon_port *port = filp->private_data;
	bool unplugged = READ_ONCE(port->unplugged);

	/* The device may go meanwhile: the send below copes (relfree.c). */
	if (vcon_fault(VCON_FAULT_RELEASE_DELAY))
		msleep(2000);
	/*
	 * As in-tree: the host hears PORT_OPEN 0 first, then the port is
	 * given up and its input dropped in one locked section. Until then
	 * guest_connected holds a new opener off (EBUSY), so its PORT_OPEN 1
	 * cannot overtake our 0 and no reader copies from the inbuf we
	 * recycle. vcon_ctrl_send() is safe on a device already removed.
	 */
	if (!unplugged)
		vcon_ctrl_send(port->vd, port->id, VIRTIO_CONSOLE_PORT_OPEN, 0);
	vcon_port_release_input(port);
	vcon_port_reclaim_and_wake(port);
	/* An idle port keeps no chunks for writes that may never come. */
	vcon_buf_pool_drain(port);
	vcon_port_put(port);
	return 0;
}

static int vcon_fop_fasync(int fd, struct file *filp, int mode)
{
	struct vcon_port *port = filp->private_data;

	return fasync_helper(fd, filp, mode, &port->async_queue);
}

const struct file_operations vcon_fops = {
	.owner = THIS_MODULE,
	.open = vcon_fop_open,
	.release = vcon_fop_release,
	.read_iter = vcon_fop_read_iter,
	.write_iter = vcon_fop_write_iter,
	.splice_write = iter_file_splice_write,
	.poll = vcon_fop_poll,
	.fasync = vcon_fop_fasync,
	.llseek = no_llseek,
};
