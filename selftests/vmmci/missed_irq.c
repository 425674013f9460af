// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a command whose interrupt is lost is still handled and acked,
 * by the periodic poll, within poll_ms plus slack. The interrupt is lost
 * either by the host model (vmctl syncrtc --no-irq, when it has it) or
 * by masking the device's line at the guest's 8259 PIC for the duration
 * (the vmd profile runs noapic), which is what vmd's PIC dropping an
 * edge looks like to the driver.
 */
#include "vmmci_test.h"

int main(void)
{
	long long polled0, irqs0, acked0, polled, irqs, acked, pending, t0;
	long long hacks0, hacks;
	unsigned char saved = 0;
	char reply[512];
	int irq = -1;

	tap_header();
	vmmci_setup();
	hacks0 = vmmci_host_status("acks");
	if (hacks0 == LLONG_MIN)
		tap_skip_all("no host model status");
	polled0 = vmmci_stat("cmds_polled");
	irqs0 = vmmci_stat("irqs");
	acked0 = vmmci_stat("cmds_acked");
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	if (hostctl_vmctl("syncrtc --no-irq", reply, sizeof(reply)) != 0) {
		irq = vmmci_pic_irq();
		if (irq < 0)
			tap_skip_all("no host --no-irq and no XT-PIC line to mask");
		if (vmmci_pic_mask(irq, &saved))
			tap_skip_all("ioperm: %s", strerror(errno));
		tap_diag("IRQ %d masked at the PIC (mask %#x)", irq, saved);
		t0 = pv_now_ns(CLOCK_MONOTONIC);
		if (hostctl_vmctl("syncrtc", reply, sizeof(reply)) != 0) {
			vmmci_pic_unmask(irq, saved);
			tap_bail("vmctl syncrtc: %s", reply);
		}
	}
	tap_plan(4);

	polled = vmmci_wait_stat("cmds_polled", polled0, 3000);
	tap_result(polled == polled0 + 1, "found by polling after %lld ms",
		   (pv_now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
	acked = vmmci_stat("cmds_acked");
	irqs = vmmci_stat("irqs");
	if (irq >= 0)
		vmmci_pic_unmask(irq, saved);
	tap_result(acked == acked0 + 1, "acked (%lld -> %lld)", acked0, acked);
	tap_result(irqs == irqs0, "no interrupt arrived meanwhile (%lld -> %lld)",
		   irqs0, irqs);
	hacks = vmmci_host_status("acks");
	pending = vmmci_host_status("pending");
	tap_result(hacks == hacks0 + 1 && pending == 0,
		   "host: acks %lld -> %lld, pending %lld", hacks0, hacks,
		   pending);
	tap_finish();
}
