// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a host that hangs up while the guest is suspended is seen as
 * gone after resume: POLLHUP and end of file. The device forgets its
 * ports across the reset, and restore only hears of hosts that are
 * connected, so freeze must forget the host side too.
 */
#include <errno.h>
#include <signal.h>

#include "vcon_util.h"

static void freeze_hup_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	char dev[300], req[256], c;
	struct sigaction sa = { 0 };
	struct pollfd p;
	int fd, ret = 0, r = -1;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(3);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py suspend-hup %s", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");
	if (pv_write_file("/sys/power/mem_sleep", "deep"))
		tap_bail("no deep sleep");
	if (pv_write_file("/sys/power/state", "mem"))
		ret = -errno;
	tap_result(ret == 0, "suspend to RAM and resume (%s)",
		   ret ? strerror(-ret) : "ok");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&p, 1, 3000);
	tap_result(r == 1 && (p.revents & POLLHUP),
		   "POLLHUP after resume: the host hung up while we slept "
		   "(revents 0x%x)", p.revents);
	sa.sa_handler = freeze_hup_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	r = read(fd, &c, 1);
	alarm(0);
	tap_result(r == 0, "read returns end of file (%d)", r);
	close(fd);
	tap_finish();
}
