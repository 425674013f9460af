// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a file released while its device goes away touches nothing the
 * device owned. The release delay hook (fault_inject=1) holds close() for
 * 2 s; meanwhile the virtio-serial PCI function is unbound, which
 * frees the virtio device. Boot with slub_debug=P: a release that still
 * reads the freed device then oopses. Run last: the device is gone.
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>

#include "vcon_util.h"

#define FAULT vcon_fault_path()

static int relfree_rc = -1;
static double relfree_closed;

static void *relfree_close(void *arg)
{
	relfree_rc = close(*(int *)arg);
	relfree_closed = vcon_now();
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	char dev[300], sys[400], pci[400];
	double t0, unbound;
	pthread_t th;
	int fd, ret;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	if (access(FAULT, F_OK))
		tap_skip_all("driver has no fault_inject hook");
	tap_plan(2);
	snprintf(sys, sizeof(sys), "/sys/class/virtio-ports/%s/device/..",
		 dev + 5);
	if (!realpath(sys, pci))
		tap_bail("no PCI device for %s", dev);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));

	pv_write_file(FAULT, "1");
	t0 = vcon_now();
	pthread_create(&th, NULL, relfree_close, &fd);
	usleep(100 * 1000);
	ret = pv_write_file("/sys/bus/pci/drivers/virtio-pci/unbind",
			    basename(pci));
	unbound = vcon_now();
	tap_result(ret == 0, "unbind %s while the port's file is being "
		   "released", basename(pci));
	pthread_join(th, NULL);
	pv_write_file(FAULT, "0");
	/* The bug shows only when the unbind wins: say which did. */
	tap_diag("unbind done %.2f s, close done %.2f s", unbound - t0,
		 relfree_closed - t0);
	tap_result(relfree_rc == 0, "the release finishes cleanly after the "
		   "device is gone");
	tap_finish();
}
