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

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/tty.h>
#include <linux/types.h>

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
 * first three since 2.6. What follows (notifiers, tiocm*, dtr_rts)
 * differs between kernels and is never set by us: the zeroed tail is
 * longer than any kernel's, so whatever hvc reads there is NULL, which it
 * treats as "not implemented".
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

/*
 * The kernel's struct hv_ops is VCON_HV_OPS_KERNEL_PTRS function pointers
 * on every kernel we build for (5.10 to 7.3, read from their BTF by the
 * host test vcon-hvops-layout): get_chars, put_chars, flush, three
 * notifiers, tiocmget, tiocmset, dtr_rts. Ours must put the three we set
 * where hvc calls them and cover all the rest with zeroes.
 */
#define VCON_HV_OPS_KERNEL_PTRS	9
static_assert(offsetof(const struct hv_ops, get_chars) == 0);
static_assert(offsetof(const struct hv_ops, put_chars) == sizeof(void *));
static_assert(offsetof(const struct hv_ops, flush) == 2 * sizeof(void *));
static_assert(offsetof(const struct hv_ops, vcon_unused) ==
	      3 * sizeof(void *));
static_assert(sizeof(const struct hv_ops) >=
	      VCON_HV_OPS_KERNEL_PTRS * sizeof(void *));
/* No padding anywhere: every slot hvc may read is one of ours. */
static_assert(sizeof(const struct hv_ops) == 3 * sizeof(void *) +
	      sizeof_field(const struct hv_ops, vcon_unused));

struct hvc_struct *hvc_alloc(u32 vtermno, int data, const struct hv_ops *ops,
			     int outbuf_size);
int hvc_remove(struct hvc_struct *hp);
void hvc_kick(void);
/* Meant to be called under hp->lock, which we cannot reach: vcon_cons.c. */
void __hvc_resize(struct hvc_struct *hp, struct winsize ws);

#endif /* VCON_HVC_H */
