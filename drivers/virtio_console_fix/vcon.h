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
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vcon_proto.h"

struct hvc_struct;
struct iov_iter;
struct scatterlist;

/*
 * Writes: up to VCON_COPY_MAX bytes are copied into one small buffer;
 * larger ones into up to VCON_CHUNKS chunks of VCON_CHUNK_SIZE, one
 * buffer and one kick for up to VCON_WRITE_MAX bytes (vcon_buf.c).
 */
#define VCON_COPY_MAX		PAGE_SIZE
#define VCON_CHUNK_SIZE		(32 * 1024)
#define VCON_CHUNK_ORDER	get_order(VCON_CHUNK_SIZE)
#define VCON_CHUNKS		4
#define VCON_WRITE_MAX		(VCON_CHUNKS * VCON_CHUNK_SIZE)
/*
 * Bytes a port may have at the host before writers wait: what the
 * in-tree driver's 128 slots of 32 KiB come to at most is 4 MiB; this is
 * enough to keep the host busy while bounding what a stalled host pins.
 */
#define VCON_OUT_BUDGET		(1024 * 1024)
/*
 * A port's chunks kept for its next writes: as many as may be at the
 * host, so a streaming writer allocates none once it ran a while (and a
 * fragmented memory does not turn its chunks into single pages).
 */
#define VCON_POOL_MAX		(VCON_OUT_BUDGET / VCON_CHUNK_SIZE)

struct vcon_chunk {
	struct page *page;
	unsigned int order;
	unsigned int len;
};

/* One buffer handed to the device, owned by the queue while queued. */
struct vcon_buf {
	char *data;		/* the bytes, unless in chunks */
	size_t size;		/* allocated bytes */
	size_t len;		/* bytes valid (in) or to send (out) */
	size_t offset;		/* bytes already read (in) */
	unsigned int nr_chunks;
	struct vcon_chunk chunk[];
};

/* Counters for debugfs (Documentation/virtio_console_fix.md). */
struct vcon_stats {
	unsigned long kicks;		/* out-vq notifications */
	unsigned long out_bufs;		/* buffers queued to the host */
	unsigned long out_bytes;
	unsigned long out_intrs;	/* out_intr calls */
	unsigned long in_intrs;		/* in_intr calls */
	unsigned long in_bufs;		/* used in buffers taken */
	unsigned long in_bytes;
	unsigned long in_kicks;		/* in-vq notifications */
	unsigned long chunk_allocs;	/* chunks not found in the pool */
	unsigned long page_chunks;	/* of those, single pages (fragmented) */
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
	/* Control messages queued so far, under c_ovq_lock. */
	unsigned int ctrl_sent;
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

	/*
	 * outvq_lock protects out_vq's buffers, outvq_full, out_inflight
	 * and the chunk pool.
	 */
	spinlock_t outvq_lock;
	struct virtqueue *out_vq;
	bool outvq_full;
	size_t out_inflight;		/* bytes queued, not yet reclaimed */
	unsigned int pool_n;
	struct vcon_chunk pool[VCON_POOL_MAX];

	struct vcon_stats stats;
	struct dentry *debugfs;

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
#define VCON_FAULT_PAGES		0x8	/* write chunks are single pages */
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
void vcon_ctrl_settle(struct vcon_dev *vd, unsigned long deadline);

/* vcon_buf.c */
struct vcon_buf *vcon_buf_alloc(size_t size, gfp_t gfp);
void vcon_buf_free(struct vcon_buf *buf);
struct vcon_buf *vcon_buf_from_iter(struct vcon_port *port, size_t count,
				    struct iov_iter *from, int *err);
unsigned int vcon_buf_sg(struct vcon_buf *buf, struct scatterlist *sg);
void vcon_buf_recycle_locked(struct vcon_port *port, struct vcon_buf *buf);
void vcon_buf_put(struct vcon_port *port, struct vcon_buf *buf);
void vcon_buf_pool_drain(struct vcon_port *port);

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

void vcon_debugfs_exit(void);

/* vcon_fops.c */
extern const struct file_operations vcon_fops;

/* vcon_cons.c */
int vcon_cons_attach(struct vcon_port *port);
void vcon_cons_detach(struct vcon_port *port);
void vcon_cons_resize(struct vcon_port *port, u16 rows, u16 cols);

#endif /* VCON_H */
