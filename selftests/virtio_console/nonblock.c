// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: with a host that stops reading, non-blocking writes fill the
 * queue and then return EAGAIN (never block, never drop), and poll()
 * stops reporting POLLOUT until the host drains.
 */
#include <errno.h>

#include "vcon_util.h"

#define NB_LIMIT	(64u << 20)

int main(int argc, char **argv)
{
	const char *name = "pvkit.p2", *sock = "p2.sock";
	char dev[300], req[256], buf[4096];
	size_t queued = 0;
	struct pollfd p;
	double t0;
	bool stable = false;
	int fd, r, err = 0, eagains = 0;
	ssize_t w;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(3);
	fd = open(dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py stall %s", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");

	memset(buf, 'n', sizeof(buf));
	t0 = vcon_now();
	alarm(60);	/* a write that blocks despite O_NONBLOCK fails here */
	/*
	 * QEMU drains the queue into its socket until that is full too, so
	 * fill until a full queue stays full: EAGAIN and no POLLOUT for
	 * half a second.
	 */
	while (queued < NB_LIMIT) {
		w = write(fd, buf, sizeof(buf));
		if (w >= 0) {
			queued += w;
			continue;
		}
		err = errno;
		if (err != EAGAIN)
			break;
		eagains++;
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		r = poll(&p, 1, 500);
		if (r == 0) {
			stable = true;
			break;
		}
	}
	tap_diag("%zu bytes queued, %d EAGAINs, last %s, %.2f s", queued,
		 eagains, err ? strerror(err) : "none", vcon_now() - t0);
	tap_result(eagains > 0 && err == EAGAIN, "non-blocking write returns "
		   "EAGAIN once the stalled host lets the queue fill");
	tap_result(stable, "poll reports no POLLOUT while full");
	w = write(fd, buf, 1);
	tap_result(w < 0 && errno == EAGAIN, "it stays EAGAIN while the host "
		   "does not read");
	close(fd);
	tap_finish();
}
