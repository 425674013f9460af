// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner): a kmemleak report fails the test that leaked,
 * found by the scan init runs after each test. pvkit_warn loses its only
 * pointer to a slab object. Only set=meta runs this; it skips on kernels
 * without kmemleak.
 */
#include "provoke.h"

int main(void)
{
	if (access("/sys/kernel/debug/kmemleak", F_OK))
		tap_skip_all("no kmemleak in this kernel");
	provoke("leak", "kmemleak");
}
