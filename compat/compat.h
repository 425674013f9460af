/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel differences live. Force-included into every
 * pvkit object by compat/Kbuild.include; shims keep upstream names so the
 * drivers read as if written for the newest kernel. Probes that version
 * numbers miss (distro backports) come from compat/Kbuild.include as
 * COMPAT_* defines.
 */
#ifndef PVKIT_COMPAT_H
#define PVKIT_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "pvkit supports Linux 5.10 and newer"
#endif

/* --- power management -------------------------------------------------- */
/*
 * pm_sleep_ptr() (5.16) lets a driver point .pm at its ops unconditionally
 * and have them dropped without CONFIG_PM_SLEEP. 5.10 lacks it; the same
 * effect from the same name, as a constant expression for initializers.
 */
#ifndef COMPAT_HAVE_PM_SLEEP_PTR
#define pm_sleep_ptr(_ptr) (IS_ENABLED(CONFIG_PM_SLEEP) ? (_ptr) : NULL)
#endif

/* --- virtio -------------------------------------------------------------- */
/*
 * virtio_reset_device() (5.16) wraps the transport's reset op, which is
 * all there is on 5.10.
 */
#ifndef COMPAT_HAVE_VIRTIO_RESET_DEVICE
#include <linux/virtio_config.h>

static inline void virtio_reset_device(struct virtio_device *vdev)
{
	vdev->config->reset(vdev);
}
#endif
/*
 * 6.11 replaced virtio_find_vqs()'s parallel callbacks[]/names[] arrays
 * with one struct virtqueue_info array. Before 6.11, provide that struct
 * and make a five-argument virtio_find_vqs() (the 6.11 form) translate to
 * the old call; the six-argument (old) form still reaches the kernel's own
 * function, so a driver can move to the new form at its own pace.
 */
#ifndef COMPAT_HAVE_VIRTQUEUE_INFO
#include <linux/slab.h>
#include <linux/virtio_config.h>

struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

static inline int pvkit_virtio_find_vqs_info(struct virtio_device *vdev,
					     unsigned int nvqs,
					     struct virtqueue *vqs[],
					     struct virtqueue_info vqs_info[],
					     struct irq_affinity *desc)
{
	vq_callback_t **callbacks;
	const char **names;
	bool *ctx;
	unsigned int i;
	int ret = -ENOMEM;

	callbacks = kcalloc(nvqs, sizeof(*callbacks), GFP_KERNEL);
	names = kcalloc(nvqs, sizeof(*names), GFP_KERNEL);
	ctx = kcalloc(nvqs, sizeof(*ctx), GFP_KERNEL);
	if (callbacks && names && ctx) {
		for (i = 0; i < nvqs; i++) {
			callbacks[i] = vqs_info[i].callback;
			names[i] = vqs_info[i].name;
			ctx[i] = vqs_info[i].ctx;
		}
		ret = virtio_find_vqs_ctx(vdev, nvqs, vqs, callbacks, names,
					  ctx, desc);
	}
	kfree(ctx);
	kfree(names);
	kfree(callbacks);
	return ret;
}

#define pvkit_pick_7th(_1, _2, _3, _4, _5, _6, name, ...) name
#define virtio_find_vqs(...)						\
	pvkit_pick_7th(__VA_ARGS__, virtio_find_vqs,			\
		       pvkit_virtio_find_vqs_info, ~)(__VA_ARGS__)
#endif

/* --- PCI ----------------------------------------------------------------- */
/*
 * struct pci_driver has dev_groups from 5.13 on, and registration then
 * copies it over driver.dev_groups (so setting the inner one is lost).
 * 5.10 only has driver.dev_groups. There is no upstream spelling for
 * "whichever the kernel reads": use PVKIT_PCI_DRIVER_DEV_GROUPS(groups)
 * as an initializer entry of a struct pci_driver.
 */
#ifdef COMPAT_HAVE_PCI_DRIVER_DEV_GROUPS
#define PVKIT_PCI_DRIVER_DEV_GROUPS(_groups) .dev_groups = (_groups)
#else
#define PVKIT_PCI_DRIVER_DEV_GROUPS(_groups) .driver.dev_groups = (_groups)
#endif

/* --- files and devices --------------------------------------------------- */
/*
 * 6.12 removed no_llseek: a NULL .llseek now means "not seekable", as
 * no_llseek did (and as NULL already did on 5.10-6.11 through
 * FMODE_LSEEK). Keep the old name meaning the same thing.
 */
#ifndef COMPAT_HAVE_NO_LLSEEK
#define no_llseek NULL
#endif
/*
 * 6.4 dropped class_create()'s owner argument. Before 6.4, make the
 * one-argument (new) form build the class the old macro would, owned by
 * the calling module.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#include <linux/device.h>
#undef class_create
#define class_create(_name)						\
	({								\
		static struct lock_class_key __pvkit_class_key;		\
		__class_create(THIS_MODULE, (_name), &__pvkit_class_key); \
	})
#endif

/* --- hvc ----------------------------------------------------------------- */
/*
 * hvc_console.h is not in the headers packages, so vcon_hvc.h declares
 * struct hv_ops itself. 6.8 moved its character callbacks from
 * (char *, int) -> int to (u8 *, size_t) -> ssize_t (6.6 still has the
 * old form). Calling through the wrong type would truncate the errno the
 * kernel reads back, so the declaration follows this flag.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define COMPAT_HVC_U8_SIZE_T 1
#endif

/* --- x86 clocks and CPUID ------------------------------------------------ */
/*
 * 6.12 neither declares nor exports kvm_clock; hv_clock_per_cpu (still
 * exported) is then the only sign that kvm-clock took the pvclock MSR.
 * Expands at the caller, which includes <asm/kvmclock.h>.
 */
#ifdef COMPAT_HAVE_KVM_CLOCK
#define compat_kvm_clock_mult()	READ_ONCE(kvm_clock.mult)
#else
#define compat_kvm_clock_mult()	0U
#endif
/*
 * 6.16 moved cpuid() and its helpers out of <asm/processor.h> into
 * <asm/cpuid/api.h>, which processor.h no longer pulls in.
 */
#if defined(CONFIG_X86) && defined(COMPAT_HAVE_ASM_CPUID_API)
#include <asm/cpuid/api.h>
#endif
/*
 * 6.16 renamed the 64-bit MSR accessors from *msrl to *msrq (quad word);
 * before that, the new names are the old functions.
 */
#if defined(CONFIG_X86) && !defined(COMPAT_HAVE_WRMSRQ)
#define wrmsrq_safe(_msr, _val)	wrmsrl_safe((_msr), (_val))
#define rdmsrq_safe(_msr, _p)	rdmsrl_safe((_msr), (_p))
#endif

#endif /* PVKIT_COMPAT_H */
