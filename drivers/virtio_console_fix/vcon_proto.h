/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure virtio-console control-message logic (virtio 1.x, section
 * 5.3.6.2): decoding, checking against the driver's state, encoding.
 * Static inlines over the UAPI header <linux/virtio_console.h>, which has
 * the wire format and the event numbers, so the kernel and the userspace
 * tests (selftests/virtio_console/unit/) run the very same code on one
 * definition of the format. Everything here treats the buffer as hostile:
 * the device chooses the length, the ids and the bytes.
 *
 * A message is a struct virtio_console_control, then an event payload:
 * RESIZE has struct vcon_ctrl_resize (the spec's virtio_console_resize,
 * which the UAPI header lacks), PORT_NAME the name, which the spec sends
 * without a terminator and QEMU with one. The bytes are read one by one:
 * the device's byte order is a parameter and nothing is assumed aligned.
 */
#ifndef VCON_PROTO_H
#define VCON_PROTO_H

#include <linux/types.h>
#include <linux/virtio_console.h>
#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

/* RESIZE's payload, columns first as in the spec. */
struct vcon_ctrl_resize {
	__virtio16 cols;
	__virtio16 rows;
};

#define VCON_CTRL_HDR_LEN	sizeof(struct virtio_console_control)
#define VCON_CTRL_RESIZE_LEN	sizeof(struct vcon_ctrl_resize)
#define VCON_CTRL_OFF_ID	offsetof(struct virtio_console_control, id)
#define VCON_CTRL_OFF_EVENT	offsetof(struct virtio_console_control, event)
#define VCON_CTRL_OFF_VALUE	offsetof(struct virtio_console_control, value)
#define VCON_CTRL_OFF_COLS	(VCON_CTRL_HDR_LEN + \
				 offsetof(struct vcon_ctrl_resize, cols))
#define VCON_CTRL_OFF_ROWS	(VCON_CTRL_HDR_LEN + \
				 offsetof(struct vcon_ctrl_resize, rows))

/* Longest port name we accept, without its NUL (udev makes it a path). */
#define VCON_NAME_MAX		255

/*
 * Ports we support per device: each port takes two virtqueues next to the
 * two control queues, and a PCI transport offers at most 1024 queues.
 */
#define VCON_MAX_PORTS		511

/* Verdicts: 0 accepts, anything else names why the message is dropped. */
enum vcon_ctrl_verdict {
	VCON_CTRL_OK = 0,
	VCON_CTRL_ESHORT,	/* shorter than the header */
	VCON_CTRL_EEVENT,	/* unknown event number */
	VCON_CTRL_EDIR,		/* a guest-to-host event sent by the host */
	VCON_CTRL_EID,		/* port id outside the device's range */
	VCON_CTRL_ESIZE,	/* RESIZE without its payload */
	VCON_CTRL_ENAME,	/* empty or oversized name */
	VCON_CTRL_ENOTREADY,	/* before we sent DEVICE_READY */
	VCON_CTRL_ENOPORT,	/* names a port we do not have */
	VCON_CTRL_EDUP,		/* PORT_ADD for a port we already have */
	VCON_CTRL_NR,
};

struct vcon_ctrl {
	__u32 id;
	__u16 event;
	__u16 value;
	__u32 name_off;		/* PORT_NAME: name bytes within the buffer */
	__u32 name_len;		/* without any terminator */
	__u16 cols;		/* RESIZE */
	__u16 rows;
};

static inline __u16 vcon_get16(const __u8 *p, int le)
{
	return le ? (__u16)(p[0] | p[1] << 8) : (__u16)(p[0] << 8 | p[1]);
}

static inline __u32 vcon_get32(const __u8 *p, int le)
{
	__u32 lo = vcon_get16(p, le), hi = vcon_get16(p + 2, le);

	return le ? (hi << 16 | lo) : (lo << 16 | hi);
}

static inline void vcon_put16(__u8 *p, __u16 v, int le)
{
	p[le ? 0 : 1] = v & 0xff;
	p[le ? 1 : 0] = v >> 8;
}

static inline void vcon_put32(__u8 *p, __u32 v, int le)
{
	vcon_put16(p + (le ? 0 : 2), v & 0xffff, le);
	vcon_put16(p + (le ? 2 : 0), v >> 16, le);
}

/* The header of a message to the device, into @buf (VCON_CTRL_HDR_LEN). */
static inline void vcon_ctrl_encode(__u8 *buf, __u32 id, __u16 event,
				    __u16 value, int le)
{
	vcon_put32(buf + VCON_CTRL_OFF_ID, id, le);
	vcon_put16(buf + VCON_CTRL_OFF_EVENT, event, le);
	vcon_put16(buf + VCON_CTRL_OFF_VALUE, value, le);
}

/*
 * Decode the @len bytes the device wrote at @buf. @le is the device's
 * byte order (virtio 1.x: always little-endian). Checks only what the
 * message itself can get wrong; vcon_ctrl_check() judges it against the
 * driver's state.
 */
static inline int vcon_ctrl_decode(const __u8 *buf, __u32 len, int le,
				   __u32 max_nr_ports, struct vcon_ctrl *c)
{
	__u32 i, n;

	if (len < VCON_CTRL_HDR_LEN)
		return VCON_CTRL_ESHORT;
	c->id = vcon_get32(buf + VCON_CTRL_OFF_ID, le);
	c->event = vcon_get16(buf + VCON_CTRL_OFF_EVENT, le);
	c->value = vcon_get16(buf + VCON_CTRL_OFF_VALUE, le);
	c->name_off = 0;
	c->name_len = 0;
	c->rows = 0;
	c->cols = 0;
	n = len - VCON_CTRL_HDR_LEN;

	switch (c->event) {
	case VIRTIO_CONSOLE_PORT_ADD:
	case VIRTIO_CONSOLE_PORT_REMOVE:
	case VIRTIO_CONSOLE_CONSOLE_PORT:
	case VIRTIO_CONSOLE_PORT_OPEN:
		break;
	case VIRTIO_CONSOLE_RESIZE:
		if (n < VCON_CTRL_RESIZE_LEN)
			return VCON_CTRL_ESIZE;
		c->cols = vcon_get16(buf + VCON_CTRL_OFF_COLS, le);
		c->rows = vcon_get16(buf + VCON_CTRL_OFF_ROWS, le);
		break;
	case VIRTIO_CONSOLE_PORT_NAME:
		/*
		 * The name runs to the first NUL or to the end of the
		 * message: the spec sends it without a terminator (as do
		 * hosts other than QEMU, and the in-tree driver takes it
		 * so), QEMU with one. What follows a NUL is padding. Empty
		 * and oversized names are refused; the port then works,
		 * only without its name. Never more than VCON_NAME_MAX + 1
		 * bytes are looked at.
		 */
		for (i = 0; i < n && i <= VCON_NAME_MAX; i++)
			if (!buf[VCON_CTRL_HDR_LEN + i])
				break;
		if (i == 0 || i > VCON_NAME_MAX)
			return VCON_CTRL_ENAME;
		c->name_off = VCON_CTRL_HDR_LEN;
		c->name_len = i;
		break;
	case VIRTIO_CONSOLE_DEVICE_READY:
	case VIRTIO_CONSOLE_PORT_READY:
		return VCON_CTRL_EDIR;
	default:
		return VCON_CTRL_EEVENT;
	}
	if (c->id >= max_nr_ports)
		return VCON_CTRL_EID;
	return VCON_CTRL_OK;
}

/*
 * Judge a decoded message against the driver's state: nothing counts
 * before DEVICE_READY went out, PORT_ADD needs a free id and every other
 * event an existing port.
 */
static inline int vcon_ctrl_check(const struct vcon_ctrl *c, int ready,
				  int port_exists)
{
	if (!ready)
		return VCON_CTRL_ENOTREADY;
	if (c->event == VIRTIO_CONSOLE_PORT_ADD)
		return port_exists ? VCON_CTRL_EDUP : VCON_CTRL_OK;
	return port_exists ? VCON_CTRL_OK : VCON_CTRL_ENOPORT;
}

static inline const char *vcon_ctrl_strerror(int verdict)
{
	static const char * const why[VCON_CTRL_NR] = {
		[VCON_CTRL_OK] = "ok",
		[VCON_CTRL_ESHORT] = "shorter than its header",
		[VCON_CTRL_EEVENT] = "unknown event",
		[VCON_CTRL_EDIR] = "guest-to-host event from the host",
		[VCON_CTRL_EID] = "port id out of range",
		[VCON_CTRL_ESIZE] = "resize without a size",
		[VCON_CTRL_ENAME] = "port name empty or too long",
		[VCON_CTRL_ENOTREADY] = "sent before DEVICE_READY",
		[VCON_CTRL_ENOPORT] = "no such port",
		[VCON_CTRL_EDUP] = "port already exists",
	};

	if (verdict < 0 || verdict >= VCON_CTRL_NR)
		return "?";
	return why[verdict];
}

/* Queue layout: in0, out0, control-in, control-out, in1, out1, ... */
static inline __u32 vcon_vq_port_id(__u32 vq_index)
{
	return vq_index < 2 ? 0 : (vq_index - 2) / 2;
}

static inline __u32 vcon_port_in_vq(__u32 id)
{
	return id ? 2 + 2 * id : 0;
}

#endif /* VCON_PROTO_H */
