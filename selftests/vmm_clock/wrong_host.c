// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: where vmm_clock must not load it refuses with a specific errno
 * and one clear kernel log line, and leaves no trace: no host signature
 * (profile std) gives ENODEV; a vmm 1.64 host whose KVM leaf let the
 * in-tree kvm-clock take the MSR gives EBUSY.
 *
 * Usage: wrong_host [-e ENODEV|EBUSY]
 */
#include <sys/klog.h>

#include "vmm_clock_util.h"

int main(int argc, char **argv)
{
	const char *want_name = "ENODEV", *needle;
	char *log;
	int want = ENODEV, ret, opt, len;

	while ((opt = getopt(argc, argv, "e:")) != -1) {
		if (opt != 'e')
			return TAP_FAIL;
		want_name = optarg;
		want = !strcmp(optarg, "EBUSY") ? EBUSY : ENODEV;
	}
	needle = want == EBUSY ? "vmm_clock: kvm-clock already owns" :
				 "vmm_clock: not an OpenBSD vmm guest";
	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	if (vcu_module_loaded())
		tap_skip_all("vmm_clock is loaded: this is a vmm host");
	tap_plan(3);
	ret = vcu_finit(NULL);
	tap_result(ret == -want, "load fails with %s (got %d: %s)", want_name,
		   ret, strerror(-ret));
	tap_result(!vcu_module_loaded() && !vcu_available(VCU_NAME),
		   "nothing left behind");
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	log = calloc(1, len > 0 ? len + 1 : 1);
	if (len > 0)
		len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	tap_result(len > 0 && strstr(log, needle), "kernel log says: %s", needle);
	free(log);
	tap_finish();
}
