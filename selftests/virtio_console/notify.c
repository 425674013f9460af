// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host learns when the guest opens and closes a port: QEMU
 * reports our PORT_OPEN 1/0 control messages as VSERPORT_CHANGE events,
 * which host/vcon_peer.py collects over QMP. QEMU sends at most one such
 * event per second per port (the last one of a burst), so each state is
 * held for longer than that.
 */
#include <errno.h>

#include "vcon_util.h"

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock", *id = "vp0";
	char dev[300], req[256], reply[256];
	int fd, i;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-i") && i + 1 < argc)
			id = argv[++i];
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(2);

	snprintf(req, sizeof(req), "spawn vcon_peer.py vserport %s notify",
		 id);
	vcon_host(req, NULL, 0, 10000);
	vcon_host("run vcon_peer.py result notify-ready 20", NULL, 0, 30000);
	usleep(1500 * 1000);
	fd = open(dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	usleep(1500 * 1000);
	close(fd);
	vcon_host("run vcon_peer.py result notify 40", reply, sizeof(reply),
		  50000);
	tap_diag("host saw VSERPORT_CHANGE open values: %s", reply);
	/* A leading "0" is the previous test's close, delivered late. */
	tap_result(!!strstr(reply, "1"), "open(2) tells the host the "
		   "guest side is open");
	i = strlen(reply);
	tap_result(i >= 3 && !strcmp(reply + i - 3, "1 0"), "close(2) then "
		   "tells the host it is closed");
	tap_finish();
}
