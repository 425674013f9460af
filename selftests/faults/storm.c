// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a storm of spurious interrupts (vmctl storm: vmmci's INTx with
 * ISR 0, virtio queue interrupts with nothing used on the console's
 * device), RATE a second on each line for SECS, does no harm:
 *  - vmmci's handler claims none of them (IRQ_NONE: its count of own
 *    interrupts grows by the SYNCRTC's one at most) and it acts on the
 *    one real SYNCRTC sent in the middle of the storm exactly once;
 *  - the console stream loses or duplicates no byte;
 *  - then a vmctl stop is acked within vmd's 3 s, by the interrupt or, if
 *    the kernel disabled a line as "nobody cared", by vmmci's poll (the
 *    VM ends: guest-reboot).
 *
 * Usage: storm [-r RATE] [-t SECS] [-n]   (default 10000 a second for 10 s;
 *        -n: no vmctl stop at the end)
 */
#include <signal.h>

#include "faults.h"

static long long host_kv(const char *what, const char *key)
{
	char st[2048];
	long long v;

	if (hostctl_vmctl(what, st, sizeof(st)) || hostctl_kv(st, key, &v))
		return -1;
	return v;
}

/* "storm PATH ... ticks=N fired=N" of the storm on @path */
static void storm_counts(const char *path, long long *ticks, long long *fired)
{
	char st[2048];
	const char *p;

	*ticks = *fired = -1;
	if (hostctl_vmctl("storm status", st, sizeof(st)))
		return;
	p = strstr(st, path);
	if (!p)
		return;
	hostctl_kv(p, "ticks", ticks);
	hostctl_kv(p, "fired", fired);
}

static void stop_within_3s(void)
{
	long long acks0, acks = LLONG_MIN, t0;
	char reply[256], req[256];

	acks0 = host_kv("status", "acks");
	if (hostctl("expect-end ack-seen vmctl stop after the storm: no ack",
		    NULL, 0, 5000))
		tap_bail("host did not take expect-end");
	signal(SIGTERM, SIG_IGN);
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	if (hostctl_vmctl("stop", reply, sizeof(reply)))
		tap_bail("vmctl stop: %s", reply);
	while (pv_now_ns(CLOCK_MONOTONIC) - t0 < 3000000000LL) {
		acks = host_kv("status", "acks");
		if (acks > acks0)
			break;
		pv_sleep_ms(50);
	}
	snprintf(req, sizeof(req),
		 "log faults/storm: vmctl stop acked after %lld ms (%lld polled)",
		 (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000,
		 vmmci_stat("cmds_polled"));
	hostctl(req, NULL, 0, 5000);
	tap_result(acks > acks0, "vmctl stop acked after %lld ms, %lld "
		   "commands found by the poll",
		   (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000,
		   vmmci_stat("cmds_polled"));
	if (acks > acks0)
		hostctl("expect-end guest-reboot vmctl stop after the storm",
			NULL, 0, 5000);
	tap_finish();
}

int main(int argc, char **argv)
{
	int rate = 10000, secs = 10, nostop = 0, opt, klog0, nobody;
	long long vt, vf, ct, cf, spurious0, spurious1;
	struct flt_vmmci v0, v1;
	char args[128], reply[256];

	while ((opt = getopt(argc, argv, "r:t:n")) != -1) {
		if (opt == 'r')
			rate = atoi(optarg);
		else if (opt == 't')
			secs = atoi(optarg);
		else if (opt == 'n')
			nostop = 1;
	}
	tap_header();
	if (hostctl("log faults/storm", NULL, 0, 5000))
		tap_skip_all("no host channel (not under testvm)");
	if (hostctl_vmctl("pvclock status", NULL, 0))
		tap_skip_all("needs the host model");
	tap_plan(nostop ? 4 : 5);
	flt_clock_driver();
	flt_vmmci_start();
	/* the storm's own evidence: the default poll, as on a real guest */
	vmmci_param("poll_ms", "1000");
	flt_con_start(1ULL << 40);
	pv_sleep_ms(500);

	v0 = flt_vmmci_take();
	spurious0 = host_kv("status", "spurious");
	klog0 = flt_klog_lines();
	snprintf(args, sizeof(args), "storm vmmci %d %d", rate, secs);
	if (hostctl_vmctl(args, reply, sizeof(reply)))
		tap_bail("vmctl %s: %s", args, reply);
	snprintf(args, sizeof(args), "storm vs0 %d %d", rate, secs);
	if (hostctl_vmctl(args, reply, sizeof(reply)))
		tap_bail("vmctl %s: %s", args, reply);
	pv_sleep_ms(secs * 500);
	if (hostctl_vmctl("syncrtc", reply, sizeof(reply)))
		tap_bail("vmctl syncrtc: %s", reply);
	pv_sleep_ms(secs * 500 + 1000);
	v1 = flt_vmmci_take();
	spurious1 = host_kv("status", "spurious");
	storm_counts("vmmci", &vt, &vf);
	storm_counts("vs0", &ct, &cf);
	nobody = flt_klog_grep(klog0, "nobody cared", NULL, 3);

	tap_result(vt >= rate * secs / 2 && ct >= rate * secs / 2,
		   "storms ran: vmmci %lld rounds (%lld interrupts, %lld by "
		   "its count), console %lld rounds (%lld queue interrupts), "
		   "want >= %d each", vt, vf, spurious1 - spurious0, ct, cf,
		   rate * secs / 2);
	/*
	 * Its own: the SYNCRTC's interrupt, if the poll did not find the
	 * command first. A handler that claims ISR-0 interrupts counts the
	 * storm's thousands.
	 */
	tap_result(v1.cmds_seen - v0.cmds_seen == 1 &&
		   v1.cmds_acked - v0.cmds_acked == 1 &&
		   v1.cmds_invalid == v0.cmds_invalid &&
		   v1.irqs - v0.irqs <= 1,
		   "vmmci acted on %lld commands (want the 1 SYNCRTC), acked "
		   "%lld, %lld interrupts its own (want at most 1)",
		   v1.cmds_seen - v0.cmds_seen, v1.cmds_acked - v0.cmds_acked,
		   v1.irqs - v0.irqs);
	tap_result(1, "%d 'nobody cared' reports (a line disabled)", nobody);
	flt_con_finish(20);
	if (!nostop)
		stop_within_3s();
	tap_finish();
}
