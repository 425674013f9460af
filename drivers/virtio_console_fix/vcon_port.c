// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: creation and removal, their queues and the interrupt callbacks.
 *
 * The rule this driver exists for (Documentation/virtio_console_fix.md):
 * whoever frees out-vq slots wakes port->waitqueue. vring_interrupt() does
 * not call out_intr when somebody else already took the used buffers, so
 * any reclaim outside out_intr that does not wake can strand a writer that
 * sleeps on "queue full" with nothing left in flight to wake it. The same
 * holds for the in-vq: whoever moves a used buffer into inbuf wakes.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/virtio_config.h>

#include "vcon.h"
#include "vcon_hvc.h"

/* All ports of all devices, so open() can find one by its dev_t. */
static LIST_HEAD(vcon_port_all);
static DEFINE_SPINLOCK(vcon_port_all_lock);

static void vcon_port_release(struct kref *kref)
{
	struct vcon_port *port = container_of(kref, struct vcon_port, kref);
	struct vcon_dev *vd = port->vd;
	unsigned int i;

	/* The last reference, maybe in an interrupt: nobody else looks. */
	for (i = 0; i < port->pool_n; i++)
		__free_pages(port->pool[i].page, port->pool[i].order);
	vcon_buf_free(port->inbuf);
	kfree(port->name);
	kfree(port);
	vcon_dev_put(vd);
}

void vcon_port_put(struct vcon_port *port)
{
	kref_put(&port->kref, vcon_port_release);
}

/* Find a live port of @vd and take a reference; callable from IRQs. */
struct vcon_port *vcon_port_find(struct vcon_dev *vd, u32 id)
{
	struct vcon_port *port, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&vd->ports_lock, flags);
	list_for_each_entry(port, &vd->ports, list) {
		if (port->id == id) {
			kref_get(&port->kref);
			found = port;
			break;
		}
	}
	spin_unlock_irqrestore(&vd->ports_lock, flags);
	return found;
}

struct vcon_port *vcon_port_find_devt(dev_t devt)
{
	struct vcon_port *port, *found = NULL;

	spin_lock_irq(&vcon_port_all_lock);
	list_for_each_entry(port, &vcon_port_all, all) {
		if (port->devt == devt) {
			kref_get(&port->kref);
			found = port;
			break;
		}
	}
	spin_unlock_irq(&vcon_port_all_lock);
	return found;
}

static struct vcon_port *vcon_port_of_vq(struct virtqueue *vq)
{
	struct vcon_dev *vd = vq->vdev->priv;

	return vcon_port_find(vd, vcon_vq_port_id(vq->index));
}

/*
 * Free the out buffers the device has used. Caller holds outvq_lock and
 * must wake port->waitqueue after unlocking when this returns non-zero.
 */
static unsigned int vcon_port_reclaim(struct vcon_port *port)
{
	struct vcon_buf *buf;
	unsigned int len, n = 0;

	if (!port->out_vq || port->unplugged)
		return 0;
	while ((buf = virtqueue_get_buf(port->out_vq, &len))) {
		port->out_inflight -= min(port->out_inflight, buf->len);
		vcon_buf_recycle_locked(port, buf);
		n++;
	}
	if (n)
		port->outvq_full = false;
	return n;
}

/* A reclaim site outside out_intr: it keeps the invariant by waking. */
void vcon_port_reclaim_and_wake(struct vcon_port *port)
{
	unsigned long flags;
	unsigned int freed;

	spin_lock_irqsave(&port->outvq_lock, flags);
	freed = vcon_port_reclaim(port);
	spin_unlock_irqrestore(&port->outvq_lock, flags);
	if (freed) {
		wake_up_interruptible(&port->waitqueue);
		kill_fasync(&port->async_queue, SIGIO, POLL_OUT);
	}
}

/*
 * Queue @buf (buf->len bytes) on the port's out-vq and notify the host.
 * Returns 0 (the queue owns @buf), -EAGAIN when no slot is free on a
 * working queue (the host will return one), -ESHUTDOWN while there is no
 * queue (frozen, or a restore failed), -ENODEV once the port or the
 * device is gone. Only -EAGAIN is worth retrying without sleeping: hvc
 * spins on it. Never sleeps: also the console's printk path.
 */
int vcon_port_send(struct vcon_port *port, struct vcon_buf *buf)
{
	struct scatterlist sg[VCON_CHUNKS];
	unsigned long flags;
	unsigned int freed, nsg;
	int ret;

	spin_lock_irqsave(&port->outvq_lock, flags);
	if (port->unplugged) {
		spin_unlock_irqrestore(&port->outvq_lock, flags);
		return -ENODEV;
	}
	if (!port->out_vq) {
		spin_unlock_irqrestore(&port->outvq_lock, flags);
		return -ESHUTDOWN;
	}
	if (virtqueue_is_broken(port->out_vq)) {
		/* Removal broke it: no buffer comes back, ever. */
		spin_unlock_irqrestore(&port->outvq_lock, flags);
		return -ENODEV;
	}
	freed = vcon_port_reclaim(port);
	if (!port->out_vq->num_free || port->out_inflight >= VCON_OUT_BUDGET) {
		/*
		 * Everything is in flight at the host: when it returns a
		 * buffer, out_intr runs (or whoever reclaims first wakes).
		 * Over the budget something is in flight too.
		 */
		port->outvq_full = true;
		ret = -EAGAIN;
		goto out_unlock;
	}
	nsg = vcon_buf_sg(buf, sg);
	ret = virtqueue_add_outbuf(port->out_vq, sg, nsg, buf, GFP_ATOMIC);
	if (ret == -ENOSPC && port->out_vq->num_free <
	    virtqueue_get_vring_size(port->out_vq)) {
		/* No indirect descriptors and not enough slots: wait. */
		port->outvq_full = true;
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (!ret) {
		port->out_inflight += buf->len;
		port->stats.out_bufs++;
		port->stats.out_bytes += buf->len;
		if (virtqueue_kick_prepare(port->out_vq)) {
			virtqueue_notify(port->out_vq);
			port->stats.kicks++;
		}
		if (!port->out_vq->num_free ||
		    port->out_inflight >= VCON_OUT_BUDGET)
			port->outvq_full = true;
	}
out_unlock:
	spin_unlock_irqrestore(&port->outvq_lock, flags);
	/*
	 * Invariant: we freed slots, so we wake (other writers, pollers).
	 * wq_has_sleeper() orders our outvq_full store before its look at
	 * the queue, against wait_event()'s enqueue before its check: a
	 * sleeper is either seen here or sees the freed slots. It saves the
	 * streaming writer, the usual caller, a wake_up() of nobody.
	 */
	if (freed) {
		if (wq_has_sleeper(&port->waitqueue))
			wake_up_interruptible(&port->waitqueue);
		kill_fasync(&port->async_queue, SIGIO, POLL_OUT);
	}
	return ret;
}

/*
 * The device used some of our out buffers. It always wakes: poll() no
 * longer reclaims, so an interrupt that reaches us is never one whose
 * buffers somebody took silently. It reclaims only when the queue was
 * full, the one state in which anybody waits for a slot: otherwise the
 * next send reclaims, as in-tree, and leaving the used index alone keeps
 * the device from interrupting for every buffer it returns (with
 * EVENT_IDX it interrupts again only after the next reclaim).
 */
void vcon_out_intr(struct virtqueue *vq)
{
	struct vcon_port *port = vcon_port_of_vq(vq);
	unsigned long flags;
	unsigned int freed = 0;

	if (!port)
		return;
	spin_lock_irqsave(&port->outvq_lock, flags);
	port->stats.out_intrs++;
	if (port->outvq_full)
		freed = vcon_port_reclaim(port);
	spin_unlock_irqrestore(&port->outvq_lock, flags);
	wake_up_interruptible(&port->waitqueue);
	if (freed)
		kill_fasync(&port->async_queue, SIGIO, POLL_OUT);
	vcon_port_put(port);
}

static int vcon_port_queue_inbuf(struct vcon_port *port,
				 struct vcon_buf *buf)
{
	struct scatterlist sg;

	buf->len = 0;
	buf->offset = 0;
	sg_init_one(&sg, buf->data, buf->size);
	return virtqueue_add_inbuf(port->in_vq, &sg, 1, buf, GFP_ATOMIC);
}

/* Give a consumed in buffer back to the device. Caller: inbuf_lock. */
static void vcon_port_recycle(struct vcon_port *port, struct vcon_buf *buf)
{
	if (port->unplugged || !port->in_vq ||
	    vcon_port_queue_inbuf(port, buf)) {
		vcon_buf_free(buf);
		return;
	}
	if (virtqueue_kick_prepare(port->in_vq)) {
		virtqueue_notify(port->in_vq);
		port->stats.in_kicks++;
	}
}

/*
 * Move the next used in buffer into inbuf. Caller holds inbuf_lock and
 * wakes the waiters when this returns true: once taken, vring_interrupt()
 * finds nothing and in_intr never runs for it, so a reader asleep in
 * another thread would wait for the next input.
 *
 * SIGIO is queued here, before the lock drops and any reader can see the
 * data: an O_ASYNC owner that reads it has had its signal (in-tree does
 * the same). Sent after the unlock, a reader woken by something else
 * (a hangup) could return the data before its SIGIO.
 */
static bool vcon_port_pull(struct vcon_port *port)
{
	struct vcon_buf *buf;
	unsigned int len;

	if (port->inbuf || port->unplugged || !port->in_vq)
		return false;
	buf = virtqueue_get_buf(port->in_vq, &len);
	if (!buf)
		return false;
	/* The device reports the length; never believe more than we gave. */
	buf->len = min_t(size_t, len, buf->size);
	buf->offset = 0;
	if (!buf->len) {
		vcon_port_recycle(port, buf);
		return false;
	}
	port->inbuf = buf;
	port->stats.in_bufs++;
	port->stats.in_bytes += buf->len;
	kill_fasync(&port->async_queue, SIGIO, POLL_IN);
	return true;
}

/* Drop all input: used buffers go straight back to the device. */
static void vcon_port_discard_locked(struct vcon_port *port)
{
	struct vcon_buf *buf;
	unsigned int len;

	if (port->inbuf) {
		vcon_port_recycle(port, port->inbuf);
		port->inbuf = NULL;
	}
	if (port->unplugged || !port->in_vq)
		return;
	while ((buf = virtqueue_get_buf(port->in_vq, &len)))
		vcon_port_recycle(port, buf);
}

/* The last file goes: drop its input and free the port for an opener. */
void vcon_port_release_input(struct vcon_port *port)
{
	spin_lock_irq(&port->inbuf_lock);
	vcon_port_discard_locked(port);
	port->guest_connected = false;
	spin_unlock_irq(&port->inbuf_lock);
}

/*
 * Readers: the buffer to copy from, or NULL. The buffer stays in inbuf
 * (only the reader holding read_mutex consumes it, in_intr only fills an
 * empty inbuf), so copying out of it needs no lock.
 */
struct vcon_buf *vcon_port_take_inbuf(struct vcon_port *port)
{
	struct vcon_buf *buf;
	unsigned long flags;
	bool pulled;

	spin_lock_irqsave(&port->inbuf_lock, flags);
	pulled = vcon_port_pull(port);
	buf = port->inbuf;
	spin_unlock_irqrestore(&port->inbuf_lock, flags);
	if (pulled)
		wake_up_interruptible(&port->waitqueue);
	return buf;
}

/*
 * Is there input to read? Also takes a used buffer whose interrupt has not
 * been handled yet: a host that sends and hangs up at once may have its
 * control message seen first, and its data must still come before EOF.
 */
bool vcon_port_has_input(struct vcon_port *port)
{
	return vcon_port_take_inbuf(port);
}

/* inbuf is fully read: recycle it and pull the next one, waking if so. */
void vcon_port_done_inbuf(struct vcon_port *port)
{
	unsigned long flags;
	bool pulled;

	spin_lock_irqsave(&port->inbuf_lock, flags);
	if (port->inbuf && port->inbuf->offset >= port->inbuf->len) {
		vcon_port_recycle(port, port->inbuf);
		port->inbuf = NULL;
	}
	pulled = vcon_port_pull(port);
	spin_unlock_irqrestore(&port->inbuf_lock, flags);
	if (pulled)
		wake_up_interruptible(&port->waitqueue);
}

void vcon_in_intr(struct virtqueue *vq)
{
	struct vcon_port *port = vcon_port_of_vq(vq);
	unsigned long flags;

	if (!port)
		return;
	spin_lock_irqsave(&port->inbuf_lock, flags);
	port->stats.in_intrs++;
	vcon_port_pull(port);
	/*
	 * Nobody has the port open: drop the data rather than let the host
	 * block on a full queue (what the in-tree driver does too).
	 */
	if (!port->guest_connected && !port->is_console)
		vcon_port_discard_locked(port);
	spin_unlock_irqrestore(&port->inbuf_lock, flags);

	wake_up_interruptible(&port->waitqueue);
	if (port->is_console)
		hvc_kick();
	vcon_port_put(port);
}

/*
 * Give the device as many empty in buffers as the queue takes. Process
 * context: the pages are allocated outside the lock, as in-tree, so a
 * queue of 256 pages does not dip into the atomic reserves.
 */
int vcon_port_fill_in(struct vcon_port *port)
{
	struct vcon_buf *buf;
	unsigned int n = 0;
	bool room = true;
	int ret = 0;

	while (room) {
		buf = vcon_buf_alloc(PAGE_SIZE, GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		spin_lock_irq(&port->inbuf_lock);
		if (!port->in_vq || !port->in_vq->num_free ||
		    vcon_port_queue_inbuf(port, buf)) {
			room = false;
		} else {
			buf = NULL;
			n++;
			room = port->in_vq->num_free;
		}
		spin_unlock_irq(&port->inbuf_lock);
		vcon_buf_free(buf);
	}
	if (n) {
		spin_lock_irq(&port->inbuf_lock);
		if (port->in_vq)
			virtqueue_kick(port->in_vq);
		spin_unlock_irq(&port->inbuf_lock);
	}
	/* A port that got at least one buffer works, only slower. */
	return n ? 0 : ret;
}

/* Free the used buffers of @vq and, after a reset, the unused ones. */
void vcon_vq_drain(struct virtqueue *vq, bool reset)
{
	struct vcon_buf *buf;
	unsigned int len;

	while ((buf = virtqueue_get_buf(vq, &len)))
		vcon_buf_free(buf);
	/*
	 * Buffers the device has not used are still its own (a packed ring
	 * keeps them visible to it) until the device is reset: when the host
	 * merely removed the port they stay queued, for the next port with
	 * this id or for the sweep after the reset (vcon_dev.c).
	 */
	while (reset && (buf = virtqueue_detach_unused_buf(vq)))
		vcon_buf_free(buf);
}

/*
 * Let go of the port's queues, freeing what the device has used, and
 * with @reset (the device was reset: remove, freeze) everything else.
 */
void vcon_port_drain(struct vcon_port *port, bool reset)
{
	spin_lock_irq(&port->inbuf_lock);
	if (port->in_vq)
		vcon_vq_drain(port->in_vq, reset);
	port->in_vq = NULL;
	spin_unlock_irq(&port->inbuf_lock);

	spin_lock_irq(&port->outvq_lock);
	if (port->out_vq)
		vcon_vq_drain(port->out_vq, reset);
	port->out_vq = NULL;
	port->outvq_full = false;
	port->out_inflight = 0;
	spin_unlock_irq(&port->outvq_lock);
	/* Slots were freed: writers re-check (and see -ENODEV or space). */
	wake_up_interruptible(&port->waitqueue);
}

void vcon_port_set_host_connected(struct vcon_port *port, bool on)
{
	WRITE_ONCE(port->host_connected, on);
	/* Before any wake, for the reason given at vcon_port_pull(). */
	kill_fasync(&port->async_queue, SIGIO, on ? POLL_OUT : POLL_HUP);
	/* Freed slots are woken for inside; the state change needs its own. */
	vcon_port_reclaim_and_wake(port);
	wake_up_interruptible(&port->waitqueue);
}

static ssize_t vcon_name_show(struct device *dev,
			      struct device_attribute *attr, char *out)
{
	struct vcon_port *port = dev_get_drvdata(dev);

	return sysfs_emit(out, "%s\n", port->name);
}

static struct device_attribute vcon_attr_name =
	__ATTR(name, 0444, vcon_name_show, NULL);

static struct attribute *vcon_port_attrs[] = {
	&vcon_attr_name.attr,
	NULL,
};

static const struct attribute_group vcon_port_group = {
	.attrs = vcon_port_attrs,
};

/*
 * PORT_NAME: publish the name as sysfs "name" and tell udev, whose rule
 * (SUBSYSTEM=="virtio-ports", ATTR{name}) makes /dev/virtio-ports/NAME.
 * The attribute exists only once there is a name, as in-tree.
 */
int vcon_port_set_name(struct vcon_port *port, const char *name, size_t len)
{
	int ret;

	/* Restore: the host names its ports again. Only a new name is news. */
	if (port->name)
		return strlen(port->name) == len &&
		       !memcmp(port->name, name, len) ? 0 : -EEXIST;
	port->name = kmemdup_nul(name, len, GFP_KERNEL);
	if (!port->name)
		return -ENOMEM;
	ret = sysfs_create_group(&port->dev->kobj, &vcon_port_group);
	if (ret) {
		kfree(port->name);
		port->name = NULL;
		return ret;
	}
	kobject_uevent(&port->dev->kobj, KOBJ_CHANGE);
	return 0;
}

/* Made with the first port, gone at module exit. */
static struct dentry *vcon_debugfs_root;
static DEFINE_MUTEX(vcon_debugfs_lock);

/*
 * Per port: the counters, and the memory the port holds now (in buffers
 * queued or being read, out bytes at the host, pooled chunks).
 */
static int vcon_stats_show(struct seq_file *m, void *unused)
{
	struct vcon_port *port = m->private;
	struct vcon_stats st;
	size_t in_mem = 0, pool_mem = 0, inflight;
	unsigned int i;

	spin_lock_irq(&port->inbuf_lock);
	if (port->in_vq)
		in_mem = (virtqueue_get_vring_size(port->in_vq) -
			  port->in_vq->num_free) *
			 (PAGE_SIZE + sizeof(struct vcon_buf));
	if (port->inbuf)
		in_mem += port->inbuf->size + sizeof(struct vcon_buf);
	spin_unlock_irq(&port->inbuf_lock);
	spin_lock_irq(&port->outvq_lock);
	st = port->stats;
	inflight = port->out_inflight;
	for (i = 0; i < port->pool_n; i++)
		pool_mem += PAGE_SIZE << port->pool[i].order;
	spin_unlock_irq(&port->outvq_lock);

	seq_printf(m, "kicks %lu\nout_bufs %lu\nout_bytes %lu\nout_intrs %lu\n",
		   st.kicks, st.out_bufs, st.out_bytes, st.out_intrs);
	seq_printf(m, "in_intrs %lu\nin_bufs %lu\nin_bytes %lu\nin_kicks %lu\n",
		   st.in_intrs, st.in_bufs, st.in_bytes, st.in_kicks);
	seq_printf(m, "chunk_allocs %lu\npage_chunks %lu\n", st.chunk_allocs,
		   st.page_chunks);
	seq_printf(m, "mem_in %zu\nmem_out %zu\nmem_pool %zu\n", in_mem,
		   inflight, pool_mem);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcon_stats);

static struct dentry *vcon_debugfs_dir(void)
{
	mutex_lock(&vcon_debugfs_lock);
	if (!vcon_debugfs_root)
		vcon_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	mutex_unlock(&vcon_debugfs_lock);
	return vcon_debugfs_root;
}

void vcon_debugfs_exit(void)
{
	debugfs_remove(vcon_debugfs_root);
}

static int vcon_port_chrdev_init(struct vcon_port *port)
{
	struct vcon_dev *vd = port->vd;
	int ret;

	port->cdev = cdev_alloc();
	if (!port->cdev)
		return -ENOMEM;
	port->cdev->ops = &vcon_fops;
	port->cdev->owner = THIS_MODULE;
	ret = cdev_add(port->cdev, port->devt, 1);
	if (ret)
		goto err_cdev;
	port->dev = device_create(vcon_class, &vd->vdev->dev, port->devt, port,
				  "vport%up%u", vd->vdev->index, port->id);
	if (IS_ERR(port->dev)) {
		ret = PTR_ERR(port->dev);
		goto err_cdev;
	}
	/* Best effort, as debugfs always is: the port works without it. */
	port->debugfs = debugfs_create_file(dev_name(port->dev), 0444,
					    vcon_debugfs_dir(), port,
					    &vcon_stats_fops);
	return 0;

err_cdev:
	cdev_del(port->cdev);
	port->cdev = NULL;
	return ret;
}

static void vcon_port_chrdev_uninit(struct vcon_port *port)
{
	/* Waits for readers of the file: the port outlives them. */
	debugfs_remove(port->debugfs);
	port->debugfs = NULL;
	if (port->name)
		sysfs_remove_group(&port->dev->kobj, &vcon_port_group);
	device_destroy(vcon_class, port->devt);
	cdev_del(port->cdev);
}

int vcon_port_add(struct vcon_dev *vd, u32 id)
{
	struct vcon_port *port;
	int ret;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	kref_init(&port->kref);
	kref_get(&vd->kref);
	port->vd = vd;
	port->id = id;
	port->devt = MKDEV(MAJOR(vd->devt_base), MINOR(vd->devt_base) + id);
	port->in_vq = vd->in_vqs[id];
	port->out_vq = vd->out_vqs[id];
	/*
	 * A port of this id that the host removed may have left buffers.
	 * What the device wrote was meant for that port: drop it. What it
	 * has not used stays queued, now ours.
	 */
	if (port->in_vq)
		vcon_vq_drain(port->in_vq, false);
	spin_lock_init(&port->inbuf_lock);
	spin_lock_init(&port->outvq_lock);
	mutex_init(&port->read_mutex);
	init_waitqueue_head(&port->waitqueue);
	INIT_LIST_HEAD(&port->cons_list);

	ret = vcon_port_chrdev_init(port);
	if (ret)
		goto err_free;
	ret = vcon_port_fill_in(port);
	if (ret)
		goto err_chrdev;

	/* Visible to the callbacks before the host may use the queues. */
	spin_lock_irq(&vd->ports_lock);
	list_add_tail(&port->list, &vd->ports);
	spin_unlock_irq(&vd->ports_lock);
	spin_lock_irq(&vcon_port_all_lock);
	list_add_tail(&port->all, &vcon_port_all);
	spin_unlock_irq(&vcon_port_all_lock);

	if (vd->multiport)
		vcon_ctrl_send(vd, id, VIRTIO_CONSOLE_PORT_READY, 1);
	else
		vcon_cons_attach(port);
	return 0;

err_chrdev:
	vcon_port_drain(port, false);
	vcon_port_chrdev_uninit(port);
err_free:
	vcon_port_put(port);
	return ret;
}

/*
 * Take the port away: waiters wake and get -ENODEV, the console and the
 * device node go, and the last reference (an open file, a callback) frees
 * the memory. @reset: the caller reset the device, so every buffer can
 * go; otherwise (PORT_REMOVE) only those the device has used.
 */
void vcon_port_unplug(struct vcon_port *port, bool reset)
{
	struct vcon_dev *vd = port->vd;

	spin_lock_irq(&vd->ports_lock);
	list_del(&port->list);
	spin_unlock_irq(&vd->ports_lock);
	spin_lock_irq(&vcon_port_all_lock);
	list_del(&port->all);
	spin_unlock_irq(&vcon_port_all_lock);

	spin_lock_irq(&port->inbuf_lock);
	spin_lock(&port->outvq_lock);
	port->unplugged = true;
	spin_unlock(&port->outvq_lock);
	spin_unlock_irq(&port->inbuf_lock);

	if (port->is_console)
		vcon_cons_detach(port);
	vcon_port_drain(port, reset);
	wake_up_interruptible(&port->waitqueue);
	kill_fasync(&port->async_queue, SIGIO, POLL_HUP);

	vcon_port_chrdev_uninit(port);
	vcon_port_put(port);
}
