// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers only (set=bench): ack latency of SYNCRTC requests, in the guest
 * (interrupt to ack write, from sysfs) and as seen from a test process
 * (vmctl request sent to the guest's ack counter moving, which includes
 * the hostctl round trip). Loads vmm_clock when available so the guest
 * timestamps are not jiffies. Never fails on speed.
 *
 * Usage: bench [-n ROUNDS]   (default 20)
 */
#include "vmmci_test.h"

static int vmmci_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void vmmci_print(const char *name, long long *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), vmmci_cmp);
	printf("%s_min %lld\n%s_median %lld\n%s_max %lld\n", name, v[0],
	       name, v[n / 2], name, v[n - 1]);
}

int main(int argc, char **argv)
{
	unsigned int rounds = 20, n = 0, i;
	long long guest[200], e2e[200];
	char reply[512], cs[64];
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			rounds = strtoul(optarg, NULL, 0);
	if (rounds > 200)
		rounds = 200;

	tap_header();
	vmmci_setup();
	if (vmmci_host_status("acks") == LLONG_MIN)
		tap_skip_all("no host model");
	tap_plan(1);
	tap_diag("clocksource %s", vmmci_prefer_pvclock(cs, sizeof(cs)));
	for (i = 0; i < rounds; i++) {
		long long a0 = vmmci_stat("cmds_acked"), a, t0;

		t0 = pv_now_ns(CLOCK_MONOTONIC);
		if (hostctl_vmctl("syncrtc", reply, sizeof(reply)) != 0)
			continue;
		a = vmmci_wait_stat("cmds_acked", a0, 3000);
		if (a <= a0)
			continue;
		e2e[n] = pv_now_ns(CLOCK_MONOTONIC) - t0;
		guest[n] = vmmci_stat("last_ack_latency_ns");
		n++;
	}
	tap_result(n > 0, "%u of %u rounds acked", n, rounds);
	if (n) {
		vmmci_print("ack_latency_guest_ns", guest, n);
		vmmci_print("request_to_ack_seen_ns", e2e, n);
	}
	tap_finish();
}
