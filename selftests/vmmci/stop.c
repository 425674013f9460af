// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: "vmctl stop" (REBOOT on vmd) is acked inside the host's 3 s
 * window and ends in an orderly guest reboot: the runner checks the
 * shutdown hook and the host model's end reason (guest-reboot). With
 * "-p" the driver's reboot_poweroff parameter is set first and the
 * expected end is guest-poweroff. "-b" (bench) also prints how long
 * userspace lived after the request.
 *
 * "-r": once the host saw the ack, unbind and bind the driver. vmd keeps
 * REBOOT in COMMAND, so the new binding finds it; acking it again would
 * re-arm the host's long timer (the run fails as no-reack).
 * "-u": the request's interrupt is lost (the line masked at the PIC, the
 * poll at its slowest) and the driver is unbound right after the stop,
 * before anything acked it: remove's last look must ack and reboot;
 * without it the host's 3 s timer ends the VM (ack-timeout, a fail).
 *
 * This program never exits on success: the VM ends under it.
 */
#include <signal.h>

#include "vmmci_test.h"

int main(int argc, char **argv)
{
	int poweroff = 0, bench = 0, rebind = 0, unbind = 0, opt, irq = -1;
	unsigned char saved = 0;
	const char *reason;
	char req[256], reply[1024];
	long long t0, acks0, acks = LLONG_MIN, last;

	while ((opt = getopt(argc, argv, "bpru")) != -1) {
		if (opt == 'p')
			poweroff = 1;
		else if (opt == 'b')
			bench = 1;
		else if (opt == 'r')
			rebind = 1;
		else if (opt == 'u')
			unbind = 1;
	}
	reason = poweroff ? "guest-poweroff" : "guest-reboot";

	tap_header();
	vmmci_setup();
	tap_plan(2);

	acks0 = vmmci_host_status("acks");
	if (acks0 == LLONG_MIN)
		tap_skip_all("no host model status (needs vmctl on the host)");
	if (poweroff && vmmci_param("reboot_poweroff", "1"))
		tap_bail("cannot set reboot_poweroff");
	if (unbind) {
		irq = vmmci_pic_irq();
		if (irq < 0)
			tap_skip_all("no XT-PIC line to mask");
		if (vmmci_param("poll_ms", "60000") || vmmci_bind(0) ||
		    vmmci_bind(1))
			tap_bail("cannot rebind with poll_ms=60000");
		pv_sleep_ms(100);
		if (vmmci_pic_mask(irq, &saved))
			tap_bail("ioperm: %s", strerror(errno));
	}

	/*
	 * Pessimistic first: until the ack is seen on the host, the only
	 * acceptable end is none (a guest that reboots fast without acking
	 * would otherwise still end as guest-reboot).
	 */
	if (hostctl("expect-end ack-seen vmctl stop: no ack seen yet", NULL, 0,
		    5000))
		tap_bail("host did not take expect-end");

	/*
	 * init SIGTERMs everyone when the guest goes down (SIGKILL 1 s
	 * later): survive the first so the ack is checked on the host.
	 */
	signal(SIGTERM, SIG_IGN);
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	if (hostctl_vmctl("stop", reply, sizeof(reply)) != 0)
		tap_bail("vmctl stop failed: %s", reply);
	tap_result(1, "vmctl stop sent: %s", reply);
	if (unbind) {
		int ret = vmmci_bind(0);

		vmmci_pic_unmask(irq, saved);
		if (ret)
			tap_diag("unbind failed: %s", strerror(-ret));
	}

	/* the ack must show on the host before its 3 s timer fires */
	while (pv_now_ns(CLOCK_MONOTONIC) - t0 < 3000000000LL) {
		acks = vmmci_host_status("acks");
		if (acks != LLONG_MIN && acks > acks0)
			break;
		pv_sleep_ms(50);
	}
	last = vmmci_host_status("last_ack");
	/*
	 * init stops relaying our stdout once the guest goes down: leave
	 * the evidence in the host log as well.
	 */
	snprintf(req, sizeof(req),
		 "log vmmci/stop: host acks %lld -> %lld, last_ack %lld, %lld ms after vmctl stop",
		 acks0, acks, last,
		 (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	hostctl(req, NULL, 0, 5000);
	tap_result(acks != LLONG_MIN && acks > acks0 && last == 2,
		   "host saw ack %lld (REBOOT echoed) after %lld ms, guest latency %lld ns",
		   last, (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000,
		   vmmci_stat("last_ack_latency_ns"));
	if (acks == LLONG_MIN || acks <= acks0 || last != 2)
		tap_finish();	/* expect-end stays at "ack-seen": fails */
	if (rebind) {
		long long a, acked;
		int ret;

		/*
		 * The end stays a fail until the new binding was seen not to
		 * ack: a driver that takes the old REBOOT for new reboots
		 * again at once, and that cuts init's teardown short.
		 */
		hostctl("expect-end rebind-unchecked REBOOT found again at bind",
			NULL, 0, 5000);
		ret = vmmci_bind(0);
		ret = ret ? ret : vmmci_bind(1);
		pv_sleep_ms(150);
		acked = vmmci_stat("cmds_acked");
		a = vmmci_host_status("acks");
		snprintf(req, sizeof(req),
			 "log vmmci/stop: rebound after the ack (%s): new binding acked %lld, host acks %lld",
			 ret ? strerror(-ret) : "ok", acked, a);
		hostctl(req, NULL, 0, 5000);
		if (ret || acked != 0 || a != acks)
			tap_finish();	/* expect-end stays a fail */
	}
	snprintf(req, sizeof(req), "expect-end %s vmctl stop, clean %s",
		 reason, poweroff ? "poweroff" : "reboot");
	hostctl(req, NULL, 0, 5000);
	/*
	 * Until the VM ends: the request stays in COMMAND, and the driver
	 * polls it every second. A second ack would re-arm the host's long
	 * timer at every poll (a guest that hangs while shutting down would
	 * then never be killed): if one shows up, turn the end into a fail.
	 */
	while (pv_now_ns(CLOCK_MONOTONIC) - t0 < 3000000000LL) {
		long long a = vmmci_host_status("acks");

		if (a != LLONG_MIN && a > acks) {
			snprintf(req, sizeof(req),
				 "expect-end no-reack REBOOT acked again (%lld acks)",
				 a - acks0);
			hostctl(req, NULL, 0, 5000);
			tap_diag("REBOOT acked again: %lld acks", a - acks0);
			break;
		}
		pv_sleep_ms(100);
	}

	/*
	 * Wait for init to take us down; the runner judges the end. In
	 * bench mode the last "alive_ms" line printed is a lower bound of
	 * request -> userspace teardown.
	 */
	if (bench)
		printf("stop_ack_seen_ms %lld\n",
		       (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	for (;;) {
		fflush(stdout);
		if (!bench) {
			pause();
			continue;
		}
		pv_sleep_ms(100);
		printf("alive_ms %lld\n",
		       (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	}
}
