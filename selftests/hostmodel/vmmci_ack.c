// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: host requests and acks follow vmd's vmmci_ctl()/vmmci_ack():
 * with DRIVER_OK a REBOOT request sets cmd 2 and ISR 2 (read-to-clear)
 * and arms the 3 s timer; a byte-wide ack carries the stale high bits of
 * EAX and is an illegal request that leaves the 3 s timer running; a
 * 32-bit ack of the same value switches to the long timer (-l SECONDS,
 * 120 by default); the same request again while pending is suppressed.
 *
 * The long timer stays armed: make this the last test of its VM.
 */
#include "hm_util.h"

static int status_str(const char *key, char *buf, size_t len)
{
	char reply[1024];

	if (hostctl_vmctl("status", reply, sizeof(reply)) != 0)
		return -1;
	return hostctl_kv_str(reply, key, buf, len);
}

int main(int argc, char **argv)
{
	long long long_s = 120, irqs0, illegal0, v, ms;
	char timer[32] = "", reply[512];
	uint32_t isr, cmd;
	int opt;

	while ((opt = getopt(argc, argv, "l:")) != -1) {
		if (opt == 'l')
			long_s = atoll(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	hm_vmmci_setup();
	if (hm_status("acks") == LLONG_MIN)
		tap_skip_all("needs the host model (vmctl status)");
	tap_plan(9);

	hm_outl(HM_GUEST_FEATURES, 0x7);
	hm_outb_eax(HM_DEVICE_STATUS, HM_DRIVER_OK);
	irqs0 = hm_status("irqs");
	illegal0 = hm_status("illegal");

	if (hostctl_vmctl("send reboot", reply, sizeof(reply)))
		tap_bail("vmctl send reboot: %s", reply);
	cmd = hm_inl(HM_CMD);
	isr = hm_inb_eax(HM_ISR, 0) & 0xff;
	tap_result(cmd == 2 && isr == 2, "REBOOT posted: cmd %u isr %u", cmd, isr);
	isr = hm_inb_eax(HM_ISR, 0) & 0xff;
	tap_result(isr == 0, "ISR cleared by the read (%u)", isr);
	status_str("timer", timer, sizeof(timer));
	tap_result(!strcmp(timer, "ack"), "3 s ack timer armed (%s)", timer);

	/* outb of 2 with EAX 0xff000002: vmd acks with 0xff000002 */
	hm_outb_eax(HM_CMD, 0xff000002);
	v = hm_status("last_ack");
	tap_result(v == 0xff000002 && hm_status("illegal") == illegal0 + 1,
		   "byte ack seen as 0x%llx, an illegal request", v);
	status_str("timer", timer, sizeof(timer));
	tap_result(!strcmp(timer, "ack"), "timer still the 3 s one (%s)", timer);

	hm_outl(HM_CMD, 2);
	status_str("timer", timer, sizeof(timer));
	ms = hm_status("timer_ms");
	tap_result(!strcmp(timer, "long") && ms > (long_s - 5) * 1000 &&
		   ms <= long_s * 1000,
		   "32-bit ack: %s timer, %lld ms left (long %lld s)", timer, ms,
		   long_s);
	tap_result(hm_status("pending") == 2, "REBOOT still pending after the ack");

	if (hostctl_vmctl("send reboot", reply, sizeof(reply)))
		tap_bail("vmctl send reboot (again): %s", reply);
	v = hm_status("irqs");
	tap_result(v == irqs0 + 1, "same request while pending suppressed (irqs %lld -> %lld)",
		   irqs0, v);
	ms = hm_status("timer_ms");
	tap_result(ms > (long_s - 10) * 1000, "long timer not cut short (%lld ms)",
		   ms);
	tap_finish();
}
