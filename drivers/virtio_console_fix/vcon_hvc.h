/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the hvc API we use (drivers/tty/hvc/hvc_console.c, all
 * EXPORT_SYMBOL_GPL since long before 5.10). hvc_console.h is private to
 * the kernel tree and not in the headers package, so the declarations are
 * ours. struct hvc_struct stays opaque on purpose: its layout changes
 * between kernels, so we never look inside; our port is found from the
 * vtermno/data value we hand to hvc_alloc(). struct hv_ops is the
 * interface contract and must match the target kernel: this is its 5.10
 * to 6.1 form (6.4 made dtr_rts take a bool, 6.6 moved the char
 * callbacks to u8/size_t); other kernels need a compat.h variant.
 */
#ifndef VCON_HVC_H
#define VCON_HVC_H

#include <linux/types.h>
#include <linux/tty.h>

struct hvc_struct;

struct hv_ops {
	int (*get_chars)(u32 vtermno, char *buf, int count);
	int (*put_chars)(u32 vtermno, const char *buf, int count);
	int (*flush)(u32 vtermno, bool wait);
	int (*notifier_add)(struct hvc_struct *hp, int data);
	void (*notifier_del)(struct hvc_struct *hp, int data);
	void (*notifier_hangup)(struct hvc_struct *hp, int data);
	int (*tiocmget)(struct hvc_struct *hp);
	int (*tiocmset)(struct hvc_struct *hp, unsigned int set,
			unsigned int clear);
	void (*dtr_rts)(struct hvc_struct *hp, int raise);
};

struct hvc_struct *hvc_alloc(u32 vtermno, int data, const struct hv_ops *ops,
			     int outbuf_size);
int hvc_remove(struct hvc_struct *hp);
void hvc_kick(void);
/* Meant to be called under hp->lock, which we cannot reach: vcon_cons.c. */
void __hvc_resize(struct hvc_struct *hp, struct winsize ws);

#endif /* VCON_HVC_H */
