// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the control-message decoder: every kind of bad message
 * the host can send is named and rejected, good ones decode exactly.
 */
#include <stdio.h>
#include <string.h>

#include "vcon_proto.h"
#include "../../lib/tap.h"

static unsigned int unit_msg(__u8 *b, __u32 id, __u16 ev, __u16 val,
			     const void *payload, unsigned int plen)
{
	b[0] = id; b[1] = id >> 8; b[2] = id >> 16; b[3] = id >> 24;
	b[4] = ev; b[5] = ev >> 8; b[6] = val; b[7] = val >> 8;
	if (plen)
		memcpy(b + 8, payload, plen);
	return 8 + plen;
}

static int unit_verdict(const __u8 *b, unsigned int len, __u32 max,
			int ready, int exists, struct vcon_ctrl *c)
{
	int v = vcon_ctrl_decode(b, len, 1, max, c);

	return v ? v : vcon_ctrl_check(c, ready, exists);
}

int main(void)
{
	__u8 b[1024], e[VCON_CTRL_HDR_LEN];
	char longname[300];
	struct vcon_ctrl c;
	unsigned int n;
	int v;
	/* The spec's struct virtio_console_resize: le16 cols, le16 rows. */
	__u8 size[4] = { 80, 0, 24, 0 };

	tap_header();
	tap_plan(22);

	n = unit_msg(b, 1, VIRTIO_CONSOLE_PORT_ADD, 0, NULL, 0);
	tap_result(unit_verdict(b, n, 4, 1, 0, &c) == VCON_CTRL_OK && c.id == 1,
		   "PORT_ADD of a new port is accepted");
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_EDUP,
		   "duplicate PORT_ADD is rejected");
	tap_result(unit_verdict(b, n, 4, 0, 0, &c) == VCON_CTRL_ENOTREADY,
		   "messages before DEVICE_READY are rejected");
	tap_result(unit_verdict(b, n, 1, 1, 0, &c) == VCON_CTRL_EID,
		   "port id >= max_nr_ports is rejected");
	n = unit_msg(b, 0xffffffff, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL, 0);
	tap_result(unit_verdict(b, n, 4, 1, 0, &c) == VCON_CTRL_EID,
		   "port id 0xffffffff is rejected");
	n = unit_msg(b, 2, VIRTIO_CONSOLE_PORT_REMOVE, 0, NULL, 0);
	tap_result(unit_verdict(b, n, 4, 1, 0, &c) == VCON_CTRL_ENOPORT,
		   "PORT_REMOVE of a missing port is rejected");
	tap_result(unit_verdict(b, 7, 4, 1, 1, &c) == VCON_CTRL_ESHORT,
		   "a message shorter than its header is rejected");
	n = unit_msg(b, 0, 99, 0, NULL, 0);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_EEVENT,
		   "an unknown event is rejected");
	n = unit_msg(b, 0, VIRTIO_CONSOLE_DEVICE_READY, 1, NULL, 0);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_EDIR,
		   "a guest-to-host event from the host is rejected");
	n = unit_msg(b, 0, VIRTIO_CONSOLE_RESIZE, 0, size, 2);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_ESIZE,
		   "RESIZE without rows and cols is rejected");
	n = unit_msg(b, 0, VIRTIO_CONSOLE_RESIZE, 0, size, 4);
	v = unit_verdict(b, n, 4, 1, 1, &c);
	tap_result(v == VCON_CTRL_OK &&
		   c.rows == 24 && c.cols == 80,
		   "RESIZE decodes cols, then rows (80x24: cols %u rows %u)",
		   c.cols, c.rows);
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, "pvkit.p0", 9);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == 8 && !memcmp(b + c.name_off, "pvkit.p0", 8),
		   "a NUL-terminated name (QEMU) decodes");
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, "org.x", 5);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == 5 && !memcmp(b + c.name_off, "org.x", 5),
		   "a name without a NUL (the spec's form) decodes");
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, "x", 1);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == 1, "a one-byte name without a NUL decodes");
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, "org.x\0\0\0", 8);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == 5,
		   "bytes after the NUL are padding, not name");
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, "\0abc", 4);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_ENAME,
		   "an empty name is rejected");
	memset(longname, 'a', sizeof(longname));
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, longname, VCON_NAME_MAX + 1);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_ENAME,
		   "a name longer than %d bytes is rejected", VCON_NAME_MAX);
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, longname, VCON_NAME_MAX);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == VCON_NAME_MAX,
		   "an unterminated name of exactly %d bytes decodes",
		   VCON_NAME_MAX);
	longname[VCON_NAME_MAX] = 0;
	n = unit_msg(b, 3, VIRTIO_CONSOLE_PORT_NAME, 0, longname, VCON_NAME_MAX + 1);
	tap_result(unit_verdict(b, n, 4, 1, 1, &c) == VCON_CTRL_OK &&
		   c.name_len == VCON_NAME_MAX,
		   "%d bytes and a NUL decode", VCON_NAME_MAX);

	/* What we send is what the spec's little-endian layout says. */
	n = unit_msg(b, 0x01020304, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL, 0);
	memset(e, 0xa5, sizeof(e));
	vcon_ctrl_encode(e, 0x01020304, VIRTIO_CONSOLE_PORT_OPEN, 1, 1);
	tap_result(n == VCON_CTRL_HDR_LEN && !memcmp(b, e, n),
		   "the encoder writes the spec's little-endian header");
	vcon_ctrl_encode(e, 0x01020304, VIRTIO_CONSOLE_PORT_OPEN, 1, 0);
	tap_result(e[0] == 1 && e[3] == 4 && e[4] == 0 && e[5] == 6 &&
		   e[7] == 1, "and the legacy big-endian one");
	v = vcon_ctrl_decode(e, VCON_CTRL_HDR_LEN, 0, 1u << 31, &c);
	tap_result(v == VCON_CTRL_OK && c.id == 0x01020304 &&
		   c.event == VIRTIO_CONSOLE_PORT_OPEN && c.value == 1,
		   "the decoder reads back what the encoder wrote");
	tap_finish();
}
