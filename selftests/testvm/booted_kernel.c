// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the guest runs the kernel the runner meant to boot. The runner
 * passes the version it chose as pvkit.kver= on the command line; a
 * mismatch means the matrix tests something other than it says.
 */
#include <sys/utsname.h>
#include "tap.h"

int main(void)
{
	char cmdline[4096] = "", want[128] = "";
	struct utsname u;
	FILE *f;
	char *p;

	tap_header();
	tap_plan(1);
	f = fopen("/proc/cmdline", "r");
	if (!f || !fgets(cmdline, sizeof(cmdline), f))
		tap_bail("cannot read /proc/cmdline");
	fclose(f);
	p = strstr(cmdline, "pvkit.kver=");
	if (!p) {
		tap_skip("not started by tools/testvm (no pvkit.kver=)");
		tap_finish();
	}
	sscanf(p, "pvkit.kver=%127s", want);
	uname(&u);
	tap_diag("uname -r: %s, expected: %s", u.release, want);
	tap_result(!strcmp(u.release, want), "booted kernel is %s", want);
	tap_finish();
}
