// SPDX-License-Identifier: GPL-2.0
/*
 * vcon_buf.c again, as an object of virtio_console_fix: kbuild links one
 * object into one module only, and KBUILD_MODNAME must name this one.
 */
#include "vcon_buf.c"
