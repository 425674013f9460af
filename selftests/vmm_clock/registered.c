// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: on a vmm host, modprobe vmm_clock registers "vmm-clock", every
 * online CPU registered its page, and the clock is selected when its
 * rating is 400 (tsc wins at 299 by design).
 */
#include "vmm_clock_util.h"

int main(void)
{
	char cur[64], live[64], want[64];
	long long rating;
	int ncpus = vcu_ncpus();

	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	tap_plan(4);
	if (!vcu_module_loaded() && vcu_modprobe(NULL))
		tap_bail("modprobe vmm_clock failed");
	tap_result(vcu_available(VCU_NAME), "%s is in available_clocksource",
		   VCU_NAME);
	rating = vcu_status("rating");
	vcu_current(cur, sizeof(cur));
	tap_diag("rating %lld current %s", rating, cur);
	if (rating == 400)
		tap_result(!strcmp(cur, VCU_NAME), "rating 400: %s is current",
			   VCU_NAME);
	else
		tap_result(rating == 299 && strcmp(cur, VCU_NAME),
			   "rating 299: tsc preferred, %s not current", VCU_NAME);

	/* live_cpus is a cpulist like "0" or "0-1". */
	if (ncpus == 1)
		snprintf(want, sizeof(want), "0");
	else
		snprintf(want, sizeof(want), "0-%d", ncpus - 1);
	{
		char buf[4096], *p;

		pv_read_file(VCU_DEBUGFS "/status", buf, sizeof(buf));
		p = strstr(buf, "live_cpus ");
		snprintf(live, sizeof(live), "%.*s", p ? (int)strcspn(p + 10, "\n") : 0,
			 p ? p + 10 : "");
	}
	tap_result(!strcmp(live, want), "every online CPU live (%s, want %s)",
		   live, want);
	tap_result(vcu_status("host_stable") == 1 && vcu_status("mul") > 0 &&
		   vcu_status("shift") == 12,
		   "host parameters as vmm sends them (stable, mul>0, shift 12)");
	tap_finish();
}
