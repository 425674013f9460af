// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the driver notifies no virtqueue before it sets DRIVER_OK, at
 * probe as at restore (a device may ignore such kicks; with notification
 * hardening the queues are still broken then). Needs QEMU started with
 * -trace enable=virtio_set_status -trace enable=virtio_queue_notify,
 * logging to {run}/TRACE (-t TRACE, default trace.log); the module is
 * reloaded so a probe is in the log.
 */
#include "vcon_util.h"

int main(int argc, char **argv)
{
	const char *trace = "trace.log";
	char dev[300], req[256], reply[512] = "";
	int i, early = -1;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			trace = argv[++i];
	tap_header();
	vcon_setup(false, VCON_PORT_NAME, dev, sizeof(dev));
	tap_plan(1);
	/* virtio_console, or the takeover module where it is built in. */
	if (vcon_sh("rmmod %s", vcon_module()) ||
	    vcon_sh("modprobe %s", vcon_module()))
		tap_bail("cannot reload the driver");
	if (vcon_find_port(VCON_PORT_NAME, dev, sizeof(dev), 10))
		tap_bail("port did not come back");
	snprintf(req, sizeof(req), "run vcon_peer.py kicks %s", trace);
	vcon_host(req, reply, sizeof(reply), 30000);
	early = reply[0] >= '0' && reply[0] <= '9' ? atoi(reply) : -1;
	tap_result(early == 0, "no virtqueue kick before DRIVER_OK (%s)",
		   reply);
	tap_finish();
}
