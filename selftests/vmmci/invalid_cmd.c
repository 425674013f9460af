// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: an unknown command value from the host (vmctl inject 7) is
 * logged, counted and NOT acked, and causes no action: the guest keeps
 * running and the host's pending command stays as injected.
 */
#include "vmmci_test.h"

/* Does /dev/kmsg hold a line containing @needle? */
static int vmmci_kmsg_has(const char *needle)
{
	char line[2048];
	FILE *f = fopen("/dev/kmsg", "r");
	int fd, found = 0;

	if (!f)
		return 0;
	fd = fileno(f);
	/* read what is there without blocking at the end */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, needle)) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

int main(void)
{
	long long inv0, acked0, inv, acked, hacks0, hacks, pending;
	char reply[512];

	tap_header();
	vmmci_setup();
	hacks0 = vmmci_host_status("acks");
	if (hacks0 == LLONG_MIN)
		tap_skip_all("no host model status");
	inv0 = vmmci_stat("cmds_invalid");
	acked0 = vmmci_stat("cmds_acked");
	if (hostctl_vmctl("inject 7", reply, sizeof(reply)) != 0)
		tap_skip_all("host model cannot inject raw commands: %s", reply);
	tap_plan(5);

	/* interrupt or, at worst, the 1 s poll */
	inv = vmmci_wait_stat("cmds_invalid", inv0, 3000);
	tap_result(inv == inv0 + 1, "invalid commands %lld -> %lld", inv0, inv);
	pv_sleep_ms(1500);	/* let a poll or two see it again */
	acked = vmmci_stat("cmds_acked");
	tap_result(acked == acked0, "guest acks unchanged (%lld)", acked);
	hacks = vmmci_host_status("acks");
	pending = vmmci_host_status("pending");
	tap_result(hacks == hacks0 && pending == 7,
		   "host: acks %lld -> %lld, pending %lld", hacks0, hacks,
		   pending);
	tap_result(vmmci_stat("cmds_invalid") == inv,
		   "repeats of the same value are not counted again");
	tap_result(vmmci_kmsg_has("invalid host command 0x7"),
		   "kernel log names the invalid command");

	/* leave the register clean for later tests */
	hostctl_vmctl("inject 0", reply, sizeof(reply));
	tap_finish();
}
