// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a request already pending when the driver binds (its interrupt
 * came and went while nobody listened; vmd never clears COMMAND on a
 * status reset) is handled and acked at probe. The request is posted
 * while the line is masked at the PIC and the poll at its slowest (one
 * look at bind, the next a minute later), then the driver is rebound.
 */
#include "vmmci_test.h"

static char vmmci_old_poll[32];

static void vmmci_restore(void)
{
	if (vmmci_old_poll[0])
		vmmci_param("poll_ms", vmmci_old_poll);
}

int main(void)
{
	long long hacks0, hacks, pending, polled, acked;
	unsigned char saved;
	char reply[512];
	int irq;

	tap_header();
	vmmci_setup();
	hacks0 = vmmci_host_status("acks");
	if (hacks0 == LLONG_MIN)
		tap_skip_all("no host model status");
	irq = vmmci_pic_irq();
	if (irq < 0)
		tap_skip_all("no XT-PIC line to mask");
	if (pv_read_file(VMMCI_PARAMS "/poll_ms", vmmci_old_poll,
			 sizeof(vmmci_old_poll)))
		tap_bail("no poll_ms parameter");
	atexit(vmmci_restore);
	tap_plan(4);

	/* a bound driver that neither polls nor hears the line */
	if (vmmci_param("poll_ms", "60000") || vmmci_bind(0) || vmmci_bind(1))
		tap_bail("cannot rebind with poll_ms=60000");
	pv_sleep_ms(100);
	if (vmmci_pic_mask(irq, &saved))
		tap_bail("ioperm: %s", strerror(errno));
	if (hostctl_vmctl("syncrtc", reply, sizeof(reply)) != 0) {
		vmmci_pic_unmask(irq, saved);
		tap_bail("vmctl syncrtc: %s", reply);
	}
	pv_sleep_ms(1500);
	pending = vmmci_host_status("pending");
	acked = vmmci_stat("cmds_acked");
	tap_result(pending == 3 && acked == 0,
		   "request pending and unseen (pending %lld, acked %lld)",
		   pending, acked);

	/* rebind: probe must find it; the line stays masked meanwhile */
	if (vmmci_bind(0) || vmmci_bind(1)) {
		vmmci_pic_unmask(irq, saved);
		tap_bail("rebind failed");
	}
	acked = vmmci_wait_stat("cmds_acked", 0, 2000);
	polled = vmmci_stat("cmds_polled");
	vmmci_pic_unmask(irq, saved);
	tap_result(acked == 1, "acked after rebind (%lld)", acked);
	tap_result(polled == 1, "found by the probe-time check (%lld)", polled);
	hacks = vmmci_host_status("acks");
	pending = vmmci_host_status("pending");
	tap_result(hacks == hacks0 + 1 && pending == 0,
		   "host: acks %lld -> %lld, pending %lld", hacks0, hacks,
		   pending);
	tap_finish();
}
