// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: with vmm-clock current, guest CLOCK_MONOTONIC follows the host's
 * clock within 20 ppm over 30 s.
 *
 * Host time comes from hostctl "time" over a serial line. The runner may
 * pick a request up late (a loaded machine runs other VMs) but reads its
 * clock and replies at once, so the host reading h lies between the
 * guest's readings a and b around the round trip, and (a + b) / 2 - h is
 * the offset to within half the round trip. Each window keeps its sample
 * with the shortest round trip (NTP's clock filter), and the rate is the
 * median of the slopes between those samples (Theil-Sen): a few windows
 * whose best round trip was still slow, because the machine was busy
 * throughout them, move the median little where they move a least-squares
 * line a lot.
 *
 * make check holds it to 250 ppm, which a wrong multiplier or a page the
 * host stopped updating under a slewing clock exceeds and a busy machine
 * does not; make bench prints the precise figure.
 *
 * Usage: tracking [-t SECONDS] [-p PPM]
 */
#include "vmm_clock_util.h"

#define TARGET_SAMPLES		3000	/* spread over the run, below MAX_SAMPLES */
#define MAX_SAMPLES		4096
#define WINDOWS			12

struct sample {
	int64_t guest, host, rtt;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static struct sample smp[MAX_SAMPLES];
	double ppm_max = 250, ppm, wx[WINDOWS], wy[WINDOWS], slope[WINDOWS * WINDOWS];
	int secs = 30, n = 0, opt, i, j, w, kept = 0, ns = 0;
	int64_t rtt_min = INT64_MAX, rtt_max = 0, t_end;
	char status0[1024] = "", status1[1024] = "", *p;
	long long c0, o0;

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
	vcu_host("vmctl pvclock status", status0, sizeof(status0));
	c0 = vcu_status("clamps");
	o0 = vcu_status("odd_timeouts");
	t_end = pv_now_ns(CLOCK_MONOTONIC) + (int64_t)secs * 1000000000LL;
	do {
		int64_t a = pv_now_ns(CLOCK_MONOTONIC);
		int64_t h = hostctl_time_ns();
		int64_t b = pv_now_ns(CLOCK_MONOTONIC);

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
		usleep((useconds_t)((int64_t)secs * 1000000 / TARGET_SAMPLES));
	} while (n < MAX_SAMPLES && pv_now_ns(CLOCK_MONOTONIC) < t_end);

	/* The shortest round trip of each window, then the median slope. */
	for (w = 0; w < WINDOWS; w++) {
		int lo = n * w / WINDOWS, hi = n * (w + 1) / WINDOWS, best = -1;

		for (i = lo; i < hi; i++)
			if (best < 0 || smp[i].rtt < smp[best].rtt)
				best = i;
		if (best < 0)
			continue;
		wx[kept] = (smp[best].host - smp[0].host) / 1e9;
		wy[kept] = (double)(smp[best].guest - smp[best].rtt / 2 - smp[best].host);
		tap_diag("window %d: t %.1f s, offset %+.3f ms, round trip %.3f ms",
			 w, wx[kept], (wy[kept] - wy[0]) / 1e6, smp[best].rtt / 1e6);
		kept++;
	}
	if (kept < 3)
		tap_bail("only %d windows with samples", kept);
	for (i = 0; i < kept; i++)
		for (j = i + 1; j < kept; j++)
			if (wx[j] - wx[i] > 0.5)
				slope[ns++] = (wy[j] - wy[i]) / (wx[j] - wx[i]);
	if (ns < 3)
		tap_bail("only %d window pairs far enough apart", ns);
	qsort(slope, ns, sizeof(slope[0]), cmp_double);
	/* ns per s, i.e. parts per billion */
	ppm = (ns % 2 ? slope[ns / 2] : (slope[ns / 2 - 1] + slope[ns / 2]) / 2) / 1000.0;
	tap_diag("%d samples over %.1f s; round trip min %.3f ms max %.3f ms",
		 n, (smp[n - 1].host - smp[0].host) / 1e9, rtt_min / 1e6,
		 rtt_max / 1e6);
	tap_diag("guest - host drift %.3f ppm", ppm);
	vcu_host("vmctl pvclock status", status1, sizeof(status1));
	tap_diag("clamps +%lld odd_timeouts +%lld", vcu_status("clamps") - c0,
		 vcu_status("odd_timeouts") - o0);
	{
		char *u0 = strstr(status0, "updates="), *u1 = strstr(status1, "updates=");

		if (u0 && u1)
			tap_diag("host updates of cpu0's page: %.0f per s",
				 (strtod(u1 + 8, NULL) - strtod(u0 + 8, NULL)) /
				 ((smp[n - 1].host - smp[0].host) / 1e9));
		p = strstr(status1, "tsc_hz=");
		if (p)
			tap_diag("host tsc_hz %.0f, guest tsc_khz %lld, host_tsc_khz %lld",
				 strtod(p + 7, NULL), vcu_status("guest_tsc_khz"),
				 vcu_status("host_tsc_khz"));
	}
	tap_result(ppm < ppm_max && ppm > -ppm_max,
		   "CLOCK_MONOTONIC tracks the host within %.0f ppm (%.3f)",
		   ppm_max, ppm);
	tap_finish();
}
