// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner): a test that never finishes is killed at its
 * timeout and reported as failed, and the VM goes on with the next test.
 * Only the runner's own selftest (set=meta) runs this.
 */
#include <unistd.h>
#include "tap.h"

int main(void)
{
	tap_header();
	tap_plan(1);
	tap_diag("sleeping until the runner's per-test timeout kills us");
	for (;;)
		pause();
}
