// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a host clock step moves the vmmci TIME registers and, forward by
 * more than 5 s only, posts SYNCRTC (vmd's RTC tick), and only to a guest
 * with DRIVER_OK and the SYNCRTC feature; a SYNCRTC ack clears the command.
 * Steps the host clock +30 s and back; the model's offset is restored.
 */
#include "hm_util.h"

/* host seconds (model clock) minus the host's real clock, in seconds */
static long long time_skew(void)
{
	long long host_ns = hostctl_time_ns();
	uint32_t sec = hm_inl(HM_TIME_SEC);

	return (long long)sec - host_ns / 1000000000LL;
}

int main(void)
{
	char reply[512];
	long long skew, irqs0;
	uint32_t cmd, isr;

	tap_header();
	hm_vmmci_setup();
	if (hm_status("acks") == LLONG_MIN)
		tap_skip_all("needs the host model (vmctl status)");
	tap_plan(7);

	/* no SYNCRTC feature yet: the forward step posts nothing */
	hm_outl(HM_GUEST_FEATURES, 0x3);
	hm_outb_eax(HM_DEVICE_STATUS, HM_DRIVER_OK);
	hm_outl(HM_CMD, 3);	/* clear anything a previous test left */
	irqs0 = hm_status("irqs");
	if (hostctl_vmctl("clock +30", reply, sizeof(reply)))
		tap_bail("vmctl clock +30: %s", reply);
	skew = time_skew();
	tap_result(skew >= 29 && skew <= 31, "TIME moved with the host clock (+%lld s)",
		   skew);
	tap_result(hm_status("irqs") == irqs0 && hm_inl(HM_CMD) == 0,
		   "no SYNCRTC without the feature bit");

	/* with the feature: a forward step of more than 5 s posts SYNCRTC */
	hm_outl(HM_GUEST_FEATURES, 0x7);
	if (hostctl_vmctl("clock +10", reply, sizeof(reply)))
		tap_bail("vmctl clock +10: %s", reply);
	cmd = hm_inl(HM_CMD);
	isr = hm_inb_eax(HM_ISR, 0) & 0xff;
	tap_result(cmd == 3 && isr == 2, "+10 s: SYNCRTC posted (cmd %u isr %u)",
		   cmd, isr);
	hm_outl(HM_CMD, 3);
	cmd = hm_inl(HM_CMD);
	tap_result(cmd == 0, "SYNCRTC ack clears the command (%u)", cmd);

	/* 5 s is not more than 5 s; back steps never post */
	irqs0 = hm_status("irqs");
	hostctl_vmctl("clock +5", reply, sizeof(reply));
	hostctl_vmctl("clock -45", reply, sizeof(reply));
	tap_result(hm_status("irqs") == irqs0 && hm_inl(HM_CMD) == 0,
		   "+5 s and -45 s post nothing");
	skew = time_skew();
	tap_result(skew >= -1 && skew <= 1, "host clock restored (%+lld s)", skew);
	tap_result(hm_status("clock_offset_ns") == 0, "model offset back to 0");

	hm_outb_eax(HM_DEVICE_STATUS, 0);
	tap_finish();
}
