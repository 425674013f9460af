/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the hvc API we use (drivers/tty/hvc/hvc_console.c, all
 * EXPORT_SYMBOL_GPL since long before 5.10). hvc_console.h is private to
 * the kernel tree and not in the headers package, so the declarations are
 * ours. struct hvc_struct stays opaque on purpose: its layout changes
 * between kernels, so we never look inside; our port is found from the
 * vtermno/data value we hand to hvc_alloc(). struct hv_ops is the
 * interface contract; see the comment above it.
 */
#ifndef VCON_HVC_H
#define VCON_HVC_H

#include <linux/types.h>
#include <linux/tty.h>

struct hvc_struct;

/* Our callbacks' types: compat.h knows which kernel has which. */
#ifdef COMPAT_HVC_U8_SIZE_T
#define VCON_HVC_RET	ssize_t
#define VCON_HVC_CHAR	u8
#define VCON_HVC_COUNT	size_t
#else
#define VCON_HVC_RET	int
#define VCON_HVC_CHAR	char
#define VCON_HVC_COUNT	int
#endif

/*
 * Only the first three members are ours to fill, and they have been the
 * first three since 2.6. What follows (notifiers, set_termios from 6.x,
 * tiocm*, dtr_rts) differs between kernels and is never set by us: the
 * zeroed tail is longer than any kernel's, so whatever hvc reads there is
 * NULL, which it treats as "not implemented".
 */
struct hv_ops {
#ifdef COMPAT_HVC_U8_SIZE_T
	ssize_t (*get_chars)(u32 vtermno, u8 *buf, size_t count);
	ssize_t (*put_chars)(u32 vtermno, const u8 *buf, size_t count);
#else
	int (*get_chars)(u32 vtermno, char *buf, int count);
	int (*put_chars)(u32 vtermno, const char *buf, int count);
#endif
	int (*flush)(u32 vtermno, bool wait);
	void *vcon_unused[16];
};

struct hvc_struct *hvc_alloc(u32 vtermno, int data, const struct hv_ops *ops,
			     int outbuf_size);
int hvc_remove(struct hvc_struct *hp);
void hvc_kick(void);
/* Meant to be called under hp->lock, which we cannot reach: vcon_cons.c. */
void __hvc_resize(struct hvc_struct *hp, struct winsize ws);

#endif /* VCON_HVC_H */
