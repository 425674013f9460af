// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: named ports appear as /dev/virtio-ports/NAME on a system with
 * udev. The initramfs has no udev, so we check what its rule
 * (SUBSYSTEM=="virtio-ports", ATTR{name} -> virtio-ports/$attr{name})
 * consumes: a "change" uevent for vportNpM after the name arrives, the
 * sysfs "name" attribute, and a device node whose dev_t matches; then we
 * make the symlink the rule would make and use it.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "vcon_util.h"

/* Collect uevents for @secs; remember the actions seen for @kname. */
static void ports_uevents(int nl, const char *kname, double secs,
			  bool *add, bool *change)
{
	double end = vcon_now() + secs;
	char buf[8192], suffix[320];

	snprintf(suffix, sizeof(suffix), "/%s", kname);
	while (vcon_now() < end && !(*add && *change)) {
		struct pollfd p = { .fd = nl, .events = POLLIN };
		ssize_t n;
		char *at;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(nl, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		at = strchr(buf, '@');
		if (!at)
			continue;
		n = strlen(at);
		if ((size_t)n < strlen(suffix) ||
		    strcmp(at + n - strlen(suffix), suffix))
			continue;
		if (!strncmp(buf, "add@", 4))
			*add = true;
		if (!strncmp(buf, "change@", 7))
			*change = true;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	const char *name = VCON_PORT_NAME, *sock = "p0.sock", *kname;
	char dev[300], sysdev[400], link[400], val[320];
	bool add = false, change = false;
	unsigned int maj, min;
	struct stat st;
	FILE *f;
	int nl, fd;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	if (hostctl("log ports", NULL, 0, 5000))
		tap_skip_all("no hostctl channel (not under testvm)");
	tap_plan(5);

	/* Watch the uevents of a fresh load of the driver. */
	if (vcon_driver_loaded() && vcon_sh("rmmod %s", vcon_module()))
		tap_bail("cannot unload %s", vcon_module());
	nl = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	if (nl < 0 || bind(nl, (struct sockaddr *)&sa, sizeof(sa)))
		tap_bail("uevent socket: %s", strerror(errno));
	if (vcon_load_driver(false) || !vcon_driver_is_ours())
		tap_bail("cannot load our virtio_console");
	if (vcon_find_port(name, dev, sizeof(dev), 10))
		tap_bail("no port named %s", name);
	kname = dev + strlen("/dev/");
	ports_uevents(nl, kname, 5, &add, &change);
	tap_result(add, "add uevent for %s", kname);
	tap_result(change, "change uevent for %s after its name arrived",
		   kname);

	snprintf(sysdev, sizeof(sysdev), "/sys/class/virtio-ports/%s/dev",
		 kname);
	f = fopen(sysdev, "r");
	if (!f || fscanf(f, "%u:%u", &maj, &min) != 2)
		tap_bail("cannot read %s", sysdev);
	fclose(f);
	tap_result(stat(dev, &st) == 0 && major(st.st_rdev) == maj &&
		   minor(st.st_rdev) == min, "%s is char %u:%u as sysfs says",
		   dev, maj, min);

	/* What udev's rule does with ATTR{name}. */
	mkdir("/dev/virtio-ports", 0755);
	snprintf(link, sizeof(link), "/dev/virtio-ports/%s", name);
	unlink(link);
	snprintf(val, sizeof(val), "../%s", kname);
	tap_result(symlink(val, link) == 0 && stat(link, &st) == 0 &&
		   major(st.st_rdev) == maj && minor(st.st_rdev) == min,
		   "%s -> %s", link, val);
	fd = open(link, O_RDWR | O_NONBLOCK);
	tap_result(fd >= 0, "the port opens through its name (%s)",
		   fd < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close(fd);
	close(nl);
	tap_finish();
}
