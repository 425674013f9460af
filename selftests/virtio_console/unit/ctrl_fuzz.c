// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control-message decoder the driver runs on
 * every message from the host (drivers/virtio_console_fix/vcon_abi.h).
 * The input is a byte order, a port count and a stream of messages, each
 * copied into a buffer of exactly its length so AddressSanitizer sees any
 * read past it. A small state machine plays the driver (ready flag, port
 * set) and aborts if an accepted message breaks the rules the driver
 * relies on.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-I../../../drivers/virtio_console_fix ctrl_fuzz.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vcon_proto.h"

#define FUZZ_PORTS 64

static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char exists[FUZZ_PORTS] = { 0 };
	__u32 max_ports;
	int le, ready = 0;
	size_t pos = 2;

	if (size < 2)
		return 0;
	le = data[0] & 1;
	/* Sometimes a sane count, sometimes whatever the host claims. */
	max_ports = data[1] % (FUZZ_PORTS + 1);
	ready = data[0] & 2;

	while (pos < size) {
		size_t len = data[pos++];
		struct vcon_ctrl c;
		__u8 *msg;
		int v, i;

		if (len == 255 && pos + 2 <= size) {
			/* long message: the next two bytes are its length */
			len = data[pos] | data[pos + 1] << 8;
			pos += 2;
		}
		if (len > size - pos)
			len = size - pos;
		msg = malloc(len ? len : 1);
		if (!msg)
			return 0;
		memcpy(msg, data + pos, len);
		pos += len;

		v = vcon_ctrl_decode(msg, len, le, max_ports, &c);
		fuzz_check(v >= 0 && v < VCON_CTRL_NR);
		fuzz_check(vcon_ctrl_strerror(v)[0] != '?');
		if (v == VCON_CTRL_OK) {
			fuzz_check(len >= VCON_CTRL_HDR_LEN);
			fuzz_check(c.id < max_ports && max_ports <= FUZZ_PORTS);
			if (c.event == VIRTIO_CONSOLE_PORT_NAME) {
				fuzz_check(c.name_len > 0);
				fuzz_check(c.name_len <= VCON_NAME_MAX);
				fuzz_check(c.name_off + c.name_len <= len);
				for (i = 0; i < (int)c.name_len; i++)
					fuzz_check(msg[c.name_off + i] != 0);
				/* It ends at a NUL or at the message's end. */
				fuzz_check(c.name_off + c.name_len == len ||
					   !msg[c.name_off + c.name_len]);
			}
			if (c.event == VIRTIO_CONSOLE_RESIZE)
				fuzz_check(len >= VCON_CTRL_HDR_LEN +
					   VCON_CTRL_RESIZE_LEN);
			v = vcon_ctrl_check(&c, ready, exists[c.id]);
			if (v == VCON_CTRL_OK) {
				fuzz_check(ready);
				if (c.event == VIRTIO_CONSOLE_PORT_ADD) {
					fuzz_check(!exists[c.id]);
					exists[c.id] = 1;
				} else {
					fuzz_check(exists[c.id]);
					if (c.event == VIRTIO_CONSOLE_PORT_REMOVE)
						exists[c.id] = 0;
				}
			}
		}
		free(msg);
		/* The guest's DEVICE_READY goes out at some point. */
		if (!ready && (pos & 7) == 3)
			ready = 1;
	}
	return 0;
}
