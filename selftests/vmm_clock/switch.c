// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: current_clocksource can be switched from vmm-clock to every
 * other available clocksource and back, each time reading back the new
 * name, with CLOCK_MONOTONIC consistent across the switch and a 10 ms
 * nanosleep lasting at least 10 ms (modelled on the kernel's
 * timers/clocksource-switch). The original clocksource is restored.
 *
 * Usage: switch [-r ROUNDS]
 */
#include "vmm_clock_util.h"

/* 64 back-to-back reads, several times; 1 if none goes backwards. */
static int consistent(void)
{
	int64_t prev = pv_now_ns(CLOCK_MONOTONIC), t;
	int i;

	for (i = 0; i < 20000; i++) {
		t = pv_now_ns(CLOCK_MONOTONIC);
		if (t < prev) {
			tap_diag("backwards by %lld ns", (long long)(prev - t));
			return 0;
		}
		prev = t;
	}
	return 1;
}

static int sleep_ok(void)
{
	struct timespec req = { 0, 10000000 };
	int64_t t0 = pv_now_ns(CLOCK_MONOTONIC), d;

	nanosleep(&req, NULL);
	d = pv_now_ns(CLOCK_MONOTONIC) - t0;
	if (d < 10000000 || d > 2000000000) {
		tap_diag("10 ms nanosleep took %lld ns", (long long)d);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	char orig[64], avail[512], *tok, *save;
	int rounds = 3, opt, r, bad = 0, switches = 0;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	if (vcu_current(orig, sizeof(orig)))
		tap_skip_all("no clocksource sysfs");
	vcu_require_current();
	tap_plan(2);
	for (r = 0; r < rounds; r++) {
		pv_read_file(VCU_AVAILABLE, avail, sizeof(avail));
		for (tok = strtok_r(avail, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			int ret;

			if (!strcmp(tok, VCU_NAME))
				continue;
			ret = vcu_set_current(tok);
			if (ret == -EINVAL) {
				/* Not HRES-capable: the kernel keeps ours. */
				if (!r)
					tap_diag("%s not selectable here", tok);
				continue;
			}
			if (ret) {
				tap_diag("switch to %s failed: %d", tok, ret);
				bad++;
				continue;
			}
			if (!consistent() || !sleep_ok()) {
				tap_diag("on %s", tok);
				bad++;
			}
			ret = vcu_set_current(VCU_NAME);
			if (ret || !consistent() || !sleep_ok()) {
				tap_diag("back to %s from %s failed (%d)",
					 VCU_NAME, tok, ret);
				bad++;
			}
			switches += 2;
		}
	}
	if (!switches && !bad)
		tap_skip("no other clocksource can take over (HRT mode)");
	else
		tap_result(!bad,
			   "%d switches away from and back to %s, clock consistent",
			   switches, VCU_NAME);
	tap_result(!vcu_set_current(orig), "restored %s", orig);
	tap_finish();
}
