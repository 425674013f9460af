// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: CLOCK_MONOTONIC on vmm-clock never goes backwards, within a CPU
 * or across CPUs, while the host rewrites the pvclock pages as fast as it
 * can (interval=10 us), and while the host's re-anchors step the raw
 * clock backwards (mul-ppm too fast, rare refreshes): the driver's guard
 * must clamp (clamps counter moves) and nobody sees time go back.
 *
 * Usage: monotonic [-n READS_PER_CPU]   (default 10^7)
 */
#include "vmm_clock_util.h"

static int run_phase(const char *what, unsigned long long reads,
		     long long *retries, long long *clamps)
{
	long long r0 = vcu_status("retries"), c0 = vcu_status("clamps");
	long long o0 = vcu_status("odd_timeouts");
	int64_t t0 = pv_now_ns(CLOCK_MONOTONIC);
	struct vcu_reader *r;
	unsigned long long bad;

	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	r = vcu_readers_start(reads, NULL);
	bad = vcu_readers_join(r);
	free(r);
	*retries = vcu_status("retries") - r0;
	*clamps = vcu_status("clamps") - c0;
	tap_diag("%s: %llu reads/cpu in %.1f s, retries %lld, clamps %lld, odd timeouts %lld",
		 what, reads, (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1e9,
		 *retries, *clamps, vcu_status("odd_timeouts") - o0);
	return bad == 0;
}

int main(int argc, char **argv)
{
	unsigned long long reads = 10000000ULL;
	long long retries, clamps;
	int opt, host;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			reads = strtoull(optarg, NULL, 0);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_require_current();
	tap_plan(3);
	host = vcu_host("vmctl pvclock interval=10", NULL, 0);
	if (host == -1)
		tap_diag("no host channel: no update storm");
	tap_result(run_phase("update storm", reads, &retries, &clamps),
		   "no backward step under an update storm (%d CPUs)",
		   vcu_ncpus());

	if (host == -1) {
		tap_skip("needs the host model (re-anchor steps)");
		tap_skip("needs the host model (re-anchor steps)");
		tap_finish();
	}
	/*
	 * Between refreshes the guest extrapolates 0.5% fast; each refresh
	 * (every 20 ms) then re-anchors ~100 us into the past.
	 */
	vcu_host("vmctl pvclock interval=20000 mul-ppm=5000", NULL, 0);
	tap_result(run_phase("backward re-anchors", reads / 4 + 1, &retries,
			     &clamps),
		   "no backward step while host re-anchors step back");
	tap_result(clamps > 0, "the monotonic guard clamped (%lld)", clamps);
	vcu_host("vmctl pvclock interval=1000 mul-ppm=0", NULL, 0);
	tap_finish();
}
