// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a poweroff started inside the guest ends the VM cleanly: the
 * driver's reboot notifier writes SHUTDOWN late, and the host model
 * reports guest-poweroff (not a timeout and not a hang: the runner
 * judges the end reason and the shutdown hook).
 *
 * This program never exits on success: the VM ends under it.
 */
#include "vmmci_test.h"

int main(void)
{
	tap_header();
	vmmci_setup();
	if (vmmci_host_status("acks") == LLONG_MIN)
		tap_skip_all("no host model status");
	tap_plan(1);
	if (hostctl("expect-end guest-poweroff guest ran poweroff", NULL, 0,
		    5000))
		tap_bail("host did not take expect-end");
	tap_result(system("poweroff") == 0, "poweroff started");
	fflush(stdout);
	for (;;)
		pause();
}
