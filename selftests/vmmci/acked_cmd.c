// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a REBOOT that an earlier driver already acked is not acked or
 * acted on again by the next one. vmd keeps SHUTDOWN/REBOOT in COMMAND
 * after the ack, so after an unbind/bind or a kexec the new driver finds
 * it there. The host model's "inject 2 --no-irq" puts REBOOT in COMMAND
 * with no interrupt and no timer, which is what the host shows once a
 * stop was acked. A driver that takes it for new acks it (the host's
 * long timer re-armed) and reboots: the VM ends under this test.
 * Afterwards a new request (SYNCRTC, which replaces the REBOOT on the
 * host) is still handled.
 */
#include "vmmci_test.h"

static int vmmci_injected;

static void vmmci_restore(void)
{
	char reply[256];

	if (vmmci_injected)
		hostctl_vmctl("inject 0 --no-irq", reply, sizeof(reply));
}

int main(void)
{
	long long hacks0, hacks, acked, seen, pending;
	char reply[512];

	tap_header();
	vmmci_setup();
	hacks0 = vmmci_host_status("acks");
	if (hacks0 == LLONG_MIN)
		tap_skip_all("no host model status");
	tap_plan(3);

	if (vmmci_bind(0))
		tap_bail("cannot unbind");
	if (hostctl_vmctl("inject 2 --no-irq", reply, sizeof(reply)) != 0)
		tap_skip_all("host model has no inject: %s", reply);
	vmmci_injected = 1;
	atexit(vmmci_restore);
	if (vmmci_bind(1) || !vmmci_is_bound())
		tap_bail("cannot bind");

	/* the probe-time check and two polls */
	pv_sleep_ms(2500);
	acked = vmmci_stat("cmds_acked");
	seen = vmmci_stat("cmds_seen");
	hacks = vmmci_host_status("acks");
	pending = vmmci_host_status("pending");
	tap_result(acked == 0 && seen == 0,
		   "guest: REBOOT found at bind not taken (acked %lld, seen %lld)",
		   acked, seen);
	tap_result(hacks == hacks0 && pending == 2,
		   "host: acks %lld -> %lld, pending %lld (2: REBOOT)", hacks0,
		   hacks, pending);

	if (hostctl_vmctl("syncrtc", reply, sizeof(reply)) != 0)
		tap_bail("vmctl syncrtc: %s", reply);
	acked = vmmci_wait_stat("cmds_acked", 0, 3000);
	pending = vmmci_host_status("pending");
	tap_result(acked == 1 && pending == 0,
		   "a later SYNCRTC is acked (acked %lld, host pending %lld)",
		   acked, pending);
	vmmci_injected = pending != 0;
	tap_finish();
}
