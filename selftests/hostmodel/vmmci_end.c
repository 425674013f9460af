// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host model ends the VM the way vmd does, and says why:
 *   -r no-driver-ok   "vmctl stop" without DRIVER_OK: a hard stop at once
 *   -r ack-timeout    DRIVER_OK, "vmctl stop", no ack: the VM dies in 3 s
 *   -r guest-shutdown the guest writes SHUTDOWN with nothing pending
 *                     (OpenBSD's powerdown): ends 3 s later, guest-poweroff
 *   -r forced         "vmctl stop -f"
 *   -r hlt            poweroff through init (busybox poweroff): with no
 *                     ACPI Linux halts with interrupts off, vmm's end of
 *                     the VM; with ACPI (SMP profiles) an ACPI poweroff:
 *                     guest-poweroff either way
 *   -r reset          reboot through init: guest-reboot
 * The runner judges the end reason (expect-end). Never returns on success.
 */
#include <signal.h>

#include "hm_util.h"

int main(int argc, char **argv)
{
	const char *what = argc > 2 && !strcmp(argv[1], "-r") ? argv[2] : "";
	char reply[512];
	long long t0;

	tap_header();
	tap_plan(2);
	if (!strcmp(what, "hlt") || !strcmp(what, "reset")) {
		hm_expect_end(!strcmp(what, "hlt") ? "guest-poweroff" :
			      "guest-reboot", what);
		tap_result(1, "expect-end taken");
		tap_result(1, "asking init to %s", !strcmp(what, "hlt") ?
			   "power off" : "reboot");
		/* what busybox poweroff/reboot do: signal PID 1 */
		kill(1, !strcmp(what, "hlt") ? SIGUSR2 : SIGTERM);
		hm_wait_end(20, "asking init to go down");
	}

	hm_vmmci_setup();
	if (!strcmp(what, "no-driver-ok")) {
		hm_outb_eax(HM_DEVICE_STATUS, 0);
		hm_expect_end("no-driver-ok", "vmctl stop without DRIVER_OK");
		tap_result(1, "DRIVER_OK clear, expect-end taken");
		hostctl_vmctl("stop", reply, sizeof(reply));
		hm_wait_end(5, "vmctl stop without DRIVER_OK");
	} else if (!strcmp(what, "ack-timeout")) {
		hm_outb_eax(HM_DEVICE_STATUS, HM_DRIVER_OK);
		hm_expect_end("ack-timeout", "vmctl stop never acked");
		tap_result(1, "DRIVER_OK set, expect-end taken");
		t0 = pv_now_ns(CLOCK_MONOTONIC);
		if (hostctl_vmctl("stop", reply, sizeof(reply)))
			tap_bail("vmctl stop: %s", reply);
		/* not dead before the 3 s are up */
		while (pv_now_ns(CLOCK_MONOTONIC) - t0 < 2500000000LL)
			pv_sleep_ms(100);
		tap_result(1, "still alive 2.5 s after vmctl stop");
		hm_wait_end(10, "an unacked vmctl stop");
	} else if (!strcmp(what, "guest-shutdown")) {
		char timer[32] = "";

		/* vmd ends it from the timer: PID 1 never hears of it */
		hm_expect_end("guest-poweroff --no-hook", "guest wrote SHUTDOWN");
		t0 = pv_now_ns(CLOCK_MONOTONIC);
		hm_outl(HM_CMD, 1);
		if (hostctl_vmctl("status", reply, sizeof(reply)) == 0)
			hostctl_kv_str(reply, "timer", timer, sizeof(timer));
		tap_result(!strcmp(timer, "guest"), "guest-initiated 3 s timer (%s)",
			   timer);
		while (pv_now_ns(CLOCK_MONOTONIC) - t0 < 2500000000LL)
			pv_sleep_ms(100);
		tap_result(1, "still alive 2.5 s after writing SHUTDOWN");
		hm_wait_end(10, "the guest wrote SHUTDOWN");
	} else if (!strcmp(what, "forced")) {
		hm_outb_eax(HM_DEVICE_STATUS, HM_DRIVER_OK);
		hm_expect_end("forced", "vmctl stop -f");
		tap_result(1, "expect-end taken");
		hostctl_vmctl("stop -f", reply, sizeof(reply));
		hm_wait_end(5, "vmctl stop -f");
	}
	tap_bail("usage: vmmci_end -r no-driver-ok|ack-timeout|guest-shutdown|forced|hlt|reset");
}
