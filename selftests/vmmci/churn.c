// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: unbind/bind through sysfs and module unload/reload, repeated
 * while the host posts SYNCRTC requests, are clean: no splat (the runner checks the log), the
 * device ends bound with DRIVER_OK, and a request after the churn is
 * still acked.
 *
 * Usage: churn [-n CYCLES]   (default 50)
 */
#include "vmmci_test.h"

int main(int argc, char **argv)
{
	unsigned int cycles = 50, i, failed = 0, sent = 0, unload_failed = 0;
	long long st, acked0, acked;
	char reply[512], old_poll[32], old_sync[32];
	int opt, host;

	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			cycles = strtoul(optarg, NULL, 0);

	tap_header();
	vmmci_setup();
	host = vmmci_host_status("acks") != LLONG_MIN;
	tap_plan(3);

	if (pv_read_file(VMMCI_PARAMS "/poll_ms", old_poll,
			 sizeof(old_poll)) ||
	    pv_read_file(VMMCI_PARAMS "/timesync_ms", old_sync,
			 sizeof(old_sync)))
		tap_bail("no vmmci parameters");
	/* short periods so the works are live when remove runs */
	vmmci_param("poll_ms", "10");
	vmmci_param("timesync_ms", "10");
	for (i = 0; i < cycles; i++) {
		if (host && hostctl_vmctl("syncrtc", reply, sizeof(reply)) == 0)
			sent++;
		if (vmmci_bind(0) || vmmci_is_bound())
			failed++;
		if (host && i % 2)	/* lands while unbound: must not hurt */
			hostctl_vmctl("syncrtc", reply, sizeof(reply));
		if (vmmci_bind(1) || !vmmci_is_bound())
			failed++;
		if (i % 3 == 0)
			pv_sleep_ms(i % 7);
	}
	vmmci_param("poll_ms", old_poll);
	vmmci_param("timesync_ms", old_sync);
	vmmci_bind(0);
	vmmci_bind(1);

	/* module unload with the device bound and requests in flight */
	for (i = 0; i < cycles / 10; i++) {
		if (host)
			hostctl_vmctl("syncrtc", reply, sizeof(reply));
		if (system("rmmod vmmci") || vmmci_load() || !vmmci_is_bound())
			unload_failed++;
	}
	tap_result(!failed && !unload_failed && vmmci_is_bound(),
		   "%u unbind/bind cycles, %u rmmod/modprobe, %u failures, %u requests sent",
		   cycles, cycles / 10, failed + unload_failed, sent);

	if (!host) {
		tap_skip("no host model");
		tap_skip("no host model");
		tap_finish();
	}
	st = vmmci_host_status("status");
	tap_result(st != LLONG_MIN && (st & 4), "host sees DRIVER_OK (%#llx)",
		   st);
	acked0 = vmmci_stat("cmds_acked");
	hostctl_vmctl("syncrtc", reply, sizeof(reply));
	acked = vmmci_wait_stat("cmds_acked", acked0, 3000);
	tap_result(acked > acked0 && vmmci_host_status("pending") == 0,
		   "a request after the churn is acked (%lld -> %lld)", acked0,
		   acked);
	tap_finish();
}
