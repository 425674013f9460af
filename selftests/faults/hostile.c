// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a host that writes garbage for a while into everything the guest
 * trusts (vmctl hostile: the pvclock pages with any version, mul 0 or huge,
 * shifts out of range, timestamps far off, flags flipping; vmmci's command,
 * ISR, status and time registers, never a real command) cannot crash, hang
 * or step the guest: under clock readers on every CPU, a console stream
 * and vmmci polling every 10 ms and sampling every 100 ms,
 *  - CLOCK_MONOTONIC never steps back, and no read takes longer than
 *    10 s (TSC-timed: the TSC is the one thing the host does not lie about
 *    here; a build machine with a load of 13 on 2 cores preempted a vCPU
 *    for 3.5 s inside one read, so the bound catches a reader that spins
 *    for good, not one that waited; the driver's own bound is far lower);
 *  - vmmci acts on no garbage value (no shutdown, reboot or clock step);
 *  - the kernel log gets ratelimited messages only (at most 100 lines);
 *  - afterwards (SECS/16 s later: what the spell may have left, made up
 *    at the ceiling's 1/16) the clock runs at the host's rate again;
 *  - the console loses nothing.
 * The hostile values the host tried are printed.
 *
 * Usage: hostile [-t SECS] [-S SEED] [-w pvclock|vmmci]
 *        (default 10 s, seed 1, garbage in both)
 */
#include "faults.h"

/* TSC rate from the host model, Hz */
static double host_tsc_hz(void)
{
	char st[2048];
	long long hz;

	if (hostctl_vmctl("pvclock status", st, sizeof(st)) ||
	    hostctl_kv(st, "tsc_rate", &hz) || hz <= 0)
		tap_bail("no tsc_rate from the host model: %s", st);
	return hz;
}

static long long host_kv(const char *what, const char *key)
{
	char st[2048];
	long long v;

	if (hostctl_vmctl(what, st, sizeof(st)) || hostctl_kv(st, key, &v))
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	struct flt_clock_sum c;
	struct flt_vmmci v0, v1;
	long long pv_vals, ci_vals, m0, m1;
	unsigned long long t0, t1;
	int secs = 10, seed = 1, opt, klog0, lines;
	const char *which = "";
	char args[64], reply[256];
	double hz, rate, bound;

	while ((opt = getopt(argc, argv, "t:S:w:")) != -1) {
		if (opt == 't')
			secs = atoi(optarg);
		else if (opt == 'S')
			seed = atoi(optarg);
		else if (opt == 'w')
			which = optarg;
	}
	tap_header();
	if (hostctl("log faults/hostile", NULL, 0, 5000))
		tap_skip_all("no host channel (not under testvm)");
	if (hostctl_vmctl("pvclock status", NULL, 0))
		tap_skip_all("needs the host model");
	tap_plan(7);
	hz = host_tsc_hz();
	flt_clock_driver();
	flt_vmmci_start();
	flt_con_start(1ULL << 40);
	flt_readers_start();
	pv_sleep_ms(1000);

	v0 = flt_vmmci_take();
	klog0 = flt_klog_lines();
	flt_clock_take();
	snprintf(args, sizeof(args), "hostile %s %d %d", which, secs, seed);
	if (hostctl_vmctl(args, reply, sizeof(reply)))
		tap_bail("vmctl %s: %s", args, reply);
	pv_sleep_ms(secs * 1000 + 500);
	c = flt_clock_take();
	v1 = flt_vmmci_take();
	pv_vals = host_kv("pvclock status", "hostile_values");
	ci_vals = host_kv("status", "hostile_values");

	bound = c.max_read_cycles / hz;
	tap_result(!c.back && bound < 10.0,
		   "clock under %d s of garbage: %llu reads, %llu back (worst "
		   "%lld ns), slowest read %.6f s", secs, c.reads, c.back,
		   c.worst_back_ns, bound);
	tap_result(v1.syncs == v0.syncs &&
		   vmmci_stat("corrections") == 0 &&
		   vmmci_stat("last_cmd") != 1 && vmmci_stat("last_cmd") != 2,
		   "vmmci: %lld garbage commands seen, %lld acks, %lld clock "
		   "steps, last command %lld", v1.cmds_seen - v0.cmds_seen,
		   v1.cmds_acked - v0.cmds_acked, v1.syncs - v0.syncs,
		   vmmci_stat("last_cmd"));
	lines = flt_klog_lines() - klog0;
	tap_result(lines <= 100, "%d kernel log lines during the spell",
		   lines);
	if (lines > 0)
		flt_klog_grep(klog0, NULL, NULL, 10);
	tap_result((pv_vals > 0 || !strcmp(which, "vmmci")) &&
		   (ci_vals > 0 || !strcmp(which, "pvclock")),
		   "host tried %lld hostile pvclock values and %lld vmmci "
		   "register values", pv_vals, ci_vals);

	/*
	 * Back to the truth: one second by the guest clock and by the TSC,
	 * once the clock has made up what the spell left: at most a
	 * sixteenth of the spell ahead (the ceiling's 1/16; the clock then
	 * waits for real time) or 0.4% of it behind (made up at 1/16, so in
	 * 6.4% of the spell). After SECS/16 s it is even.
	 */
	pv_sleep_ms(1000 + secs * 1000 / 16);
	m0 = pv_now_ns(CLOCK_MONOTONIC);
	t0 = __rdtsc();
	pv_sleep_ms(1000);
	m1 = pv_now_ns(CLOCK_MONOTONIC);
	t1 = __rdtsc();
	rate = (m1 - m0) / ((t1 - t0) / hz * 1e9);
	tap_result(rate > 0.95 && rate < 1.05,
		   "afterwards the clock runs at %.4f of the TSC's rate (%s "
		   "is the clocksource)", rate,
		   flt_clocksource_is("vmm-clock") ? "vmm-clock" : "not vmm-clock");
	c = flt_clock_take();
	tap_result(!c.back, "no backward step after the spell either (%llu "
		   "reads in all)", c.reads);
	flt_con_finish(20);
	flt_readers_stop();
	tap_finish();
}
