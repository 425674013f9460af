// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a command whose interrupt is lost (vmctl syncrtc --no-irq: the
 * host posts it without raising the line, as vmd's PIC can) is still
 * handled and acked, by the periodic poll, within poll_ms plus slack.
 */
#include "vmmci_test.h"

int main(void)
{
	long long polled0, irqs0, acked0, polled, irqs, acked, pending, t0;
	long long hacks0, hacks;
	char reply[512];

	tap_header();
	vmmci_setup();
	hacks0 = vmmci_host_status("acks");
	if (hacks0 == LLONG_MIN)
		tap_skip_all("no host model status");
	polled0 = vmmci_stat("cmds_polled");
	irqs0 = vmmci_stat("irqs");
	acked0 = vmmci_stat("cmds_acked");
	t0 = vmmci_now_ns(CLOCK_MONOTONIC);
	if (vmmci_vmctl("syncrtc --no-irq", reply, sizeof(reply)) != 0)
		tap_skip_all("host model cannot suppress the IRQ: %s", reply);
	tap_plan(4);

	polled = vmmci_wait_stat("cmds_polled", polled0, 3000);
	tap_result(polled == polled0 + 1, "found by polling after %lld ms",
		   (vmmci_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	acked = vmmci_stat("cmds_acked");
	tap_result(acked == acked0 + 1, "acked (%lld -> %lld)", acked0, acked);
	irqs = vmmci_stat("irqs");
	tap_result(irqs == irqs0, "no interrupt arrived (%lld -> %lld)",
		   irqs0, irqs);
	hacks = vmmci_host_status("acks");
	pending = vmmci_host_status("pending");
	tap_result(hacks == hacks0 + 1 && pending == 0,
		   "host: acks %lld -> %lld, pending %lld", hacks0, hacks,
		   pending);
	tap_finish();
}
