// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner, not the guest): a failing test is reported as
 * failed. Only the runner's own selftest (set=meta) runs this.
 */
#include "tap.h"

int main(void)
{
	tap_header();
	tap_plan(1);
	tap_diag("this test fails on purpose");
	tap_result(0, "deliberate failure");
	tap_finish();
}
