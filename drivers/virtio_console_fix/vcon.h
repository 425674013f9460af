/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of pvkit's virtio_console: a drop-in replacement of
 * drivers/char/virtio_console.c whose write/poll path cannot lose a
 * wakeup (Documentation/virtio_console_fix.md).
 */
#ifndef VCON_H
#define VCON_H

#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vcon_proto.h"

struct hvc_struct;

/* Largest write we queue in one buffer, as the in-tree driver does. */
#define VCON_WRITE_MAX		(32 * 1024)

/* One buffer handed to the device, owned by the queue while queued. */
struct vcon_buf {
	char *data;
	size_t size;		/* allocated bytes */
	size_t len;		/* bytes valid (in) or to send (out) */
	size_t offset;		/* bytes already read (in) */
};

struct vcon_dev {
	struct virtio_device *vdev;
	/* Ports keep the structure (not the device) alive: open files. */
	struct kref kref;

	/* Ports of this device; the list and its membership. */
	spinlock_t ports_lock;
	struct list_head ports;

	struct virtqueue *c_ivq, *c_ovq;
	struct virtqueue **in_vqs, **out_vqs;
	unsigned int nvqs;
	/* c_ivq buffers: the control work takes them, requeues them. */
	spinlock_t c_ivq_lock;
	/* c_ovq: control messages are queued and reclaimed under it. */
	spinlock_t c_ovq_lock;

	struct work_struct control_work;
	struct work_struct config_work;

	u32 max_nr_ports;
	dev_t devt_base;
	bool multiport;
	/* The device's byte order, kept so sends never read vdev. */
	bool le;
	/* DEVICE_READY is out: host messages count from here on. */
	bool ready;
	/* Probe is done: a later queue setup is a restore. */
	bool ready_once;
	/* A restore happened: the host re-announces ports we have. */
	bool restored;
	/* Set before teardown: no more work gets scheduled. */
	bool removing;
};

struct vcon_port {
	struct list_head list;		/* vcon_dev.ports */
	struct list_head all;		/* vcon_port_all, for open() */
	struct kref kref;
	struct vcon_dev *vd;
	u32 id;
	dev_t devt;

	/*
	 * inbuf_lock protects in_vq's buffers, inbuf and guest_connected.
	 * inbuf is the used buffer being read; only in_intr and readers
	 * move buffers from in_vq into it.
	 */
	spinlock_t inbuf_lock;
	struct virtqueue *in_vq;
	struct vcon_buf *inbuf;
	bool guest_connected;
	/* Serialises readers that copy out of inbuf without the lock. */
	struct mutex read_mutex;

	/* outvq_lock protects out_vq's buffers and outvq_full. */
	spinlock_t outvq_lock;
	struct virtqueue *out_vq;
	bool outvq_full;

	/* Set under both locks when the port goes away: -ENODEV. */
	bool unplugged;
	/* Written by the control work, read locklessly by waiters. */
	bool host_connected;

	wait_queue_head_t waitqueue;
	struct fasync_struct *async_queue;

	struct cdev *cdev;
	struct device *dev;
	char *name;

	/* Console ports (hvc), see vcon_cons.c. */
	bool is_console;
	struct list_head cons_list;
	struct hvc_struct *hvc;
	u32 vtermno;
	u16 rows, cols;
};

/*
 * Test hooks, all off by default (module parameter fault_inject, see
 * Documentation/virtio_console_fix.md): the selftests widen a race
 * window or fail a step that QEMU cannot make fail.
 */
#define VCON_FAULT_RELEASE_DELAY	0x1	/* release sleeps 2 s */
#define VCON_FAULT_RESTORE		0x2	/* restore finds no queues */
#define VCON_FAULT_HVC			0x4	/* console attach fails */
extern unsigned int vcon_fault_inject;

static inline bool vcon_fault(unsigned int what)
{
	return READ_ONCE(vcon_fault_inject) & what;
}

/* vcon_dev.c */
extern struct virtio_driver vcon_virtio_driver;
extern struct class *vcon_class;
void vcon_dev_put(struct vcon_dev *vd);

/* vcon_ctrl.c */
void vcon_ctrl_intr(struct virtqueue *vq);
void vcon_ctrl_work(struct work_struct *work);
int vcon_ctrl_send(struct vcon_dev *vd, u32 id, u16 event, u16 value);
int vcon_ctrl_fill(struct vcon_dev *vd);
void vcon_ctrl_drain(struct vcon_dev *vd);

/* vcon_buf.c */
struct vcon_buf *vcon_buf_alloc(size_t size, gfp_t gfp);
void vcon_buf_free(struct vcon_buf *buf);

/* vcon_port.c */
int vcon_port_add(struct vcon_dev *vd, u32 id);
void vcon_port_unplug(struct vcon_port *port, bool reset);
struct vcon_port *vcon_port_find(struct vcon_dev *vd, u32 id);
struct vcon_port *vcon_port_find_devt(dev_t devt);
void vcon_port_put(struct vcon_port *port);
int vcon_port_set_name(struct vcon_port *port, const char *name,
		       size_t len);
void vcon_port_set_host_connected(struct vcon_port *port, bool on);
int vcon_port_fill_in(struct vcon_port *port);
void vcon_vq_drain(struct virtqueue *vq, bool reset);
void vcon_port_drain(struct vcon_port *port, bool reset);
void vcon_port_reclaim_and_wake(struct vcon_port *port);
int vcon_port_send(struct vcon_port *port, struct vcon_buf *buf);
bool vcon_port_has_input(struct vcon_port *port);
struct vcon_buf *vcon_port_take_inbuf(struct vcon_port *port);
void vcon_port_done_inbuf(struct vcon_port *port);
void vcon_port_release_input(struct vcon_port *port);
void vcon_in_intr(struct virtqueue *vq);
void vcon_out_intr(struct virtqueue *vq);

/* vcon_fops.c */
extern const struct file_operations vcon_fops;

/* vcon_cons.c */
int vcon_cons_attach(struct vcon_port *port);
void vcon_cons_detach(struct vcon_port *port);
void vcon_cons_resize(struct vcon_port *port, u16 rows, u16 cols);

#endif /* VCON_H */
