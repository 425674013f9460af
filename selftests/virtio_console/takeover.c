// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: where virtio_console is built in, virtio_console_fix takes the
 * console devices over and gives them back:
 *  - with a port open it refuses (EBUSY) and names the opener; the
 *    built-in driver keeps the device;
 *  - once closed it loads, binds every console device, and the named port
 *    is back in /sys/class/virtio-ports (the class borrowed from the
 *    built-in driver);
 *  - a kernel message printed before the takeover, one after it and one
 *    after rmmod all reach the host through console=hvc0;
 *  - rmmod hands the device back to the built-in driver, whose port returns;
 *  - a console device hot-plugged later binds to virtio_console_fix.
 * With -b (a device without ports at load, so no class to borrow): the
 * ports appear in virtio-ports-pvkit instead, a port hot-plugged later is
 * named there, and rmmod gives the device back.
 * Where virtio_console is a module: virtio_console_fix fails to load with
 * ENODEV and says why, and the drop-in still loads.
 */
#include <errno.h>
#include <libgen.h>
#include <sys/klog.h>

#include "vcon_util.h"

#define TKO_MOD "virtio_console_fix"

static bool tko_log_has(const char *text)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = 0;
	return strstr(buf, text);
}

/*
 * How many console devices (virtio id 3) are bound to @drv, and how many
 * exist; the first device's driver name into @first.
 */
static int tko_bound(const char *drv, int *total)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *e;
	int n = 0;

	*total = 0;
	while (d && (e = readdir(d))) {
		char p[512], id[32] = "", link[512];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/virtio/devices/%s/device",
			 e->d_name);
		if (pv_read_file(p, id, sizeof(id)) || strtol(id, NULL, 0) != 3)
			continue;
		(*total)++;
		snprintf(p, sizeof(p), "/sys/bus/virtio/devices/%s/driver",
			 e->d_name);
		len = readlink(p, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		if (!strcmp(basename(link), drv))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static bool tko_all_bound(const char *drv, int min_devices)
{
	int total, n, i;

	for (i = 0; i < 100; i++) {
		n = tko_bound(drv, &total);
		if (total >= min_devices && n == total)
			return true;
		usleep(100 * 1000);
	}
	tap_diag("%d of %d console devices bound to %s", n, total, drv);
	return false;
}

/*
 * printk a marker and wait for the host's hvc file to show it. @tries > 1
 * prints it again every 2 s: for the built-in driver, which attaches its
 * console some time after it binds (ours is attached when modprobe
 * returns, so it gets one try).
 */
static bool tko_printk_reaches(const char *file, const char *marker,
			       int tries)
{
	int wait = tries > 1 ? 2 : 20;

	while (tries--)
		if (vcon_printk_reaches(file, marker, wait))
			return true;
	return false;
}

static bool tko_in_class(const char *cls, const char *name, double secs)
{
	char dev[300];
	double end = vcon_now() + secs;

	do {
		if (!vcon_find_in(cls, name, dev, sizeof(dev)))
			return true;
		usleep(50 * 1000);
	} while (vcon_now() < end);
	return false;
}

static int tko_modular(void)
{
	int rc;

	tap_plan(3);
	rc = system("modprobe " TKO_MOD " 2>/tmp/tko.err");
	tap_result(rc != 0 && !vcon_sh("grep -q 'No such device' %s",
				       "/tmp/tko.err"),
		   "%s refuses to load with ENODEV (modprobe rc %d)", TKO_MOD,
		   rc);
	tap_result(tko_log_has(TKO_MOD ": virtio_console is not built into"),
		   "it says why in the kernel log");
	tap_result(vcon_load_driver(false) == 0 && vcon_driver_is_ours(),
		   "the drop-in virtio_console still loads");
	tap_finish();
	return 0;
}

static int tko_bare(void)
{
	tap_plan(5);
	if (vcon_driver_loaded() && vcon_sh("rmmod %s", TKO_MOD))
		tap_bail("cannot unload %s", TKO_MOD);
	tap_result(system("modprobe " TKO_MOD) == 0 &&
		   tko_all_bound(TKO_MOD, 1),
		   "takes over a device that has no port");
	tap_result(tko_log_has("no port to borrow class"),
		   "says it uses a class of its own");
	vcon_host("run tko_qmp.py add-port vs0 pvkit.hot", NULL, 0, 20000);
	tap_result(tko_in_class("/sys/class/virtio-ports-pvkit", "pvkit.hot",
				10),
		   "a port added later is named in virtio-ports-pvkit");
	tap_result(vcon_sh("rmmod %s", TKO_MOD) == 0 &&
		   tko_all_bound("virtio_console", 1),
		   "rmmod gives the device back to the built-in driver");
	tap_result(tko_in_class("/sys/class/virtio-ports", "pvkit.hot", 10),
		   "whose port is in virtio-ports again");
	tap_finish();
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *file = "hvc.log";
	char dev[300], marker[64], text[128];
	bool bare = false;
	int i, fd, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-b"))
			bare = true;
		else if (!strcmp(argv[i], "-f") && i + 1 < argc)
			file = argv[++i];
		else if (!strcmp(argv[i], "-p") && i + 1 < argc)
			name = argv[++i];
	}
	tap_header();
	if (hostctl("log takeover", NULL, 0, 5000))
		tap_skip_all("no hostctl channel (not under testvm)");
	if (!vcon_driver_builtin())
		return tko_modular();
	if (bare)
		return tko_bare();
	tap_plan(10);

	/* Start from the built-in driver. */
	if (vcon_load_driver(true) || vcon_find_port(name, dev, sizeof(dev), 10))
		tap_bail("the built-in driver has no port %s", name);
	snprintf(marker, sizeof(marker), "pvkit-tko-%d", getpid());
	snprintf(text, sizeof(text), "%s-before", marker);
	tap_result(tko_printk_reaches(file, text, 10),
		   "printk before the takeover reaches the host (built-in)");

	/* CLOEXEC: the opener the refusal names is this process only. */
	fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	rc = system("modprobe " TKO_MOD " 2>/tmp/tko.err");
	snprintf(text, sizeof(text), "is open (pid %d, takeover)", getpid());
	tap_result(rc != 0 && !vcon_driver_loaded() &&
		   !vcon_sh("grep -q 'busy' %s", "/tmp/tko.err"),
		   "refused with EBUSY while %s is open (modprobe rc %d)", dev,
		   rc);
	tap_result(tko_log_has(text), "the refusal names the opener: '%s'",
		   text);
	tap_result(tko_all_bound("virtio_console", 1),
		   "the built-in driver keeps the device");
	close(fd);

	tap_result(system("modprobe " TKO_MOD) == 0 &&
		   tko_all_bound(TKO_MOD, 1),
		   "loads once the port is closed and binds every console "
		   "device");
	tap_result(tko_in_class("/sys/class/virtio-ports", name, 10),
		   "%s is in /sys/class/virtio-ports (borrowed class)", name);
	snprintf(text, sizeof(text), "%s-after", marker);
	tap_result(tko_printk_reaches(file, text, 1),
		   "printk right after the takeover reaches the host (ours)");

	tap_result(vcon_sh("rmmod %s", TKO_MOD) == 0 &&
		   tko_all_bound("virtio_console", 1) &&
		   tko_in_class("/sys/class/virtio-ports", name, 10),
		   "rmmod gives the device back; %s returns", name);
	snprintf(text, sizeof(text), "%s-back", marker);
	tap_result(tko_printk_reaches(file, text, 10),
		   "printk after rmmod reaches the host (built-in again)");

	/* Devices that appear later are ours too. */
	if (system("modprobe " TKO_MOD))
		tap_bail("cannot load %s again", TKO_MOD);
	vcon_host("run tko_qmp.py add-bus vs9", NULL, 0, 20000);
	vcon_host("run tko_qmp.py add-port vs9 pvkit.late", NULL, 0, 20000);
	tap_result(tko_all_bound(TKO_MOD, 2) &&
		   tko_in_class("/sys/class/virtio-ports", "pvkit.late", 20),
		   "a console device hot-plugged later binds to %s, its port "
		   "named", TKO_MOD);
	tap_finish();
}
