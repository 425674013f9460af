// SPDX-License-Identifier: GPL-2.0
/*
 * Every function of vmm_clock_math.h as an external symbol, compiled with
 * -m32 -c as the kernel would see it: div_u64() is left undefined (the
 * kernel provides it), so the object's undefined symbols show any 64-bit
 * division the compiler had to hand to libgcc (__udivdi3, __umoddi3), which
 * the kernel does not have. The Makefile fails on any of those.
 */
#include <linux/types.h>

__u64 div_u64(__u64 dividend, __u32 divisor);

#include "../../../drivers/vmm_clock/vmm_clock_math.h"

__u64 syms_scale_delta(__u64 delta, __u32 mul, __s8 shift)
{
	return vmm_clock_scale_delta(delta, mul, shift);
}

__u64 syms_ti_ns(__u64 tsc, __u64 stamp, __u64 system_time, __u32 mul,
		 __s8 shift)
{
	return vmm_clock_ti_ns(tsc, stamp, system_time, mul, shift);
}

int syms_decisions(__u32 before, __u32 after, __u64 now, __u64 last)
{
	return vmm_clock_version_ok(before, after) +
	       vmm_clock_advances(now, last) +
	       vmm_clock_is_backward(now, last) +
	       vmm_clock_params_valid(before, (__s8)after);
}

__u64 syms_tsc_khz(__u32 mul, __s8 shift)
{
	return vmm_clock_tsc_khz(mul, shift);
}

__u64 syms_wall_ns(__u32 sec, __u32 nsec, __u64 uptime_ns)
{
	return vmm_clock_wall_ns(sec, nsec, uptime_ns);
}

__u64 syms_ceiling(__u64 last_ns, __u64 last_tsc, __u64 tsc, __u32 mul,
		   __s8 shift)
{
	__u32 cmul;
	__s8 cshift;

	vmm_clock_ceiling_params(mul, shift, &cmul, &cshift);
	return vmm_clock_ceiling(last_ns, last_tsc, tsc, cmul, cshift);
}
