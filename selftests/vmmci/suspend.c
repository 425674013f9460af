// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: after a system suspend/resume cycle (ACPI S3, woken by the RTC
 * alarm; needs a profile with ACPI) the driver has re-established DRIVER_OK and still handles host
 * requests.
 */
#include "vmmci_test.h"

int main(void)
{
	long long st, acked0, acked, t0;
	int ok;
	char state[128], reply[512];

	tap_header();
	vmmci_setup();
	if (vmmci_host_status("acks") == LLONG_MIN)
		tap_skip_all("no host model status");
	if (pv_read_file("/sys/power/state", state, sizeof(state)) ||
	    !strstr(state, "mem"))
		tap_skip_all("no suspend (/sys/power/state: %s)", state);
	if (access("/sys/class/rtc/rtc0/wakealarm", W_OK))
		tap_skip_all("no RTC wakealarm");
	tap_plan(3);

	/* clear a stale alarm, arm one 2 s ahead, then suspend */
	pv_write_file("/sys/class/rtc/rtc0/wakealarm", "0");
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	ok = !pv_write_file("/sys/class/rtc/rtc0/wakealarm", "+2") &&
	     !pv_write_file("/sys/power/state", "mem");
	tap_result(ok, "suspended and woke up after %lld ms",
		   (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	st = vmmci_host_status("status");
	tap_result(st != LLONG_MIN && (st & 4), "host sees DRIVER_OK after resume (%#llx)",
		   st);
	acked0 = vmmci_stat("cmds_acked");
	hostctl_vmctl("syncrtc", reply, sizeof(reply));
	acked = vmmci_wait_stat("cmds_acked", acked0, 3000);
	tap_result(acked > acked0, "a request after resume is acked (%lld -> %lld)",
		   acked0, acked);
	tap_finish();
}
