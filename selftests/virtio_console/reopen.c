// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a port being released cannot be opened until its release is
 * over, so the host always hears the old file's PORT_OPEN 0 before the
 * new file's 1 and keeps feeding the new reader. The driver's release
 * delay hook (fault_inject=1) holds release for 2 s; a second opener
 * tries all along, and the host's data must then reach it.
 */
#include <errno.h>
#include <pthread.h>

#include "vcon_util.h"

#define FAULT vcon_fault_path()

static double closed_at;

static void *reopen_close(void *arg)
{
	close(*(int *)arg);
	closed_at = vcon_now();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	int fd, fd2 = -1, busy = 0, n = 0;
	char dev[300], req[256], in[16];
	double t0, opened_at = 0;
	struct pollfd p;
	pthread_t th;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	if (access(FAULT, F_OK))
		tap_skip_all("driver has no fault_inject hook");
	tap_plan(2);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py hello %s PING 5", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");

	pv_write_file(FAULT, "1");
	t0 = vcon_now();
	pthread_create(&th, NULL, reopen_close, &fd);
	while (vcon_now() - t0 < 5) {
		fd2 = open(dev, O_RDWR);
		if (fd2 >= 0) {
			opened_at = vcon_now();
			break;
		}
		if (errno != EBUSY)
			tap_bail("reopen: %s", strerror(errno));
		busy++;
		usleep(5000);
	}
	pthread_join(th, NULL);
	pv_write_file(FAULT, "0");
	if (fd2 < 0)
		tap_bail("never reopened");
	tap_result(opened_at >= closed_at,
		   "no open while the last file is being released (opened "
		   "%.3f s, release over %.3f s, %d EBUSY)",
		   opened_at - t0, closed_at - t0, busy);

	/* The host must believe the port open: its data reaches us. */
	if (write(fd2, "x", 1) != 1)
		tap_diag("write: %s", strerror(errno));
	p = (struct pollfd){ .fd = fd2, .events = POLLIN };
	if (poll(&p, 1, 5000) == 1 && (p.revents & POLLIN))
		n = read(fd2, in, sizeof(in));
	tap_result(n == 4 && !memcmp(in, "PING", 4),
		   "the host feeds the new opener (%d bytes in 5 s)", n);
	close(fd2);
	tap_finish();
}
