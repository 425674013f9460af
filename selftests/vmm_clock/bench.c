// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers only (never fails on speed): in-kernel cost of one vmm-clock
 * read vs a bare rdtsc (debugfs bench), and side by side for each
 * available clocksource made current (on a vmm 1.64 host: vmm-clock and
 * kvm-clock on the same pages) the cost of clock_gettime(CLOCK_MONOTONIC)
 * from user space (vDSO or system call) and of ktime_get() in the kernel;
 * then in-kernel read rates per CPU with every online CPU reading at once
 * (ktime_get() through vmm-clock, kvm-clock and tsc, and a bare
 * rdtsc_ordered(); one kthread per CPU, pvkit_ktime's rate modes), then
 * the retry and clamp rates of the read under a host update storm.
 *
 * The rates are reads per second of each reader's own run time; on a
 * build machine with fewer cores than vCPUs the vCPUs share them, so each
 * rate also comes as a share of the bare rdtsc rate of the same round.
 * Both the in-kernel cost and the rates are medians of ROUNDS rounds.
 *
 * Usage: bench [-n CALLS] [-r SECS]   (default 10^6 calls, 1 s per rate)
 */
#include "vmm_clock_util.h"

#define KT_DIR	"/sys/kernel/debug/pvkit_ktime"
#define KT_RATE		"2"	/* pvkit_ktime: ktime_get() only */
#define KT_RATE_TSC	"3"	/* rdtsc_ordered() only */
#define RATE_MAX_CPUS	64

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * One rate run of @secs with pvkit_ktime in @mode: the median, lowest and
 * highest per-CPU reads per second; -1 without the module.
 */
static double rate_run(const char *mode, int secs, double *lo, double *hi,
		       int *ncpu)
{
	double rate[RATE_MAX_CPUS];
	char buf[8192], *line, *save;
	int n = 0;

	if (pv_write_file(KT_DIR "/run", mode))
		return -1;
	sleep(secs);
	pv_write_file(KT_DIR "/run", "0");
	if (pv_read_file(KT_DIR "/result", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < RATE_MAX_CPUS;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long reads, ns;
		char *p = strstr(line, " run_ns ");

		if (strncmp(line, "cpu", 3) || !p ||
		    sscanf(strstr(line, " reads ") + 7, "%llu", &reads) != 1 ||
		    sscanf(p + 8, "%llu", &ns) != 1 || !ns)
			continue;
		rate[n++] = reads * 1e9 / ns;
	}
	if (!n)
		return -1;
	qsort(rate, n, sizeof(rate[0]), cmp_double);
	*lo = rate[0];
	*hi = rate[n - 1];
	*ncpu = n;
	return n % 2 ? rate[n / 2] : (rate[n / 2 - 1] + rate[n / 2]) / 2;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define ROUNDS	5	/* the machine is shared: medians of rounds */
#define NRATES	4	/* rdtsc, then the clocksources below */

/*
 * Per-CPU read rates of rdtsc and of each clocksource, all CPUs at once,
 * in ROUNDS interleaved rounds of @secs each: the median over the rounds
 * of the per-CPU median, and of its share of that round's rdtsc rate.
 */
static void rates(int secs)
{
	static const char *const names[NRATES] = { "rdtsc", "vmm-clock",
						     "kvm-clock", "tsc" };
	double rate[NRATES][ROUNDS], share[NRATES][ROUNDS], lo, hi;
	int have[NRATES] = { 0 }, n = 0, round;
	size_t i;

	if (system("modprobe pvkit_ktime") || access(KT_DIR "/run", W_OK)) {
		tap_diag("no pvkit_ktime test module: no per-CPU figures");
		return;
	}
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < NRATES; i++) {
			double r;

			if (i && (!vcu_available(names[i]) ||
				  vcu_set_current(names[i])))
				continue;
			r = rate_run(i ? KT_RATE : KT_RATE_TSC, secs, &lo, &hi,
				     &n);
			if (r <= 0 || (i && have[0] <= round))
				continue;
			rate[i][have[i]] = r;
			share[i][have[i]] = i ? r / rate[0][round] : 1;
			have[i]++;
		}
	}
	for (i = 0; i < NRATES; i++) {
		if (!have[i]) {
			tap_diag("rate %-10s not available", names[i]);
			continue;
		}
		tap_diag("rate %-10s cpus %d reads_per_sec_per_cpu %.0f "
			 "share_of_rdtsc %.3f (median of %d rounds of %d s)",
			 names[i], n, median(rate[i], have[i]),
			 median(share[i], have[i]), have[i], secs);
	}
	if (system("rmmod pvkit_ktime"))
		tap_diag("rmmod pvkit_ktime failed");
}

/* Key @key of the debugfs bench text @buf, or -1. */
static double bench_key(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtod(p + strlen(key), NULL) : -1;
}

/*
 * The in-kernel read against a bare rdtsc_ordered(), ROUNDS times, and
 * where its time goes: the call, the page read without the guard (the
 * pvclock protocol itself, what kvm-clock pays trusting TSC_STABLE) and
 * the guard. Medians of the rounds.
 */
static void kernel_cost(void)
{
	static const char *const keys[] = {
		"call_ps_per_read ", "rdtsc_bare_ps_per_read ",
		"rdtsc_ps_per_read ", "unguarded_ps_per_read ",
		"vmm_clock_ps_per_read ",
	};
	enum { CALL, BARE, TSC, PAGE, FULL, NKEYS };
	double v[NKEYS][ROUNDS], ratio[ROUNDS], m[NKEYS];
	char buf[1024];
	int n = 0, i, k;

	for (i = 0; i < ROUNDS; i++) {
		if (pv_read_file(VCU_DEBUGFS "/bench", buf, sizeof(buf)))
			break;
		for (k = 0; k < NKEYS; k++)
			v[k][n] = bench_key(buf, keys[k]) / 1000;
		if (v[FULL][n] <= 0 || v[TSC][n] <= 0)
			break;
		tap_diag("kernel round %d call %.1f rdtsc %.1f rdtsc_ordered "
			 "%.1f unguarded %.1f vmm_clock %.1f ns", i,
			 v[CALL][n], v[BARE][n], v[TSC][n], v[PAGE][n],
			 v[FULL][n]);
		ratio[n] = v[FULL][n] / v[TSC][n];
		n++;
	}
	if (!n)
		return;
	for (k = 0; k < NKEYS; k++)
		m[k] = median(v[k], n);
	tap_diag("kernel read_ns %.1f ratio_to_rdtsc %.2f (median of %d)",
		 m[FULL], median(ratio, n), n);
	tap_diag("kernel where_ns call %.1f rdtsc_ordered %.1f page %.1f "
		 "guard %.1f (unguarded read %.2fx rdtsc_ordered, bare rdtsc "
		 "%.1f)", m[CALL], m[TSC], m[PAGE] - m[CALL] - m[TSC],
		 m[FULL] - m[PAGE], m[PAGE] / m[TSC], m[BARE]);
}

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
	int opt, rate_secs = 1;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			rate_secs = atoi(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_current(orig, sizeof(orig));
	vcu_require_current();
	tap_plan(4);
	vcu_pin(0);
	kernel_cost();
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
	/* The bench sleeps meanwhile: its pinning to CPU 0 costs nothing. */
	if (rate_secs > 0)
		rates(rate_secs);
	tap_result(1, "in-kernel read rates per CPU, all CPUs at once");
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
