// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host's wall clock (MSR 0x4b564d00) is read correctly:
 *  1. debugfs wall_clock "host_now" matches the host's CLOCK_REALTIME
 *     (hostctl time) within 250 ms;
 *  2. reloading with set_time=1 sets the guest's CLOCK_REALTIME to it;
 *  3. a host without the MSR (vmctl pvclock wall-clock=0, like vmm before
 *     1.64) still gets the clocksource, reported as "wall_clock 0".
 * Needs another clocksource to take over while reloading.
 */
#include "vmm_clock_util.h"

#define TOLERANCE_NS	250000000LL

/* Switch away, unload, load with @params, select ours again. */
static int reload(const char *params)
{
	char other[64];

	if (vcu_switch_away(other, sizeof(other)) || vcu_rmmod() ||
	    vcu_modprobe(params))
		return -1;
	return vcu_set_current(VCU_NAME);
}

int main(void)
{
	int64_t h, g;

	tap_header();
	vcu_require_current();
	if (hostctl_open())
		tap_skip_all("needs the host (hostctl time, vmctl)");
	tap_plan(3);

	h = hostctl_time_ns();
	g = vcu_host_now();
	tap_diag("host %lld guest's view of host %lld: %+.3f ms", (long long)h,
		 (long long)g, (g - h) / 1e6);
	tap_result(g > 0 && llabs(g - h) < TOLERANCE_NS,
		   "debugfs wall_clock matches host time");

	/* Put the guest 10 s off first, so only set_time can explain a match. */
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec -= 10;
		if (clock_settime(CLOCK_REALTIME, &ts))
			tap_bail("clock_settime failed");
	}
	if (reload("set_time=1"))
		tap_bail("reload with set_time=1 failed");
	h = hostctl_time_ns();
	g = pv_now_ns(CLOCK_REALTIME);
	tap_diag("after set_time=1: guest realtime %+.3f ms from host",
		 (g - h) / 1e6);
	tap_result(llabs(g - h) < TOLERANCE_NS,
		   "set_time=1 set CLOCK_REALTIME from the host");

	if (vcu_host("vmctl pvclock wall-clock=0", NULL, 0))
		tap_bail("vmctl pvclock wall-clock=0 failed");
	if (reload(NULL))
		tap_bail("reload on a host without wall clock failed");
	tap_result(vcu_status("wall_clock") == 0 && vcu_host_now() < 0 &&
		   vcu_available(VCU_NAME),
		   "no wall clock MSR: still loads, reports wall_clock 0");
	vcu_host("vmctl pvclock wall-clock=1", NULL, 0);
	reload(NULL);
	tap_finish();
}
