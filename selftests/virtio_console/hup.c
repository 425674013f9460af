// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: when the host side disconnects, a reader gets the data that was
 * sent (announced by SIGIO to an O_ASYNC owner, already delivered when
 * read() returns the data, as in-tree) and then end of file, poll()
 * reports POLLHUP, and a non-blocking write returns EAGAIN (nobody to send
 * to) instead of queueing.
 *
 * -l SECS: how long the host lingers between its data and the hangup
 * (default 0.5: poll sleeps and the hangup wakes it; 0: the hangup follows
 * the data at once, so its control message can be handled before the
 * data's interrupt, and the data must still come first).
 */
#include <errno.h>
#include <signal.h>

#include "vcon_util.h"

static volatile sig_atomic_t hup_sigio;

static void hup_on_sigio(int sig)
{
	(void)sig;
	hup_sigio++;
}

int main(int argc, char **argv)
{
	const char *name = "pvkit.p3", *sock = "p3.sock", *linger = "0.5";
	char dev[300], req[256], buf[256];
	struct pollfd p;
	size_t got = 0;
	ssize_t r;
	int fd, fl, i;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-l"))
			linger = argv[i + 1];
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(5);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py hello %s pvkit-hello %s",
		 sock, linger);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");
	signal(SIGIO, hup_on_sigio);
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
	if (write(fd, "g", 1) != 1)
		tap_bail("write: %s", strerror(errno));

	alarm(30);	/* a lost EOF must fail the test, not stall it */
	while (got < strlen("pvkit-hello")) {
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = 0;
	tap_result(!strcmp(buf, "pvkit-hello"), "data before the hangup "
		   "arrives ('%s')", buf);
	tap_result(hup_sigio > 0, "SIGIO delivered to the O_ASYNC owner "
		   "before read returns the data (%d signals)", (int)hup_sigio);

	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&p, 1, 10000);
	tap_result(r == 1 && (p.revents & POLLHUP), "poll reports POLLHUP "
		   "after the host disconnects (revents %#x)", p.revents);
	r = read(fd, buf, sizeof(buf));
	tap_result(r == 0, "read returns end of file (%zd)", r);

	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	r = write(fd, "x", 1);
	tap_result(r < 0 && errno == EAGAIN, "non-blocking write without a "
		   "host returns EAGAIN (%zd, %s)", r, r < 0 ? strerror(errno) : "-");
	close(fd);
	tap_finish();
}
