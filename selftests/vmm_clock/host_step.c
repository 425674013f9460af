// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: host-side clock disturbances do not break the guest clock.
 *  1. The host stops mid-update for 500 ms (vmctl pvclock stuck=500):
 *     readers keep making progress (no hang), nothing goes backwards, and
 *     if the host leaves the version odd the odd-timeout counter moves.
 *  2. The host clock steps forward at each (rare, 1 s) refresh because the
 *     guest extrapolates 5% slow in between: nothing goes backwards and
 *     guest time still covers host time (the steps are taken, not lost).
 */
#include "vmm_clock_util.h"

static volatile int stop;

/* Does any CPU's page show an odd version right now? */
static int page_odd(void)
{
	char buf[4096], *p;

	if (vcu_read_file(VCU_DEBUGFS "/cpus", buf, sizeof(buf)))
		return 0;
	for (p = buf; (p = strstr(p, "version=")); p += 8)
		if (strtoul(p + 8, NULL, 10) & 1)
			return 1;
	return 0;
}

static void stuck_phase(void)
{
	long long odd0 = vcu_status("odd_timeouts"), odd;
	unsigned long long before = 0, after = 0;
	struct vcu_reader *r;
	int i, saw_odd = 0, n = vcu_ncpus();

	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	r = vcu_readers_start(0, &stop);
	usleep(100000);
	if (vcu_host("vmctl pvclock stuck=500", NULL, 0))
		tap_bail("vmctl pvclock stuck=500 failed");
	for (i = 0; i < n; i++)
		before += r[i].reads;
	for (i = 0; i < 20; i++) {
		saw_odd |= page_odd();
		usleep(20000);
	}
	for (i = 0; i < n; i++)
		after += r[i].reads;
	usleep(800000);
	stop = 1;
	tap_result(vcu_readers_join(r) == 0,
		   "host stuck 500 ms: no backward step");
	free(r);
	tap_result(after > before, "readers progressed while the host was stuck (%llu reads)",
		   after - before);
	odd = vcu_status("odd_timeouts") - odd0;
	tap_diag("odd version seen %d, odd_timeouts +%lld", saw_odd, odd);
	if (saw_odd)
		tap_result(odd > 0, "odd-version timeouts counted (%lld)", odd);
	else
		tap_skip("host model's stuck= left the version even (updates stopped)");
}

static void step_phase(void)
{
	int64_t g0, g1, h0, h1, dg, dh;
	struct vcu_reader *r;

	if (vcu_host("vmctl pvclock interval=1000000 mul-ppm=-50000", NULL, 0))
		tap_bail("vmctl pvclock knobs failed");
	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	g0 = vcu_now_ns(CLOCK_MONOTONIC);
	h0 = hostctl_time_ns();
	r = vcu_readers_start(0, &stop);
	sleep(4);
	stop = 1;
	g1 = vcu_now_ns(CLOCK_MONOTONIC);
	h1 = hostctl_time_ns();
	tap_result(vcu_readers_join(r) == 0,
		   "forward steps at host refreshes: no backward step");
	free(r);
	vcu_host("vmctl pvclock interval=1000 mul-ppm=0", NULL, 0);
	dg = g1 - g0;
	dh = h1 - h0;
	tap_diag("guest %.3f s, host %.3f s", dg / 1e9, dh / 1e9);
	/* Off by at most one missed step (50 ms) plus hostctl round trips. */
	tap_result(llabs(dg - dh) < 150000000LL,
		   "guest time kept up with the host across forward steps");
}

int main(void)
{
	tap_header();
	vcu_require_current();
	if (hostctl_open())
		tap_skip_all("needs the host model (vmctl pvclock)");
	tap_plan(5);
	stuck_phase();
	step_phase();
	tap_finish();
}
