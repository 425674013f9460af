// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: with a short timesync_ms the TIMESYNC sample counter and the
 * offset telemetry in sysfs keep updating, and the sampled offset is a
 * plausible value (the guest clock was synced from the host at boot by
 * nobody, so only its sanity is checked: below one hour). The parameter
 * and binding are restored.
 */
#include "vmmci_test.h"

static char vmmci_old_period[32];

static int vmmci_rebind(void)
{
	return vmmci_bind(0) || vmmci_bind(1) || !vmmci_is_bound();
}

static void vmmci_restore(void)
{
	if (vmmci_old_period[0]) {
		vmmci_param("timesync_ms", vmmci_old_period);
		vmmci_rebind();
	}
}

int main(void)
{
	long long s0, s1, last0, last1, maxo, off;

	tap_header();
	vmmci_setup();
	if (!(vmmci_stat("features") & 1))
		tap_skip_all("host does not offer TIMESYNC");
	tap_plan(4);
	if (pv_read_file(VMMCI_PARAMS "/timesync_ms", vmmci_old_period,
			 sizeof(vmmci_old_period)))
		tap_bail("no timesync_ms parameter");
	atexit(vmmci_restore);

	/* the period is read at each re-arm; a rebind applies it at once */
	if (vmmci_param("timesync_ms", "100") || vmmci_rebind())
		tap_bail("cannot set timesync_ms=100 and rebind");
	pv_sleep_ms(300);
	s0 = vmmci_stat("samples");
	last0 = vmmci_stat("last_sample_ns");
	pv_sleep_ms(1500);
	s1 = vmmci_stat("samples");
	last1 = vmmci_stat("last_sample_ns");

	tap_result(s0 >= 1, "samples taken after rebind: %lld", s0);
	tap_result(s1 >= s0 + 5, "samples grew %lld -> %lld in 1.5 s at 100 ms",
		   s0, s1);
	tap_result(last1 > last0, "last_sample_ns moved by %lld ns",
		   last1 - last0);
	off = vmmci_stat("offset_ns");
	maxo = vmmci_stat("max_offset_ns");
	tap_result(llabs(off) < 3600000000000LL && maxo >= llabs(off),
		   "offset %lld ns, max %lld ns consistent", off, maxo);
	tap_finish();
}
