// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: host-side clock disturbances do not break the guest clock.
 *  1. The host stops updating for 500 ms (vmctl pvclock stuck=500), then
 *     stalls mid-update for 500 ms, version left odd (stuck-odd=500):
 *     readers keep making progress (no hang), nothing goes backwards, and
 *     in the odd case the odd-timeout counter moves.
 *  2. The host clock steps forward at each (rare, 1 s) refresh because the
 *     guest extrapolates 5% slow in between: nothing goes backwards and
 *     guest time still covers host time (the steps are taken, not lost).
 *  3. The host's wall clock steps forward 10 s (vmctl clock +10): the
 *     host wall clock the driver reports moves 10 s, while the pvclock
 *     (host uptime) and so CLOCK_MONOTONIC do not jump, nor go back.
 */
#include "vmm_clock_util.h"

static volatile int stop;

/* Does any CPU's page show an odd version right now? */
static int page_odd(void)
{
	char buf[4096], *p;

	if (pv_read_file(VCU_DEBUGFS "/cpus", buf, sizeof(buf)))
		return 0;
	for (p = buf; (p = strstr(p, "version=")); p += 8)
		if (strtoul(p + 8, NULL, 10) & 1)
			return 1;
	return 0;
}

static void stuck_phase(const char *knob, int odd_expected)
{
	char req[64];
	long long odd0 = vcu_status("odd_timeouts"), odd;
	unsigned long long before = 0, after = 0;
	struct vcu_reader *r;
	int i, saw_odd = 0, n = vcu_ncpus();

	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	r = vcu_readers_start(0, &stop);
	usleep(100000);
	snprintf(req, sizeof(req), "vmctl pvclock %s=500", knob);
	if (vcu_host(req, NULL, 0))
		tap_bail("%s failed", req);
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
		   "host %s 500 ms: no backward step", knob);
	free(r);
	tap_result(after > before, "%s: readers progressed while the host was stuck (%llu reads)",
		   knob, after - before);
	odd = vcu_status("odd_timeouts") - odd0;
	tap_diag("%s: odd version seen %d, odd_timeouts +%lld", knob, saw_odd,
		 odd);
	/*
	 * The driver's count is the claim. The test's own look at the pages
	 * (20 samples in the stall) is only reported: on a loaded machine
	 * the vmctl reply can come back after most of the 500 ms stall.
	 */
	if (odd_expected)
		tap_result(odd > 0,
			   "odd-version timeouts counted (%lld; odd version seen by the test: %s)",
			   odd, saw_odd ? "yes" : "no");
}

static void step_phase(void)
{
	int64_t g0, g1, h0, h1, dg, dh;
	struct vcu_reader *r;

	if (vcu_host("vmctl pvclock interval=1000000 mul-ppm=-50000", NULL, 0))
		tap_bail("vmctl pvclock knobs failed");
	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	g0 = pv_now_ns(CLOCK_MONOTONIC);
	h0 = hostctl_time_ns();
	r = vcu_readers_start(0, &stop);
	sleep(4);
	stop = 1;
	g1 = pv_now_ns(CLOCK_MONOTONIC);
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

static void wall_step_phase(void)
{
	int64_t w0, w1, m0, m1;
	struct vcu_reader *r;

	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	r = vcu_readers_start(0, &stop);
	m0 = pv_now_ns(CLOCK_MONOTONIC);
	w0 = vcu_host_now();
	if (vcu_host("vmctl clock +10", NULL, 0))
		tap_bail("vmctl clock +10 failed");
	w1 = vcu_host_now();
	m1 = pv_now_ns(CLOCK_MONOTONIC);
	usleep(200000);
	stop = 1;
	tap_diag("host wall clock %+.3f s, guest monotonic %+.3f s",
		 (w1 - w0) / 1e9, (m1 - m0) / 1e9);
	tap_result(w0 > 0 && w1 - w0 >= 10000000000LL &&
		   w1 - w0 < 10000000000LL + (m1 - m0) + 100000000LL,
		   "host wall clock step of +10 s seen through the wall clock MSR");
	tap_result(vcu_readers_join(r) == 0 && m1 - m0 < 5000000000LL,
		   "wall clock step: CLOCK_MONOTONIC neither jumps nor goes back");
	free(r);
	vcu_host("vmctl clock -10", NULL, 0);
}

int main(void)
{
	tap_header();
	vcu_require_current();
	if (hostctl_open())
		tap_skip_all("needs the host model (vmctl pvclock)");
	tap_plan(9);
	stuck_phase("stuck", 0);
	stuck_phase("stuck-odd", 1);
	step_phase();
	wall_step_phase();
	tap_finish();
}
