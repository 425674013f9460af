// SPDX-License-Identifier: GPL-2.0
/*
 * pvkit virtio_console_fix: the same driver as our virtio_console, for
 * kernels that have the in-tree virtio_console built in. A module of that
 * name cannot load there, so this one, under another name, takes the
 * console devices over at load: it unregisters the built-in driver (which
 * lets every device go), registers ours (which binds them, and every
 * console device that appears later, since nothing else matches them
 * now), and on unload does the reverse. Module init and exit only; see
 * "Kernels with virtio_console built in" in
 * Documentation/virtio_console_fix.md.
 */
#include <linux/device.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/virtio.h>

#include "vcon.h"

/* The built-in driver's name and the class it owns (both are ABI). */
#define VCON_BUILTIN_NAME	"virtio_console"
#define VCON_CLASS_NAME		"virtio-ports"
/*
 * Used only when no port exists at load, so the built-in class cannot be
 * reached; the kit's udev rule makes /dev/virtio-ports/NAME for it too.
 */
#define VCON_FALLBACK_CLASS	"virtio-ports-pvkit"
/* Documentation/admin-guide/devices.txt: the hvc terminals. */
#define VCON_HVC_MAJOR		229
/* How long the takeover waits for the host to re-announce the ports. */
#define VCON_TKO_SETTLE		HZ
/* Port devices we check for openers before taking a device over. */
#define VCON_TKO_MAX_DEVT	64

/* The built-in driver while we hold its devices; NULL otherwise. */
static struct virtio_driver *vcon_builtin;
static bool vcon_class_ours;

/*
 * An empty id table: registered only to learn the virtio bus, which is
 * not exported, so that the built-in driver can be looked up on it.
 */
static const struct virtio_device_id vcon_tko_no_ids[] = {
	{ 0 },
};

static int vcon_tko_probe_none(struct virtio_device *vdev)
{
	return -ENODEV;
}

static struct virtio_driver vcon_tko_finder = {
	.driver.name = KBUILD_MODNAME "_finder",
	.driver.owner = THIS_MODULE,
	.id_table = vcon_tko_no_ids,
	.probe = vcon_tko_probe_none,
};

/* What the takeover learns about the built-in driver's devices. */
struct vcon_tko_scan {
	struct device_driver *drv;
	struct class *class;
	dev_t devt[VCON_TKO_MAX_DEVT];
	unsigned int ndevt;
	bool too_many;
	/* The first opener of a port, and of an hvc terminal, if any. */
	dev_t busy;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	bool hvc_busy;
	pid_t hvc_pid;
	char hvc_comm[TASK_COMM_LEN];
};

static int vcon_tko_port(struct device *dev, void *data)
{
	struct vcon_tko_scan *s = data;

	if (!dev->class || strcmp(dev->class->name, VCON_CLASS_NAME))
		return 0;
	/*
	 * The class outlives its devices: only the built-in driver's module
	 * exit destroys it, and built-in code never exits. device_create()
	 * takes a const class from 6.4 on; we never write through it.
	 */
	if (!s->class)
		s->class = (struct class *)dev->class;
	if (s->ndevt < VCON_TKO_MAX_DEVT)
		s->devt[s->ndevt++] = dev->devt;
	else
		s->too_many = true;
	return 0;
}

static int vcon_tko_dev(struct device *dev, void *data)
{
	struct vcon_tko_scan *s = data;

	if (dev->driver == s->drv)
		device_for_each_child(dev, s, vcon_tko_port);
	return 0;
}

/* An hvc terminal, also when reached through /dev/console or /dev/tty. */
static bool vcon_tko_file_is_hvc(struct file *f, struct inode *inode)
{
	struct tty_file_private *priv;

	if (imajor(inode) == VCON_HVC_MAJOR)
		return true;
	if (imajor(inode) != TTYAUX_MAJOR || iminor(inode) > 1)
		return false;
	priv = f->private_data;
	return priv && priv->tty && priv->tty->driver &&
	       !strcmp(priv->tty->driver->name, "hvc");
}

/* iterate_fd() callback, under the table's file_lock: no sleeping. */
static int vcon_tko_file(const void *data, struct file *f, unsigned int fd)
{
	struct vcon_tko_scan *s = (struct vcon_tko_scan *)data;
	struct inode *inode = file_inode(f);
	unsigned int i;

	if (!S_ISCHR(inode->i_mode) || (f->f_mode & FMODE_PATH))
		return 0;
	for (i = 0; i < s->ndevt; i++)
		if (inode->i_rdev == s->devt[i]) {
			s->busy = inode->i_rdev;
			return 1;
		}
	if (!s->hvc_busy && vcon_tko_file_is_hvc(f, inode))
		s->hvc_busy = true;
	return 0;
}

/*
 * Who has one of the built-in driver's ports open? Every thread's file
 * table, since a process may hold a port through any of them. Ports in
 * flight over a unix socket are not seen; such a port is torn away as by
 * a hot unplug.
 */
static void vcon_tko_find_openers(struct vcon_tko_scan *s)
{
	struct task_struct *g, *t;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		bool hvc = s->hvc_busy;
		int busy;

		task_lock(t);
		busy = t->files ? iterate_fd(t->files, 0, vcon_tko_file, s) : 0;
		task_unlock(t);
		if (!hvc && s->hvc_busy) {
			s->hvc_pid = task_pid_nr(t);
			get_task_comm(s->hvc_comm, t);
		}
		if (busy) {
			s->pid = task_pid_nr(t);
			get_task_comm(s->comm, t);
			break;
		}
	}
	rcu_read_unlock();
}

static int vcon_tko_class(struct vcon_tko_scan *s)
{
	struct class *class;

	if (s->class) {
		vcon_class = s->class;
		return 0;
	}
	/*
	 * No port exists, so the built-in class is out of reach (there is
	 * no exported lookup by name). A class of our own, then.
	 */
	class = class_create(VCON_FALLBACK_CLASS);
	if (IS_ERR(class))
		return PTR_ERR(class);
	pr_info("no port to borrow class %s from; ports appear in class %s\n",
		VCON_CLASS_NAME, VCON_FALLBACK_CLASS);
	vcon_class = class;
	vcon_class_ours = true;
	return 0;
}

/* Without a built-in driver on the bus (kept from registering): own all. */
static int vcon_tko_alone(void)
{
	struct class *class;
	int ret;

	class = class_create(VCON_CLASS_NAME);
	if (IS_ERR(class))
		return PTR_ERR(class);
	vcon_class = class;
	vcon_class_ours = true;
	ret = register_virtio_driver(&vcon_virtio_driver);
	if (ret) {
		class_destroy(class);
		vcon_class_ours = false;
		return ret;
	}
	pr_info("the built-in driver is not registered; driving the console devices\n");
	return 0;
}

static int vcon_tko_settle_one(struct device *dev, void *data)
{
	unsigned long deadline = *(unsigned long *)data;

	device_lock(dev);
	if (dev->driver == &vcon_virtio_driver.driver)
		vcon_ctrl_settle(dev_to_virtio(dev)->priv, deadline);
	device_unlock(dev);
	return 0;
}

/*
 * Probe returns before the host has announced the ports, so without this
 * modprobe would return while hvc0 still has no console behind it and a
 * message printed then would be lost. Bounded: a slow host costs us a
 * second, not a hung boot.
 */
static void vcon_tko_settle(void)
{
	unsigned long deadline = jiffies + VCON_TKO_SETTLE;

	if (driver_for_each_device(&vcon_virtio_driver.driver, NULL, &deadline,
				   vcon_tko_settle_one))
		pr_warn("could not wait for every device\n");
}

static int vcon_tko_register_builtin(struct virtio_driver *drv)
{
	/*
	 * Built-in code has no module; register_virtio_driver() would record
	 * ours as the owner from 6.9 on, and it goes away at our unload.
	 */
#ifdef COMPAT_HAVE_REGISTER_VIRTIO_DRIVER_OWNER
	return __register_virtio_driver(drv, NULL);
#else
	return register_virtio_driver(drv);
#endif
}

static int __init vcon_tko_init(void)
{
	struct vcon_tko_scan *s;
	struct device_driver *drv;
	int ret;

	if (!IS_BUILTIN(CONFIG_VIRTIO_CONSOLE)) {
		pr_info("virtio_console is not built into this kernel; the kit's virtio_console module replaces it\n");
		return -ENODEV;
	}
	ret = register_virtio_driver(&vcon_tko_finder);
	if (ret)
		return ret;
	drv = driver_find(VCON_BUILTIN_NAME, vcon_tko_finder.driver.bus);
	if (!drv || drv->owner) {
		unregister_virtio_driver(&vcon_tko_finder);
		return drv ? -ENODEV : vcon_tko_alone();
	}

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ret = -ENOMEM;
		goto out_finder;
	}
	s->drv = drv;
	bus_for_each_dev(vcon_tko_finder.driver.bus, NULL, s, vcon_tko_dev);
	vcon_tko_find_openers(s);
	if (s->busy) {
		pr_warn("port %u:%u is open (pid %d, %s): not taking over; close it and load %s again\n",
			MAJOR(s->busy), MINOR(s->busy), s->pid, s->comm,
			KBUILD_MODNAME);
		ret = -EBUSY;
		goto out_free;
	}
	if (s->too_many)
		pr_warn("more than %d ports: only the first were checked for openers\n",
			VCON_TKO_MAX_DEVT);
	ret = vcon_tko_class(s);
	if (ret)
		goto out_free;

	/* Every console device is let go and left unbound... */
	vcon_builtin = container_of(drv, struct virtio_driver, driver);
	unregister_virtio_driver(vcon_builtin);
	/* ...until ours binds them, and any that appear later. */
	ret = register_virtio_driver(&vcon_virtio_driver);
	if (ret) {
		pr_err("cannot register (%d); giving the devices back\n", ret);
		goto out_builtin;
	}
	vcon_tko_settle();
	if (s->hvc_busy)
		pr_warn("an hvc terminal was open (pid %d, %s): it was hung up, and that /dev/hvcN reaches the console again once every file open before now is closed\n",
			s->hvc_pid, s->hvc_comm);
	pr_info("took the console devices over from the built-in driver\n");
	kfree(s);
	unregister_virtio_driver(&vcon_tko_finder);
	return 0;

out_builtin:
	if (vcon_tko_register_builtin(vcon_builtin))
		pr_err("the built-in driver did not come back: console devices stay unbound\n");
	vcon_builtin = NULL;
	if (vcon_class_ours)
		class_destroy(vcon_class);
	vcon_class_ours = false;
out_free:
	kfree(s);
out_finder:
	unregister_virtio_driver(&vcon_tko_finder);
	return ret;
}

static void __exit vcon_tko_exit(void)
{
	/* Open ports hold the module (cdev owner): none is open here. */
	unregister_virtio_driver(&vcon_virtio_driver);
	vcon_debugfs_exit();
	if (vcon_class_ours)
		class_destroy(vcon_class);
	if (vcon_builtin) {
		if (vcon_tko_register_builtin(vcon_builtin))
			pr_err("the built-in driver did not come back: console devices stay unbound\n");
		else
			pr_info("gave the console devices back to the built-in driver\n");
	}
}

module_init(vcon_tko_init);
module_exit(vcon_tko_exit);

MODULE_DESCRIPTION("Virtio console driver (pvkit, lost-wakeup fix; takes over a built-in virtio_console)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KBUILD_PVKIT_VERSION);
