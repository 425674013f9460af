// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a port survives suspend to RAM: freeze resets the device and
 * drops the queues, restore rebuilds them and tells the host which ports
 * are ready and open, so the same open file echoes data before and after
 * (the host wakes the guest with QMP system_wakeup).
 */
#include <errno.h>

#include "vcon_util.h"

static int freeze_echo(int fd, const char *what)
{
	char out[64], in[64];
	size_t got = 0;

	memset(out, what[0], sizeof(out));
	if (write(fd, out, sizeof(out)) != sizeof(out)) {
		tap_diag("%s: write: %s", what, strerror(errno));
		return 0;
	}
	alarm(30);
	while (got < sizeof(in)) {
		ssize_t r = read(fd, in + got, sizeof(in) - got);

		if (r <= 0) {
			tap_diag("%s: read: %zd %s", what, r, strerror(errno));
			return 0;
		}
		got += r;
	}
	alarm(0);
	return !memcmp(in, out, sizeof(in));
}

static int freeze_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	char dev[300], req[256];
	bool intree = false;
	double t0;
	int fd, ret;

	vcon_port_args(argc, argv, &name, &sock, &intree);
	tap_header();
	vcon_setup(intree, name, dev, sizeof(dev));
	tap_plan(4);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py echo %s 128", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");
	tap_result(freeze_echo(fd, "before"), "echo before suspend");

	/*
	 * Suspend to RAM (ACPI S3); the host wakes us with QMP
	 * system_wakeup once QEMU reports the guest suspended.
	 */
	if (freeze_write("/sys/power/mem_sleep", "deep"))
		tap_bail("no deep sleep: %s", strerror(errno));
	vcon_host("spawn vcon_peer.py wakeup 2", NULL, 0, 10000);
	t0 = vcon_now();
	ret = freeze_write("/sys/power/state", "mem");
	tap_result(ret == 0, "suspend to RAM and resume (%s, %.1f s)",
		   ret ? strerror(-ret) : "ok", vcon_now() - t0);
	tap_result(freeze_echo(fd, "after"), "the same file echoes after "
		   "restore");
	/* The host re-announces every port: that is no error. */
	tap_result(system("dmesg | grep -E 'port already exists|name not "
			  "set'") != 0, "restore logs no complaint about the "
		   "host's re-announced ports");
	close(fd);
	tap_finish();
}
