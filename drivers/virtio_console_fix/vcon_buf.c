// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers handed to the device: a header and the bytes it describes.
 * Every queue's token is a struct vcon_buf, so whoever takes a used
 * buffer off any queue frees it the same way.
 *
 * Two layouts. Small buffers (control messages, in buffers, console
 * output, short writes) carry their bytes in the header's allocation:
 * one kmalloc, one kfree. A large write is a chain of chunks of up to
 * VCON_CHUNK_SIZE, each its own scatter-gather entry: the device gets the
 * whole write behind one descriptor and one kick, the host copies it out
 * in a few large pieces, and no allocation is of a higher order than a
 * chunk (which falls back to single pages when memory is fragmented).
 * Chunks of a port's reclaimed writes wait in a small per-port pool for
 * the next write, so streaming does not allocate in steady state.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "vcon.h"

struct vcon_buf *vcon_buf_alloc(size_t size, gfp_t gfp)
{
	struct vcon_buf *buf = kmalloc(size_add(sizeof(*buf), size), gfp);

	if (!buf)
		return NULL;
	/* The bytes follow the header; chunk[] stays empty. */
	buf->data = (char *)(buf + 1);
	buf->size = size;
	buf->len = 0;
	buf->offset = 0;
	buf->nr_chunks = 0;
	return buf;
}

static void vcon_chunk_free(struct vcon_chunk *c)
{
	__free_pages(c->page, c->order);
}

void vcon_buf_free(struct vcon_buf *buf)
{
	unsigned int i;

	if (!buf)
		return;
	for (i = 0; i < buf->nr_chunks; i++)
		vcon_chunk_free(&buf->chunk[i]);
	kfree(buf);
}

/* A chunk from the pool, or a new one. Caller: process context. */
static bool vcon_chunk_get(struct vcon_port *port, struct vcon_chunk *c)
{
	spin_lock_irq(&port->outvq_lock);
	if (port->pool_n) {
		*c = port->pool[--port->pool_n];
		spin_unlock_irq(&port->outvq_lock);
		return true;
	}
	spin_unlock_irq(&port->outvq_lock);
	if (vcon_fault(VCON_FAULT_PAGES))
		goto single;
	c->order = VCON_CHUNK_ORDER;
	/*
	 * Only what the free lists have: reclaim or compaction for a
	 * chunk costs more than the single pages it would save.
	 */
	c->page = alloc_pages(__GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC,
			      c->order);
	if (c->page) {
		port->stats.chunk_allocs++;
		return true;
	}
single:
	c->order = 0;
	c->page = alloc_page(GFP_KERNEL);
	port->stats.chunk_allocs++;
	port->stats.page_chunks++;
	return c->page;
}

/*
 * A write of up to @count bytes (at most VCON_WRITE_MAX) in chunks,
 * filled from @from; buf->len says how many. Fewer when memory is so
 * fragmented that the chunks are single pages: a short write, which
 * writers loop on anyway. NULL with -ENOMEM or -EFAULT in @err.
 */
struct vcon_buf *vcon_buf_from_iter(struct vcon_port *port, size_t count,
				    struct iov_iter *from, int *err)
{
	struct vcon_buf *buf;
	size_t left = count, n;

	buf = kmalloc(struct_size(buf, chunk, VCON_CHUNKS), GFP_KERNEL);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	buf->data = NULL;
	buf->size = 0;
	buf->offset = 0;
	buf->nr_chunks = 0;
	while (left && buf->nr_chunks < VCON_CHUNKS) {
		struct vcon_chunk *c = &buf->chunk[buf->nr_chunks];

		if (!vcon_chunk_get(port, c)) {
			if (buf->nr_chunks)
				break;
			*err = -ENOMEM;
			goto err_free;
		}
		buf->nr_chunks++;
		n = min_t(size_t, left, PAGE_SIZE << c->order);
		c->len = n;
		/* GFP_KERNEL pages are never highmem: one linear copy. */
		if (!copy_from_iter_full(page_address(c->page), n, from)) {
			*err = -EFAULT;
			goto err_free;
		}
		left -= n;
	}
	buf->len = count - left;
	buf->size = buf->len;
	return buf;

err_free:
	vcon_buf_put(port, buf);
	return NULL;
}

/* The scatter-gather list of @buf's bytes; returns its length. */
unsigned int vcon_buf_sg(struct vcon_buf *buf, struct scatterlist *sg)
{
	unsigned int i;

	if (!buf->nr_chunks) {
		sg_init_one(sg, buf->data, buf->len);
		return 1;
	}
	sg_init_table(sg, buf->nr_chunks);
	for (i = 0; i < buf->nr_chunks; i++)
		sg_set_page(&sg[i], buf->chunk[i].page, buf->chunk[i].len, 0);
	return buf->nr_chunks;
}

/*
 * A port's own buffer is done: its full-size chunks go to the pool while
 * it has room. Caller holds outvq_lock (or owns the port's queue alone).
 */
void vcon_buf_recycle_locked(struct vcon_port *port, struct vcon_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->nr_chunks; i++) {
		struct vcon_chunk *c = &buf->chunk[i];

		if (c->order == VCON_CHUNK_ORDER && port->pool_n < VCON_POOL_MAX)
			port->pool[port->pool_n++] = *c;
		else
			vcon_chunk_free(c);
	}
	buf->nr_chunks = 0;
	kfree(buf);
}

void vcon_buf_put(struct vcon_port *port, struct vcon_buf *buf)
{
	unsigned long flags;

	spin_lock_irqsave(&port->outvq_lock, flags);
	vcon_buf_recycle_locked(port, buf);
	spin_unlock_irqrestore(&port->outvq_lock, flags);
}

/* Empty the pool: the port is closed or going. */
void vcon_buf_pool_drain(struct vcon_port *port)
{
	struct vcon_chunk pool[VCON_POOL_MAX];
	unsigned int i, n;

	spin_lock_irq(&port->outvq_lock);
	n = port->pool_n;
	memcpy(pool, port->pool, n * sizeof(*pool));
	port->pool_n = 0;
	spin_unlock_irq(&port->outvq_lock);
	for (i = 0; i < n; i++)
		vcon_chunk_free(&pool[i]);
}
