// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: on a vmm host, modprobe vmm_clock registers "vmm-clock", every
 * online CPU registered its page, and the clock is selected when its
 * rating is 400 (tsc wins at 299 by design). On a vmm 1.64 host, where
 * the in-tree kvm-clock owns the pvclock MSR, it reads kvm-clock's pages
 * instead: every online CPU has a filled one, the module wrote no MSR
 * (its counters, and the host's registrations unchanged by the load),
 * and at rating 401 it is current over kvm-clock.
 *
 * -r RATING: the rating this host must give (299 where the host TSC is
 * invariant, 400 otherwise or with defer_to_tsc=0, 401 next to kvm-clock).
 * -p PARAMS: (re)load the module with these parameters first.
 */
#include "vmm_clock_util.h"

int main(int argc, char **argv)
{
	char cur[64], live[64], want[64], regs0[1024] = "", regs1[1024];
	const char *params = NULL;
	long long rating, want_rating = 0;
	int ncpus = vcu_ncpus(), i;

	for (i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "-r"))
			want_rating = atoll(argv[++i]);
		else if (!strcmp(argv[i], "-p"))
			params = argv[++i];
	}
	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	tap_plan(want_rating ? 5 : 4);
	if (!vcu_module_loaded())
		vcu_host_regs(regs0, sizeof(regs0));
	if (params && vcu_module_loaded()) {
		/* A current clocksource pins its module: step aside first. */
		vcu_current(cur, sizeof(cur));
		if (!strcmp(cur, VCU_NAME))
			vcu_switch_away(cur, sizeof(cur));
		if (vcu_rmmod())
			tap_bail("rmmod vmm_clock before reloading with %s "
				 "failed", params);
	}
	if (!vcu_module_loaded() && vcu_modprobe(params))
		tap_bail("modprobe vmm_clock %s failed", params ? params : "");
	tap_result(vcu_available(VCU_NAME), "%s is in available_clocksource",
		   VCU_NAME);
	rating = vcu_status("rating");
	vcu_current(cur, sizeof(cur));
	tap_diag("rating %lld current %s", rating, cur);
	if (want_rating)
		tap_result(rating == want_rating, "rating %lld (want %lld)",
			   rating, want_rating);
	if (rating == 400 || rating == 401)
		tap_result(!strcmp(cur, VCU_NAME), "rating %lld: %s is current",
			   rating, VCU_NAME);
	else
		tap_result(rating == 299 && !strcmp(cur, "tsc"),
			   "rating 299: tsc preferred and current (%s)", cur);

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
	if (vcu_on_kvm_pages()) {
		char buf[4096];
		int filled = 0, wrote = 0;
		char *p;

		pv_read_file(VCU_DEBUGFS "/cpus", buf, sizeof(buf));
		for (p = buf; (p = strstr(p, "version=")); p += 8)
			filled += strtoul(p + 8, NULL, 10) != 0;
		for (p = buf; (p = strstr(p, "registrations=")); p += 14)
			wrote += strtoul(p + 14, NULL, 10) != 0;
		vcu_host_regs(regs1, sizeof(regs1));
		tap_diag("host registrations before load: %s after: %s", regs0,
			 regs1);
		tap_result(filled == ncpus && !wrote && live[0] == '\0' &&
			   (!regs0[0] || !strcmp(regs0, regs1)),
			   "on kvm-clock's pages: %d of %d filled, no MSR written, host registrations unchanged",
			   filled, ncpus);
	} else {
		tap_result(!strcmp(live, want),
			   "every online CPU live (%s, want %s)", live, want);
	}
	tap_result(vcu_status("host_stable") == 1 && vcu_status("mul") > 0 &&
		   vcu_status("shift") == 12,
		   "host parameters as vmm sends them (stable, mul>0, shift 12)");
	tap_finish();
}
