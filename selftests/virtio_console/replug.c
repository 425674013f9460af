// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a port id that the host removes and adds again works: the
 * buffers the removed port left on its queues (the device may still use
 * them) are not freed under the device, so the new port receives exactly
 * what the host sends. Shown on a packed ring (virtio-serial-pci
 * packed=on), where buffers stay visible to the device until a reset.
 * Options: -p NAME -s SOCK -i QEMU-ID -a DEVICE-ADD-SPEC.
 */
#include <errno.h>

#include "vcon_util.h"

#define REPLUG_TEXT "replugged-port-data-0123456789abcdefghijklmnopqrstuvwxyz"

int main(int argc, char **argv)
{
	const char *name = "pvkit.p1", *sock = "p1.sock", *id = "vp1";
	const char *spec = "virtserialport,bus=vs0.0,nr=1,chardev=c1,"
			   "name=pvkit.p1,id=vp1";
	char dev[300], req[512], in[128];
	size_t got = 0, want = strlen(REPLUG_TEXT);
	struct pollfd p;
	int fd, i;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-i") && i + 1 < argc)
			id = argv[++i];
		else if (!strcmp(argv[i], "-a") && i + 1 < argc)
			spec = argv[++i];
	}
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(3);
	snprintf(req, sizeof(req), "run vcon_peer.py device-del %s", id);
	vcon_host(req, NULL, 0, 30000);
	for (i = 0; i < 50 && !vcon_find_port(name, dev, sizeof(dev), 0); i++)
		usleep(100 * 1000);
	tap_result(i < 50, "the port is gone after device_del");
	snprintf(req, sizeof(req), "run vcon_peer.py device-add %s", spec);
	vcon_host(req, NULL, 0, 30000);
	tap_result(vcon_find_port(name, dev, sizeof(dev), 10) == 0,
		   "the port is back after device_add (%s)", dev);

	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py hello %s %s 5", sock,
		 REPLUG_TEXT);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");
	if (write(fd, "x", 1) != 1)
		tap_diag("write: %s", strerror(errno));
	while (got < want) {
		ssize_t r;

		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5000) != 1)
			break;
		r = read(fd, in + got, sizeof(in) - got);
		if (r <= 0)
			break;
		got += r;
	}
	tap_result(got == want && !memcmp(in, REPLUG_TEXT, want),
		   "the new port receives what the host sent (%zu of %zu "
		   "bytes%s)", got, want,
		   got && memcmp(in, REPLUG_TEXT, got < want ? got : want) ?
		   ", corrupted" : "");
	close(fd);
	tap_finish();
}
