// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner): a lockdep report fails the test during which it
 * happened. pvkit_warn takes two mutexes in both orders. Only set=meta
 * runs this; it skips on kernels without lockdep (or with lockdep already
 * switched off by an earlier report).
 */
#include "provoke.h"

int main(void)
{
	char line[128];
	int on = 0;
	FILE *f = fopen("/proc/lockdep_stats", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "debug_locks:"))
			on = atoi(strchr(line, ':') + 1);
	if (f)
		fclose(f);
	if (!f)
		tap_skip_all("no lockdep in this kernel (/proc/lockdep_stats)");
	if (!on)
		tap_skip_all("lockdep is switched off (an earlier report)");
	provoke("lockdep", "lockdep");
}
