// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host parking every vCPU (vmctl pause, the TSC running on)
 * for a few seconds costs the guest nothing but the time: under clock
 * readers on every CPU, a console stream echoed by the host and vmmci
 * polling every 10 ms and sampling every 100 ms,
 *  - CLOCK_MONOTONIC never steps back and includes the pause (it follows
 *    the host, whose TSC ran on);
 *  - vmm-clock stays the clocksource, nobody marks it unstable; it takes
 *    a pause of over 5 s for one (and touches the soft-lockup watchdogs,
 *    so a 30 s pause reports no lockup) and a shorter one for none;
 *  - vmmci acts on no command but the one SYNCRTC vmd's RTC sends after a
 *    pause of more than 5 s, steps no clock, and its next samples show the
 *    offset the guest had before the pause;
 *  - the console loses or duplicates no byte.
 *
 * Usage: pause [-s SECS[,SECS...]] [-r ROUNDS] [-k]   (default -s 2,10 -r 1)
 *   -k: keep the kernel's own clocksource (no vmm_clock), to show what
 *       the claims catch without it
 */
#include "faults.h"

#define MAX_PAUSES	8

static const char *clocksource = "vmm-clock";

static int pause_once(double secs)
{
	struct flt_clock_sum c;
	struct flt_vmmci v0, v1;
	long long off0, off1, step0, step1, t0, took, pauses0, pauses;
	char args[64], reply[256];
	int klog0, unstable, ours, expect_cmds = secs > 5.0, rc, ok = 1;

	v0 = flt_vmmci_take();
	off0 = vmmci_stat("offset_ns");
	step0 = vmmci_stat("last_step_ns");
	klog0 = flt_klog_lines();
	pauses0 = vcu_status("pauses");
	flt_clock_take();

	snprintf(args, sizeof(args), "pause %.3f", secs);
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	rc = flt_vmctl(args, reply, sizeof(reply), (int)(secs * 1000) + 60000);
	took = pv_now_ns(CLOCK_MONOTONIC) - t0;
	if (rc)
		tap_bail("vmctl %s: rc %d %s", args, rc, reply);

	/* the samples after the pause, and time for a SYNCRTC to be acted on */
	vmmci_wait_stat("samples", v0.samples + 5, 5000);
	pv_sleep_ms(500);
	v1 = flt_vmmci_take();
	off1 = vmmci_stat("offset_ns");
	step1 = vmmci_stat("last_step_ns");
	c = flt_clock_take();
	/* vmm_clock's pause detection: only a gap of over 5 s counts. */
	pauses = pauses0 < 0 ? 0 : vcu_status("pauses") - pauses0;

	ok &= tap_result(!c.back && c.max_gap_ns > secs * 0.9e9 &&
			 (pauses0 < 0 || pauses == (secs > 5.0)),
			 "%.0f s pause (%s): %llu clock reads, %llu back "
			 "(worst %lld ns), longest gap %.3f s, vmctl took "
			 "%.3f s, vmm_clock saw %lld pauses", secs, reply,
			 c.reads, c.back, c.worst_back_ns, c.max_gap_ns / 1e9,
			 took / 1e9, pauses);
	/*
	 * Only our clocksource is ours to keep: on SMP profiles the kernel
	 * also watches tsc against QEMU's ACPI PM timer, which stops with
	 * the VM while the TSC runs on (vmd has no such timer). Its other
	 * "unstable" lines are shown, not held.
	 */
	unstable = flt_klog_grep(klog0, "unstable", NULL, 5);
	ours = flt_klog_grep(klog0, "unstable", clocksource, 0);
	ok &= tap_result(flt_clocksource_is(clocksource) && ours == 0,
			 "%.0f s pause: %s still the clocksource, %d lines "
			 "call it unstable (%d 'unstable' lines in all)", secs,
			 clocksource, ours, unstable);
	ok &= tap_result(v1.cmds_seen - v0.cmds_seen == expect_cmds &&
			 v1.cmds_acked - v0.cmds_acked == expect_cmds &&
			 v1.cmds_invalid == v0.cmds_invalid &&
			 (v1.syncs == v0.syncs || llabs(step1) < 1000000),
			 "%.0f s pause: vmmci acted on %lld commands (want "
			 "%d: SYNCRTC after > 5 s), acked %lld, %lld clock "
			 "steps (last %lld ns, before %lld)", secs,
			 v1.cmds_seen - v0.cmds_seen, expect_cmds,
			 v1.cmds_acked - v0.cmds_acked, v1.syncs - v0.syncs,
			 step1, step0);
	ok &= tap_result(v1.samples > v0.samples && llabs(off1 - off0) < 20000000,
			 "%.0f s pause: %lld samples since, offset %lld ns "
			 "before, %lld ns after", secs, v1.samples - v0.samples,
			 off0, off1);
	if (!ok)
		flt_klog_grep(klog0, NULL, NULL, 20);
	return ok;
}

int main(int argc, char **argv)
{
	double pauses[MAX_PAUSES] = { 2, 10 };
	int npauses = 2, rounds = 1, keep = 0, opt, r, i;
	double longest = 0;
	static char cur[64];
	char *tok;

	while ((opt = getopt(argc, argv, "s:r:k")) != -1) {
		if (opt == 'k')
			keep = 1;
		if (opt == 's') {
			npauses = 0;
			for (tok = strtok(optarg, ","); tok && npauses < MAX_PAUSES;
			     tok = strtok(NULL, ","))
				pauses[npauses++] = atof(tok);
		} else if (opt == 'r') {
			rounds = atoi(optarg);
		}
	}
	tap_header();
	if (hostctl("log faults/pause", NULL, 0, 5000))
		tap_skip_all("no host channel (not under testvm)");
	if (hostctl_vmctl("pvclock status", NULL, 0))
		tap_skip_all("needs the host model");
	tap_plan(rounds * npauses * 4 + 1);
	if (keep) {
		pv_read_file("/sys/devices/system/clocksource/clocksource0/"
			     "current_clocksource", cur, sizeof(cur));
		clocksource = cur;
	} else {
		flt_clock_driver();
	}
	flt_vmmci_start();
	flt_con_start(1ULL << 40);
	flt_readers_start();
	pv_sleep_ms(1000);

	for (i = 0; i < npauses; i++)
		longest = pauses[i] > longest ? pauses[i] : longest;
	for (r = 0; r < rounds; r++)
		for (i = 0; i < npauses; i++)
			pause_once(pauses[i]);

	/*
	 * The scheduler charges a pause to the task that was running when
	 * the vCPU stopped (sched_clock is the TSC, which ran on), and that
	 * task then waits about as long again for the others to catch up:
	 * the echo reader may be the one.
	 */
	flt_con_finish(20 + 2 * longest);
	flt_readers_stop();
	tap_finish();
}
