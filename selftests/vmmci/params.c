// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: poll_ms and timesync_ms refuse, with EINVAL, any value their
 * work cannot run on (0, below 10 ms, above their maximum, not a
 * number), keep the old value, and keep working: after a refused 0 the
 * poll still finds a request whose interrupt was lost, and samples are
 * still taken. A driver that took the 0 would stop each work at its
 * next re-arm, for good.
 */
#include "vmmci_test.h"

static char vmmci_old_poll[32], vmmci_old_sync[32];

static void vmmci_restore(void)
{
	if (vmmci_old_poll[0])
		vmmci_param("poll_ms", vmmci_old_poll);
	if (vmmci_old_sync[0])
		vmmci_param("timesync_ms", vmmci_old_sync);
	vmmci_bind(0);
	vmmci_bind(1);
}

/* Every bad value refused with EINVAL, the value read back unchanged. */
static void vmmci_refuses(const char *name, const char *max1)
{
	const char * const bad[] = { "0", "9", max1, "-1", "abc", "\n", "10x" };
	char path[PATH_MAX], before[32], after[32];
	unsigned int i, refused = 0;

	snprintf(path, sizeof(path), VMMCI_PARAMS "/%s", name);
	if (pv_read_file(path, before, sizeof(before)))
		tap_bail("no %s parameter", name);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = vmmci_param(name, bad[i]);

		/* a taken 0 would stop the work at its next re-arm */
		if (!i)
			pv_sleep_ms(300);
		if (ret == -EINVAL)
			refused++;
		else
			tap_diag("%s=\"%s\": %s", name, bad[i],
				 ret ? strerror(-ret) : "accepted");
	}
	pv_read_file(path, after, sizeof(after));
	tap_result(refused == i && !strcmp(before, after),
		   "%s: %u of %u bad values refused with EINVAL, value %s -> %s",
		   name, refused, i, before, after);
}

int main(void)
{
	long long polled0, polled, s0, s1, t0;
	char reply[512];
	int ok;

	tap_header();
	vmmci_setup();
	if (pv_read_file(VMMCI_PARAMS "/poll_ms", vmmci_old_poll,
			 sizeof(vmmci_old_poll)) ||
	    pv_read_file(VMMCI_PARAMS "/timesync_ms", vmmci_old_sync,
			 sizeof(vmmci_old_sync)))
		tap_bail("no vmmci parameters");
	atexit(vmmci_restore);
	tap_plan(5);

	/* short periods, applied by a rebind, so each work is seen to go on */
	if (vmmci_param("poll_ms", "200") ||
	    vmmci_param("timesync_ms", "100") || vmmci_bind(0) ||
	    vmmci_bind(1))
		tap_bail("cannot set short periods and rebind");
	pv_sleep_ms(300);

	vmmci_refuses("poll_ms", "60001");
	vmmci_refuses("timesync_ms", "3600001");
	ok = !vmmci_param("poll_ms", "10") && !vmmci_param("poll_ms", "60000") &&
	     !vmmci_param("timesync_ms", "3600000") &&
	     !vmmci_param("poll_ms", "200") &&
	     !vmmci_param("timesync_ms", "100");
	tap_result(ok, "the bounds 10, 60000 and 3600000 are accepted");

	/* several re-arms after the refused 0s: both works still run */
	if (vmmci_host_status("acks") == LLONG_MIN) {
		tap_skip("no host model");
	} else {
		polled0 = vmmci_stat("cmds_polled");
		t0 = pv_now_ns(CLOCK_MONOTONIC);
		if (hostctl_vmctl("syncrtc --no-irq", reply, sizeof(reply)))
			tap_bail("vmctl syncrtc --no-irq: %s", reply);
		polled = vmmci_wait_stat("cmds_polled", polled0, 3000);
		tap_result(polled == polled0 + 1,
			   "the poll still finds a lost-interrupt request (%lld -> %lld, %lld ms)",
			   polled0, polled,
			   (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	}
	if (!(vmmci_stat("features") & 1)) {
		tap_skip("host does not offer TIMESYNC");
	} else {
		s0 = vmmci_stat("samples");
		pv_sleep_ms(1000);
		s1 = vmmci_stat("samples");
		tap_result(s1 >= s0 + 3, "samples still taken: %lld -> %lld in 1 s",
			   s0, s1);
	}
	tap_finish();
}
