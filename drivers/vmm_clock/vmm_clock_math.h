/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure clock arithmetic and protocol decisions of vmm_clock: no kernel
 * state, only <linux/types.h> types, so selftests/vmm_clock/unit/ compiles
 * this very file in userspace and checks it against 128-bit references.
 *
 * No 64-bit '/' or '%': on 32-bit x86 the compiler turns those into calls
 * to libgcc's __udivdi3, which the kernel does not link. Divisions go
 * through div_u64() (<linux/math64.h>); a userspace includer defines
 * div_u64() itself before including this file.
 */
#ifndef VMM_CLOCK_MATH_H
#define VMM_CLOCK_MATH_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/math64.h>
#endif

#define VMM_CLOCK_NSEC_PER_SEC	1000000000ull

/*
 * Shifts of 64 or more are undefined in C; a host that sends one gets a
 * delta of 0 (time only advances at refreshes) instead of garbage.
 */
static inline __u64 vmm_clock_shift_delta(__u64 delta, __s8 shift)
{
	if (shift <= -64 || shift >= 64)
		return 0;
	if (shift < 0)
		return delta >> -shift;
	return delta << shift;
}

/*
 * (delta * mul) >> 32, keeping bits 32..95 of the 96-bit product, split in
 * two 32x32 products so it needs no 128-bit type: the high half of delta
 * contributes hi * mul exactly, the low half only its top 32 bits. Bits
 * above 63 are lost, as in the host's and kvmclock's formula.
 */
static inline __u64 vmm_clock_mul_frac(__u64 delta, __u32 mul)
{
	__u64 lo = (__u64)(__u32)delta * mul;
	__u64 hi = (delta >> 32) * mul;

	return hi + (lo >> 32);
}

static inline __u64 vmm_clock_scale_delta(__u64 delta, __u32 mul, __s8 shift)
{
	return vmm_clock_mul_frac(vmm_clock_shift_delta(delta, shift), mul);
}

/*
 * Nanoseconds of the host clock at guest TSC value @tsc. A TSC behind the
 * timestamp (read on another CPU's page, or a host timestamp taken a
 * little late) counts as no time elapsed rather than as a 2^64 wrap.
 */
static inline __u64 vmm_clock_ti_ns(__u64 tsc, __u64 tsc_timestamp,
				    __u64 system_time, __u32 mul, __s8 shift)
{
	__u64 delta = tsc - tsc_timestamp;

	if ((__s64)delta < 0)
		delta = 0;
	return system_time + vmm_clock_scale_delta(delta, mul, shift);
}

/* The host is mid-update while the version is odd. */
static inline int vmm_clock_version_busy(__u32 version)
{
	return version & 1;
}

/* A snapshot is usable iff the version was even and did not change. */
static inline int vmm_clock_version_ok(__u32 before, __u32 after)
{
	return !vmm_clock_version_busy(before) && before == after;
}

/*
 * Monotonic guard: publish @now only if it moves the global last value
 * forward; otherwise the reader returns @last. A reading equal to @last is
 * not a step backwards.
 */
static inline int vmm_clock_advances(__u64 now, __u64 last)
{
	return now > last;
}

static inline int vmm_clock_is_backward(__u64 now, __u64 last)
{
	return now < last;
}

/*
 * The ceiling: however the host fills a page, the clock may advance no
 * faster than the host's own rate at load plus 1/16 of it (6.25%) since
 * the last value any CPU published, measured on the TSC. That leaves room
 * for slew (vmm's ntpd slews well under 1%) and for refreshes that step
 * forward, and keeps a page with a wild system_time, timestamp, mul or
 * shift from throwing the clock years ahead: timekeeping would spend the
 * jump in its accumulation loop with its lock held, and the guard would
 * then hold every later reading at that far-off value.
 */
#define VMM_CLOCK_CEILING_SLACK_SHIFT	4	/* 1/16 */

/*
 * The ceiling's rate as mul * 2^shift / 2^32 ns per TSC tick, normalised
 * so that mul has its top bit set: a small positive shift (none for a TSC
 * above 1 GHz) cannot push a delta out of 64 bits. Rounded up. Needs the
 * validated (vmm_clock_params_valid()) parameters of the host.
 */
static inline void vmm_clock_ceiling_params(__u32 mul, __s8 shift,
					    __u32 *cmul, __s8 *cshift)
{
	__u64 m = mul;
	int s = shift;

	while (m && !(m & 0x80000000ull)) {
		m <<= 1;
		s--;
	}
	/* The 1/16 rounded up; then back into 32 bits, rounded up. */
	m += (m >> VMM_CLOCK_CEILING_SLACK_SHIFT) + 1;
	while (m > 0xffffffffull) {
		m = (m >> 1) + 1;
		s++;
	}
	*cmul = m;
	*cshift = s;
}

/* delta << shift (>> for a negative shift), all ones instead of a wrap. */
static inline __u64 vmm_clock_shift_delta_sat(__u64 delta, __s8 shift)
{
	if (shift <= -64)
		return 0;
	if (shift < 0)
		return delta >> -shift;
	if (shift >= 64)
		return delta ? ~0ull : 0;
	if (delta > (~0ull >> shift))
		return ~0ull;
	return delta << shift;
}

/*
 * The highest value a reading taken at @tsc may return, given the last
 * published value @last_ns taken at @last_tsc: a TSC behind @last_tsc (a
 * CPU whose TSC lags, a racing publisher) allows no time at all. Saturates
 * instead of wrapping.
 */
static inline __u64 vmm_clock_ceiling(__u64 last_ns, __u64 last_tsc,
				      __u64 tsc, __u32 cmul, __s8 cshift)
{
	__u64 delta = tsc - last_tsc, ceil;

	if ((__s64)delta <= 0)
		return last_ns;
	ceil = last_ns + vmm_clock_mul_frac(vmm_clock_shift_delta_sat(delta,
								      cshift),
					    cmul);
	return ceil < last_ns ? ~0ull : ceil;
}

/* Parameters we accept from the host (vmm sends shift 12, mul ~2^20/GHz). */
static inline int vmm_clock_params_valid(__u32 mul, __s8 shift)
{
	return mul != 0 && shift >= -32 && shift <= 32;
}

/*
 * TSC frequency implied by mul/shift, in kHz: one TSC tick lasts
 * mul * 2^shift / 2^32 ns. 0 for parameters we refuse.
 */
static inline __u64 vmm_clock_tsc_khz(__u32 mul, __s8 shift)
{
	__u64 khz;

	if (!vmm_clock_params_valid(mul, shift))
		return 0;
	khz = div_u64(1000000ull << 32, mul);
	if (shift >= 0)
		return khz >> shift;
	if (khz > (~0ull >> -shift))
		return 0;	/* beyond 64 bits: nonsense from the host */
	return khz << -shift;
}

/* Host UTC = boot time (wall clock struct) + ns since boot, in ns. */
static inline __u64 vmm_clock_wall_ns(__u32 sec, __u32 nsec, __u64 uptime_ns)
{
	return (__u64)sec * VMM_CLOCK_NSEC_PER_SEC + nsec + uptime_ns;
}

#endif /* VMM_CLOCK_MATH_H */
