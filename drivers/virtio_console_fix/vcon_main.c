// SPDX-License-Identifier: GPL-2.0
/*
 * pvkit virtio_console: a drop-in replacement for the in-tree driver of
 * the same name whose write/poll path never loses a wakeup. Module init
 * and exit only; see Documentation/virtio_console_fix.md.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/virtio.h>

#include "vcon.h"

static int __init vcon_init(void)
{
	int ret;

	/*
	 * A kernel with the in-tree driver built in (6.12's cloud config)
	 * already owns the class and the device: nothing to replace.
	 */
	if (IS_BUILTIN(CONFIG_VIRTIO_CONSOLE)) {
		pr_info("the in-tree driver is built in; not loading\n");
		return -ENODEV;
	}
	/* The class name is ABI: udev's rule and /sys/class/virtio-ports. */
	vcon_class = class_create("virtio-ports");
	if (IS_ERR(vcon_class))
		return PTR_ERR(vcon_class);
	ret = register_virtio_driver(&vcon_virtio_driver);
	if (ret)
		goto err_class;
	return 0;

err_class:
	class_destroy(vcon_class);
	return ret;
}

static void __exit vcon_exit(void)
{
	unregister_virtio_driver(&vcon_virtio_driver);
	vcon_debugfs_exit();
	class_destroy(vcon_class);
}

module_init(vcon_init);
module_exit(vcon_exit);

MODULE_DESCRIPTION("Virtio console driver (pvkit, lost-wakeup fix)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
