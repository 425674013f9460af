// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host channel works both ways and is not the console: a "time"
 * request comes back with the host's CLOCK_REALTIME, and a request the
 * host does not know comes back as an error rather than silence.
 */
#include "tap.h"
#include "hostctl.h"

int main(void)
{
	long long host;
	char reply[256];
	int rc;

	tap_header();
	if (hostctl_open())
		tap_skip_all("no test host (pvkit.hostctl= not set)");
	tap_plan(2);
	host = hostctl_time_ns();
	tap_diag("host CLOCK_REALTIME: %lld ns", host);
	/* Any date after 2020 means the reply carried a real clock. */
	tap_result(host > 1577836800LL * 1000000000LL,
		   "host time request answered");
	rc = hostctl("no-such-request", reply, sizeof(reply), 5000);
	tap_diag("unknown request: rc=%d reply='%s'", rc, reply);
	tap_result(rc > 0, "unknown request answered with an error");
	tap_finish();
}
