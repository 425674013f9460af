/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console control messages (virtio 1.x, section 5.3.6.2), decoded
 * and checked as pure logic over <linux/types.h> so the kernel and the
 * userspace fuzz target (selftests/virtio_console/unit/) run the very same
 * code. Everything here treats the buffer as hostile: the device chooses
 * the length, the ids and the bytes.
 *
 * Wire format: le32 id, le16 event, le16 value, then an event payload
 * (RESIZE: le16 cols, le16 rows, in this order as in the spec's struct
 * virtio_console_resize; PORT_NAME: the name, which the spec sends
 * without a terminator and QEMU sends with one).
 */
#ifndef VCON_ABI_H
#define VCON_ABI_H

#include <linux/types.h>

/* Events, numbered and named as in the virtio specification. */
#define VCON_CTRL_DEVICE_READY	0
#define VCON_CTRL_PORT_ADD	1
#define VCON_CTRL_PORT_REMOVE	2
#define VCON_CTRL_PORT_READY	3
#define VCON_CTRL_CONSOLE_PORT	4
#define VCON_CTRL_RESIZE	5
#define VCON_CTRL_PORT_OPEN	6
#define VCON_CTRL_PORT_NAME	7

#define VCON_CTRL_HDR_LEN	8
#define VCON_CTRL_RESIZE_LEN	4

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
	c->id = vcon_get32(buf, le);
	c->event = vcon_get16(buf + 4, le);
	c->value = vcon_get16(buf + 6, le);
	c->name_off = 0;
	c->name_len = 0;
	c->rows = 0;
	c->cols = 0;
	n = len - VCON_CTRL_HDR_LEN;

	switch (c->event) {
	case VCON_CTRL_PORT_ADD:
	case VCON_CTRL_PORT_REMOVE:
	case VCON_CTRL_CONSOLE_PORT:
	case VCON_CTRL_PORT_OPEN:
		break;
	case VCON_CTRL_RESIZE:
		if (n < VCON_CTRL_RESIZE_LEN)
			return VCON_CTRL_ESIZE;
		c->cols = vcon_get16(buf + VCON_CTRL_HDR_LEN, le);
		c->rows = vcon_get16(buf + VCON_CTRL_HDR_LEN + 2, le);
		break;
	case VCON_CTRL_PORT_NAME:
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
	case VCON_CTRL_DEVICE_READY:
	case VCON_CTRL_PORT_READY:
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
	if (c->event == VCON_CTRL_PORT_ADD)
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

#endif /* VCON_ABI_H */
