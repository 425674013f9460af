// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner): a kernel WARN fails the test during which it
 * happened, even when the test itself exits 0. Loads pvkit_warn.ko, whose
 * init WARNs once and then refuses to load. Only set=meta runs this.
 */
#include "tap.h"

int main(void)
{
	int rc;

	tap_header();
	tap_plan(1);
	rc = system("modprobe pvkit_warn 2>/dev/null");
	tap_diag("modprobe pvkit_warn: %d (expected to fail after its WARN)",
		 rc);
	tap_result(1, "guest WARN provoked; the runner must fail this test");
	tap_finish();
}
