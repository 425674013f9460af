// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: after the host clock steps forward (vmctl clock +3600, which
 * makes the host model send SYNCRTC), the driver steps CLOCK_REALTIME
 * from the microsecond TIME registers: the guest is then within 10 ms of
 * the host clock, allowing for the hostctl round trip. The clock is put
 * back afterwards (vmctl clock -3600 and a resync).
 *
 * Usage: clock_resync [-s SECONDS] [-b]
 *   -b: bench: also print numbers, after loading vmm_clock if available
 */
#include "vmmci_test.h"

#define VMMCI_TOLERANCE_NS	10000000LL

/*
 * The host model's clock offset (vmctl clock steps) relative to the
 * runner's CLOCK_REALTIME, which hostctl "time" returns. Read once; the
 * test knows its own steps, so no status round trip sits between a step
 * and its measurement (a jiffies-driven guest clock drifts meanwhile).
 */
static long long vmmci_host_off;

/*
 * guest - host, with the round trip as the uncertainty; 0 on success.
 * The host read lies somewhere in [g0, g1]: the true error is in
 * [g0 - h, g1 - h]. Keep the tightest of three tries.
 */
static int vmmci_measure(long long *err, long long *rtt)
{
	long long g0, g1, h;
	int i;

	*rtt = LLONG_MAX;
	for (i = 0; i < 3; i++) {
		g0 = pv_now_ns(CLOCK_REALTIME);
		h = hostctl_time_ns();
		g1 = pv_now_ns(CLOCK_REALTIME);
		if (!h)
			return -1;
		if (g1 - g0 < *rtt) {
			*rtt = g1 - g0;
			*err = g0 + (g1 - g0) / 2 - (h + vmmci_host_off);
		}
	}
	return 0;
}

/* The driver's own view: rebind (which samples at once) and read it. */
static long long vmmci_device_residual(void)
{
	if (vmmci_bind(0) || vmmci_bind(1))
		return LLONG_MIN;
	pv_sleep_ms(200);
	return vmmci_stat("offset_ns");
}

/*
 * Ask the host for a clock step and wait for the resulting guest step.
 * vmd only notices forward jumps, so a backward step is followed by an
 * explicit syncrtc.
 */
static int vmmci_step_host(const char *arg, long long *waited_ms)
{
	char args[64], reply[512];
	long long syncs0 = vmmci_stat("syncs"), syncs, t0;

	snprintf(args, sizeof(args), "clock %s", arg);
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	if (hostctl_vmctl(args, reply, sizeof(reply)) != 0) {
		tap_diag("vmctl %s: %s", args, reply);
		return -1;
	}
	if (arg[0] == '-' && hostctl_vmctl("syncrtc", reply, sizeof(reply))) {
		tap_diag("vmctl syncrtc: %s", reply);
		return -1;
	}
	syncs = vmmci_wait_stat("syncs", syncs0, 5000);
	*waited_ms = (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
	return syncs > syncs0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long long before, err, rtt, waited, step;
	int bench = 0, opt, ok;
	unsigned int secs = 3600;
	char fwd[32], back[32], cs[64];

	while ((opt = getopt(argc, argv, "bs:")) != -1) {
		if (opt == 'b')
			bench = 1;
		else if (opt == 's')
			secs = strtoul(optarg, NULL, 0);
	}
	snprintf(fwd, sizeof(fwd), "+%u", secs);
	snprintf(back, sizeof(back), "-%u", secs);

	tap_header();
	vmmci_setup();
	if (bench)
		vmmci_prefer_pvclock(cs, sizeof(cs));
	vmmci_host_off = vmmci_host_status("clock_offset_ns");
	if (vmmci_host_off == LLONG_MIN)
		tap_skip_all("no host model status");
	if (vmmci_measure(&before, &rtt))
		tap_skip_all("no host channel");
	tap_plan(3);
	tap_diag("before: guest - host = %lld ns (rtt %lld ns)", before, rtt);
	if (!pv_read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			  cs, sizeof(cs)))
		tap_diag("guest clocksource: %s", cs);

	ok = !vmmci_step_host(fwd, &waited);
	vmmci_host_off += secs * 1000000000LL;
	step = vmmci_stat("last_step_ns");
	tap_result(ok, "SYNCRTC handled %lld ms after vmctl clock %s, step %lld ns",
		   waited, fwd, step);

	if (vmmci_measure(&err, &rtt))
		tap_bail("host time unavailable");
	ok = llabs(err) <= VMMCI_TOLERANCE_NS + rtt / 2;
	tap_result(ok, "guest - host = %lld ns after resync (rtt %lld ns, limit 10 ms)",
		   err, rtt);
	if (bench)
		printf("clock_error_after_resync_ns %lld\nclock_rtt_ns %lld\n"
		       "syncrtc_to_step_ms %lld\n"
		       "device_offset_after_resync_ns %lld\n", err, rtt, waited,
		       vmmci_device_residual());

	/* restore: the host clock back, and the guest with it */
	ok = !vmmci_step_host(back, &waited);
	vmmci_host_off -= secs * 1000000000LL;
	if (vmmci_measure(&err, &rtt))
		err = LLONG_MAX;
	tap_result(ok && llabs(err) <= VMMCI_TOLERANCE_NS + rtt / 2,
		   "restored: vmctl clock %s, guest - host = %lld ns", back, err);
	tap_finish();
}
