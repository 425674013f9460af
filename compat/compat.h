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

#endif /* PVKIT_COMPAT_H */
