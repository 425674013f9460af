// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: where vmm_clock does not apply, or stands down by choice, it
 * refuses with ENODEV (the one errno systemd-modules-load ignores), one
 * clear kernel log line, and leaves no trace: no host signature (profile
 * std), or keep_kvmclock=1 on a vmm 1.64 host where the in-tree kvm-clock
 * owns the MSR (which then stays current).
 *
 * Usage: wrong_host [-e ENODEV|EBUSY] [-p PARAMS] [-m LOG-NEEDLE]
 */
#include <sys/klog.h>

#include "vmm_clock_util.h"

int main(int argc, char **argv)
{
	const char *want_name = "ENODEV", *params = NULL;
	const char *needle = "vmm_clock: not an OpenBSD vmm guest";
	char cur0[64] = "", cur[64] = "", *log;
	int want = ENODEV, ret, opt, len, i;

	while ((opt = getopt(argc, argv, "e:p:m:")) != -1) {
		if (opt == 'e') {
			want_name = optarg;
			want = !strcmp(optarg, "EBUSY") ? EBUSY : ENODEV;
		} else if (opt == 'p') {
			params = optarg;
		} else if (opt == 'm') {
			needle = optarg;
		} else {
			return TAP_FAIL;
		}
	}
	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	if (vcu_module_loaded() && params) {
		/* An earlier test loaded it: unload, kernel picks again. */
		if (vcu_switch_away(cur, sizeof(cur)) || vcu_rmmod())
			tap_bail("cannot unload vmm_clock first");
		pv_write_file(VCU_CURRENT, "\n");
	}
	if (vcu_module_loaded())
		tap_skip_all("vmm_clock is loaded: this is a vmm host");
	tap_plan(4);
	/*
	 * The kernel itself replaces tsc-early with tsc once its refined
	 * calibration ran, a second or more after boot on a loaded host:
	 * not a change of ours, so wait for it (10 s at most).
	 */
	for (i = 0; i < 100; i++) {
		vcu_current(cur0, sizeof(cur0));
		if (strcmp(cur0, "tsc-early"))
			break;
		usleep(100000);
	}
	ret = vcu_finit(params);
	tap_result(ret == -want, "load fails with %s (got %d: %s)", want_name,
		   ret, strerror(-ret));
	tap_result(!vcu_module_loaded() && !vcu_available(VCU_NAME),
		   "nothing left behind");
	vcu_current(cur, sizeof(cur));
	tap_result(!strcmp(cur, cur0), "current clocksource unchanged (%s)",
		   cur);
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	log = calloc(1, len > 0 ? len + 1 : 1);
	if (len > 0)
		len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	tap_result(len > 0 && strstr(log, needle), "kernel log says: %s", needle);
	free(log);
	tap_finish();
}
