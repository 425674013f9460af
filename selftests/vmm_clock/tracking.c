// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: with vmm-clock current, guest CLOCK_MONOTONIC follows the host's
 * clock within 20 ppm over 30 s.
 *
 * Host time comes from hostctl "time" over a serial line, and 20 ppm over
 * 30 s is only 600 us. The runner's side handles requests on a polling
 * loop (up to tens of ms late) but reads its clock and replies at once, so
 * the host reading belongs to the END of the round trip (less a reply
 * delay that is nearly constant; a constant offset does not change a
 * rate). The rate is the median of the slopes between every sample of the
 * first third and every sample of the last third of the run: late
 * replies are outliers, which the median ignores.
 *
 * Usage: tracking [-t SECONDS] [-p PPM]
 */
#include "vmm_clock_util.h"

#define SAMPLE_INTERVAL_US	100000
#define MAX_SAMPLES		4096

struct sample {
	int64_t guest, host, rtt;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct sample smp[MAX_SAMPLES];
	double ppm_max = 20, ppm, *slopes;
	int secs = 30, n = 0, opt, i, j, k = 0, third;
	int64_t rtt_min = INT64_MAX, rtt_max = 0, t_end;

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
	t_end = vcu_now_ns(CLOCK_MONOTONIC) + (int64_t)secs * 1000000000LL;
	do {
		int64_t a = vcu_now_ns(CLOCK_MONOTONIC);
		int64_t h = hostctl_time_ns();
		int64_t b = vcu_now_ns(CLOCK_MONOTONIC);

		if (!h)
			tap_bail("hostctl time failed");
		smp[n].guest = b;
		smp[n].host = h;
		smp[n].rtt = b - a;
		if (b - a < rtt_min)
			rtt_min = b - a;
		if (b - a > rtt_max)
			rtt_max = b - a;
		n++;
		usleep(SAMPLE_INTERVAL_US);
	} while (n < MAX_SAMPLES && vcu_now_ns(CLOCK_MONOTONIC) < t_end);

	third = n / 3;
	if (third < 3)
		tap_bail("only %d samples", n);
	slopes = calloc((size_t)third * third, sizeof(*slopes));
	if (!slopes)
		tap_bail("out of memory");
	for (i = 0; i < third; i++) {
		for (j = n - third; j < n; j++) {
			double dh = (double)(smp[j].host - smp[i].host);
			double dg = (double)(smp[j].guest - smp[i].guest);

			slopes[k++] = (dg - dh) / dh * 1e6;
		}
	}
	qsort(slopes, k, sizeof(*slopes), cmp_double);
	ppm = slopes[k / 2];
	tap_diag("%d samples over %.1f s; round trip min %.3f ms max %.3f ms",
		 n, (smp[n - 1].host - smp[0].host) / 1e9, rtt_min / 1e6,
		 rtt_max / 1e6);
	tap_diag("guest - host drift: median %.3f ppm, quartiles %.3f .. %.3f ppm",
		 ppm, slopes[k / 4], slopes[3 * k / 4]);
	free(slopes);
	tap_result(ppm < ppm_max && ppm > -ppm_max,
		   "CLOCK_MONOTONIC tracks the host within %.0f ppm (%.3f)",
		   ppm_max, ppm);
	tap_finish();
}
