// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: with vmm-clock current, guest CLOCK_MONOTONIC follows the host's
 * clock within 20 ppm over 30 s. Host time comes from hostctl "time"; each
 * sample keeps the fastest of a few round trips and takes the guest time
 * at its midpoint, and the rate is a least-squares slope over samples
 * spread across the window, so round-trip jitter averages out.
 *
 * Usage: tracking [-t SECONDS] [-p PPM]
 */
#include "vmm_clock_util.h"

#define TRIES_PER_SAMPLE	5

/* One (guest, host) pair; returns the round trip in ns or -1. */
static int64_t sample(int64_t *guest, int64_t *host)
{
	int64_t best = INT64_MAX;
	int i;

	for (i = 0; i < TRIES_PER_SAMPLE; i++) {
		int64_t a = vcu_now_ns(CLOCK_MONOTONIC);
		int64_t h = hostctl_time_ns();
		int64_t b = vcu_now_ns(CLOCK_MONOTONIC);

		if (!h)
			return -1;
		if (b - a < best) {
			best = b - a;
			*guest = a + (b - a) / 2;
			*host = h;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	int secs = 30, n = 0, opt, i;
	double ppm_max = 20, sx = 0, sy = 0, sxx = 0, sxy = 0, slope, ppm;
	int64_t g0 = 0, h0 = 0, g = 0, h = 0, rtt, rtt_max = 0;

	while ((opt = getopt(argc, argv, "t:p:")) != -1) {
		if (opt == 't')
			secs = atoi(optarg);
		else if (opt == 'p')
			ppm_max = atof(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_require_current();
	if (hostctl_open())
		tap_skip_all("needs the host channel (hostctl time)");
	tap_plan(1);
	for (i = 0; i <= secs; i++) {
		rtt = sample(&g, &h);
		if (rtt < 0)
			tap_bail("hostctl time failed");
		if (!n) {
			g0 = g;
			h0 = h;
		}
		/* x: host seconds since start; y: guest minus host, in ns. */
		{
			double x = (h - h0) / 1e9, y = (double)((g - g0) - (h - h0));

			sx += x;
			sy += y;
			sxx += x * x;
			sxy += x * y;
		}
		n++;
		if (rtt > rtt_max)
			rtt_max = rtt;
		if (i < secs)
			usleep(1000000 - 50000);
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);	/* ns per s */
	ppm = slope / 1000.0;
	tap_diag("%d samples over %.1f s, worst round trip %.2f ms",
		 n, (h - h0) / 1e9, rtt_max / 1e6);
	tap_diag("guest - host drift %.3f ppm (end-to-end %.3f ppm)", ppm,
		 ((double)((g - g0) - (h - h0))) / ((h - h0) / 1e3));
	tap_result(ppm < ppm_max && ppm > -ppm_max,
		   "CLOCK_MONOTONIC tracks the host within %.0f ppm (%.3f)",
		   ppm_max, ppm);
	tap_finish();
}
