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

/* --- pkg (issue 7): 5.10 ----------------------------------------------- */
/*
 * pm_sleep_ptr() (5.16) lets a driver point .pm at its ops unconditionally
 * and have them dropped without CONFIG_PM_SLEEP. 5.10 lacks it; the same
 * effect from the same name, as a constant expression for initializers.
 */
#ifndef COMPAT_HAVE_PM_SLEEP_PTR
#define pm_sleep_ptr(_ptr) (IS_ENABLED(CONFIG_PM_SLEEP) ? (_ptr) : NULL)
#endif
/*
 * virtio_reset_device() (5.16) wraps the transport's reset op, which is
 * all there is on 5.10. A macro, so this header needs no virtio include.
 */
#ifndef COMPAT_HAVE_VIRTIO_RESET_DEVICE
#define virtio_reset_device(_vdev) ((_vdev)->config->reset(_vdev))
#endif
/* --- end pkg 5.10 -------------------------------------------------------- */

/* --- pkg (issue 7): 6.12 ----------------------------------------------- */
/*
 * 6.12 removed no_llseek: a NULL .llseek now means "not seekable", as
 * no_llseek did (and as NULL already did on 5.10-6.11 through
 * FMODE_LSEEK). Keep the old name meaning the same thing.
 */
#ifndef COMPAT_HAVE_NO_LLSEEK
#define no_llseek NULL
#endif
/* --- end pkg 6.12 -------------------------------------------------------- */

#endif /* PVKIT_COMPAT_H */
