// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (of the runner): a KASAN report fails the test during which it
 * happened. pvkit_warn reads a freed slab object. Only set=meta runs this;
 * it skips on kernels without KASAN.
 */
#include "provoke.h"

int main(void)
{
	if (!kernel_has_symbol("kasan_report"))
		tap_skip_all("no KASAN in this kernel");
	provoke("uaf", "KASAN");
}
