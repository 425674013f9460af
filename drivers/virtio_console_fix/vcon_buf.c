// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers handed to the device: a header and the bytes it describes.
 * Every queue's token is a struct vcon_buf, so whoever takes a used
 * buffer off any queue frees it the same way.
 */
#include <linux/slab.h>

#include "vcon.h"

struct vcon_buf *vcon_buf_alloc(size_t size, gfp_t gfp)
{
	struct vcon_buf *buf = kmalloc(sizeof(*buf), gfp);

	if (!buf)
		return NULL;
	buf->data = kmalloc(size, gfp);
	if (!buf->data) {
		kfree(buf);
		return NULL;
	}
	buf->size = size;
	buf->len = 0;
	buf->offset = 0;
	return buf;
}

void vcon_buf_free(struct vcon_buf *buf)
{
	if (!buf)
		return;
	kfree(buf->data);
	kfree(buf);
}
