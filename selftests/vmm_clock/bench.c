// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers only (never fails on speed): in-kernel cost of one vmm-clock
 * read vs a bare rdtsc (debugfs bench), and side by side for each
 * available clocksource made current (on a vmm 1.64 host: vmm-clock and
 * kvm-clock on the same pages) the cost of clock_gettime(CLOCK_MONOTONIC)
 * from user space (vDSO or system call) and of ktime_get() in the kernel;
 * then the retry and clamp rates of the read under a host update storm.
 *
 * Usage: bench [-n CALLS]   (default 10^6)
 */
#include "vmm_clock_util.h"

static double gettime_ns(unsigned long n)
{
	int64_t t0 = pv_now_ns(CLOCK_MONOTONIC_RAW);
	struct timespec ts;
	unsigned long i;

	for (i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(pv_now_ns(CLOCK_MONOTONIC_RAW) - t0) / n;
}

int main(int argc, char **argv)
{
	char orig[64], avail[512], buf[512], *tok, *save, pages[32];
	unsigned long n = 1000000;
	long long r0, c0, t0;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_current(orig, sizeof(orig));
	vcu_require_current();
	tap_plan(3);
	vcu_pin(0);
	if (!pv_read_file(VCU_DEBUGFS "/bench", buf, sizeof(buf))) {
		for (tok = strtok_r(buf, "\n", &save); tok;
		     tok = strtok_r(NULL, "\n", &save))
			tap_diag("kernel %s", tok);
	}
	tap_diag("pages %s", vcu_status_str("pages", pages, sizeof(pages)));
	tap_result(1, "in-kernel read cost");

	/*
	 * tsc is listed only once the clocksource watchdog verified it, a
	 * few seconds after its late registration: give it 10 s.
	 */
	for (opt = 0; opt < 100 && !vcu_available("tsc"); opt++)
		usleep(100000);
	pv_read_file(VCU_AVAILABLE, avail, sizeof(avail));
	tap_diag("available %s", avail);
	for (tok = strtok_r(avail, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		double user, kern = -1;

		if (strstr(tok, "jiffies") || vcu_set_current(tok))
			continue;
		user = gettime_ns(n);
		if (!pv_read_file(VCU_DEBUGFS "/bench", buf, sizeof(buf))) {
			char *p = strstr(buf, "ktime_get_ps_per_read ");

			if (p)
				kern = strtoll(p + 22, NULL, 10) / 1000.0;
		}
		tap_diag("clock_gettime_ns %s %.1f", tok, user);
		tap_diag("side_by_side %-10s clock_gettime %7.1f ns  ktime_get %7.1f ns",
			 tok, user, kern);
	}
	vcu_set_current(VCU_NAME);
	tap_result(1, "clock_gettime and ktime_get cost per clocksource");

	if (vcu_host("vmctl pvclock interval=10", NULL, 0) == -1)
		tap_diag("no host channel: no update storm");
	r0 = vcu_status("retries");
	c0 = vcu_status("clamps");
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	gettime_ns(n);
	tap_diag("storm_reads %lu seconds %.2f retries %lld clamps %lld", n,
		 (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1e9,
		 vcu_status("retries") - r0, vcu_status("clamps") - c0);
	tap_diag("retries_per_million %.1f clamps_per_million %.1f",
		 (vcu_status("retries") - r0) * 1e6 / n,
		 (vcu_status("clamps") - c0) * 1e6 / n);
	vcu_host("vmctl pvclock interval=1000", NULL, 0);
	tap_result(1, "retry and clamp rates under an update storm");
	vcu_set_current(orig);
	tap_finish();
}
