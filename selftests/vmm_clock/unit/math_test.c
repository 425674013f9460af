// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of drivers/vmm_clock/vmm_clock_math.h, compiled in userspace:
 * the 64x32 scaling against a 128-bit reference over random and edge
 * inputs, the version protocol decisions, the monotonic guard decision
 * and the derived TSC frequency. Built twice: natively and with -m32
 * (math_test32), where the reference has no 128-bit type and uses 32-bit
 * limbs instead.
 *
 * Usage: math_test [-n ITERATIONS] [-s SEED]
 */
#include <stdint.h>
#include <unistd.h>

#include <linux/types.h>

/* The kernel's div_u64() (<linux/math64.h>), for userspace. */
static inline __u64 div_u64(__u64 dividend, __u32 divisor)
{
	return dividend / divisor;
}

#include "tap.h"
#include "util.h"
#include "../../../drivers/vmm_clock/vmm_clock_math.h"

#ifdef __SIZEOF_INT128__
static __u64 ref_mul_frac(__u64 delta, __u32 mul)
{
	return (__u64)(((__uint128_t)delta * mul) >> 32);
}
#else
/* Bits 32..95 of the 96-bit product from three 32-bit limbs. */
static __u64 ref_mul_frac(__u64 delta, __u32 mul)
{
	__u64 p0 = (__u64)(__u32)delta * mul;		/* limb 0 and carry */
	__u64 p1 = (__u64)(__u32)(delta >> 32) * mul;	/* limbs 1, 2 */
	__u64 mid = (p0 >> 32) + (__u32)p1;		/* limb 1 + carry */

	return ((p1 >> 32) << 32) + mid;
}
#endif

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: reproducible from the seed printed on failure. */
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Reference: exact 128-bit product, bits 32..95, with the same shift rule. */
static __u64 ref_scale(__u64 delta, __u32 mul, int shift)
{
	if (shift <= -64 || shift >= 64)
		return 0;
	delta = shift < 0 ? delta >> -shift : delta << shift;
	return ref_mul_frac(delta, mul);
}

static unsigned long check_scale(__u64 delta, __u32 mul, int shift)
{
	__u64 got = vmm_clock_scale_delta(delta, mul, (__s8)shift);
	__u64 want = ref_scale(delta, mul, shift);

	if (got == want)
		return 0;
	tap_diag("scale(delta=%#llx, mul=%#x, shift=%d) = %#llx, want %#llx",
		 (unsigned long long)delta, mul, shift,
		 (unsigned long long)got, (unsigned long long)want);
	return 1;
}

static void test_scale_random(unsigned long n)
{
	unsigned long i, bad = 0;

	for (i = 0; i < n && bad < 5; i++) {
		__u64 delta = rnd64();
		__u32 mul = (__u32)rnd64();
		int shift = (int)(rnd64() % 81) - 40;	/* -40..40 */

		/* Small deltas matter most: mix in magnitudes 2^0..2^63. */
		delta >>= rnd64() % 64;
		bad += check_scale(delta, mul, shift);
	}
	tap_result(!bad, "scale matches 128-bit reference over %lu random inputs",
		   i);
}

static void test_scale_edges(void)
{
	static const __u64 deltas[] = {
		0, 1, 2, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, ~0ull, 1000000000ull, 3000000000ull,
	};
	static const __u32 muls[] = { 0, 1, 0x80000000u, 0xffffffffu,
				      349525, 1048576 /* 1 GHz, shift 12 */ };
	static const int shifts[] = { -128, -64, -63, -33, -32, -31, -1, 0, 1,
				      12, 31, 32, 33, 63, 64, 127 };
	unsigned long bad = 0;
	size_t d, m, s;

	for (d = 0; d < ARRAY_SIZE(deltas); d++)
		for (m = 0; m < ARRAY_SIZE(muls); m++)
			for (s = 0; s < ARRAY_SIZE(shifts); s++)
				bad += check_scale(deltas[d], muls[m], shifts[s]);
	tap_result(!bad, "scale edge cases (delta 0/huge, shift -128..127)");
}

/*
 * The host's own formula at vmm's parameters: mul = (10^9 << 20) / hz,
 * shift 12, so one second of TSC ticks scales to ~10^9 ns, slow only by
 * the truncation of mul: at most 2^-20 ns per tick, i.e. 0.954 ppm per GHz
 * (Documentation/host-interface.md, "The time page"). Allow (GHz + 1) ppm.
 */
static void test_vmm_params(void)
{
	static const __u64 freqs[] = { 1000000000ull, 2400000000ull,
				       2999999999ull, 3600000000ull };
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(freqs); i++) {
		__u32 mul = (__u32)((1000000000ull << 20) / freqs[i]);
		__u64 ns = vmm_clock_scale_delta(freqs[i], mul, 12);
		__u64 khz = vmm_clock_tsc_khz(mul, 12);
		__u64 ppm = freqs[i] / 1000000000ull + 1;
		__u64 khz_slack = freqs[i] / 1000 * ppm / 1000000 + 1;

		if (ns > 1000000000ull || 1000000000ull - ns > ppm * 1000 ||
		    khz < freqs[i] / 1000 || khz - freqs[i] / 1000 > khz_slack) {
			tap_diag("hz=%llu mul=%u: 1 s -> %llu ns, khz %llu",
				 (unsigned long long)freqs[i], mul,
				 (unsigned long long)ns,
				 (unsigned long long)khz);
			bad++;
		}
	}
	tap_result(!bad, "vmm parameters (shift 12): only mul truncation error");
}

static void test_ti_ns(void)
{
	int ok = 1;

	/* TSC behind the stamp counts as no time, not as a 2^64 wrap. */
	ok &= vmm_clock_ti_ns(100, 200, 5000, 1u << 31, 1) == 5000;
	ok &= vmm_clock_ti_ns(200, 200, 5000, 1u << 31, 1) == 5000;
	/* 100 ticks * 2 (shift 1) * 0.5 (mul 2^31) = 100 ns. */
	ok &= vmm_clock_ti_ns(300, 200, 5000, 1u << 31, 1) == 5100;
	ok &= vmm_clock_ti_ns(~0ull, 0, 7, 0, 12) == 7;
	tap_result(ok, "ti_ns: system_time + scaled delta, negative delta is 0");
}

static void test_version(void)
{
	int ok = 1;

	ok &= vmm_clock_version_busy(1) && vmm_clock_version_busy(0xffffffff);
	ok &= !vmm_clock_version_busy(0) && !vmm_clock_version_busy(2);
	ok &= vmm_clock_version_ok(2, 2);
	ok &= !vmm_clock_version_ok(3, 3);	/* odd: mid-update */
	ok &= !vmm_clock_version_ok(2, 4);	/* changed: torn */
	ok &= !vmm_clock_version_ok(2, 3);
	ok &= vmm_clock_version_ok(0xfffffffe, 0xfffffffe);
	tap_result(ok, "version protocol: odd or changed means retry");
}

static void test_guard(void)
{
	int ok = 1;

	ok &= vmm_clock_advances(11, 10) && !vmm_clock_advances(10, 10);
	ok &= !vmm_clock_advances(9, 10);
	ok &= vmm_clock_is_backward(9, 10) && !vmm_clock_is_backward(10, 10);
	ok &= !vmm_clock_is_backward(11, 10);
	ok &= vmm_clock_advances(~0ull, ~0ull - 1);
	tap_result(ok, "monotonic guard: publish only forward, equal is no clamp");
}

/* @v * 2^@e as a double, without libm. */
static double scaled(double v, int e)
{
	for (; e > 0; e--)
		v *= 2;
	for (; e < 0; e++)
		v /= 2;
	return v;
}

/*
 * The ceiling's rate: the host's plus 1/16 (never less, at most 2^-30
 * more from rounding), mul normalised to its top bit; and the ceiling
 * itself: no time for a TSC behind the anchor, saturation instead of a
 * wrap.
 */
static void test_ceiling(unsigned long n)
{
	unsigned long i, bad = 0;
	int ok = 1;

	for (i = 0; i < n && bad < 5; i++) {
		__u32 mul = (__u32)rnd64(), cmul;
		int shift = (int)(rnd64() % 65) - 32;	/* -32..32 */
		double want, got;
		__s8 cshift;

		if (i < 4)
			mul = i < 2 ? 1 + (__u32)i : 0xffffffffu - (__u32)i;
		if (!mul)
			mul = 1;
		vmm_clock_ceiling_params(mul, (__s8)shift, &cmul, &cshift);
		want = scaled(mul, shift) * 17 / 16;
		got = scaled(cmul, cshift);
		if (!(cmul & 0x80000000u) || got < want ||
		    got > want * (1 + 1.0 / (1 << 30))) {
			tap_diag("ceiling_params(%#x, %d) = %#x, %d (rate %.17g, want %.17g)",
				 mul, shift, cmul, cshift, got, want);
			bad++;
		}
	}
	ok &= !bad;
	/* vmm at 2.6 GHz: mul 403298, shift 12 -> one second plus 1/16. */
	{
		__u32 cmul;
		__s8 cshift;
		__u64 c;

		vmm_clock_ceiling_params(403298, 12, &cmul, &cshift);
		ok &= cshift <= 0;
		c = vmm_clock_ceiling(1000, 0, 2600000000ull, cmul, cshift);
		ok &= c > 1000 + 1062490000ull &&
		      c < 1000 + 1062500000ull + 1000000;
		ok &= vmm_clock_ceiling(1000, 500, 400, cmul, cshift) == 1000;
		ok &= vmm_clock_ceiling(1000, 500, 500, cmul, cshift) == 1000;
		ok &= vmm_clock_ceiling(~0ull - 5, 0, 1000, cmul, cshift) == ~0ull;
		ok &= vmm_clock_ceiling(1ull << 63, 0, 0x7fffffffffffffffull,
					0xffffffffu, 40) == ~0ull;
		ok &= vmm_clock_shift_delta_sat(3, 64) == ~0ull &&
		      vmm_clock_shift_delta_sat(0, 64) == 0 &&
		      vmm_clock_shift_delta_sat(~0ull, -64) == 0 &&
		      vmm_clock_shift_delta_sat(1ull << 62, 2) == ~0ull &&
		      vmm_clock_shift_delta_sat(1ull << 61, 2) == 1ull << 63 &&
		      vmm_clock_shift_delta_sat(8, -3) == 1;
	}
	tap_result(ok, "ceiling: host rate + 1/16 over %lu random parameters, "
		   "no time for a TSC behind, saturating", i);
}

static void test_params(void)
{
	int ok = 1;

	ok &= !vmm_clock_params_valid(0, 12);
	ok &= !vmm_clock_params_valid(1, 33) && !vmm_clock_params_valid(1, -33);
	ok &= vmm_clock_params_valid(1, -32) && vmm_clock_params_valid(1, 32);
	ok &= vmm_clock_tsc_khz(0, 12) == 0;
	/* mul 2^31, shift 0: 0.5 ns per tick = 2 GHz. */
	ok &= vmm_clock_tsc_khz(1u << 31, 0) == 2000000;
	ok &= vmm_clock_tsc_khz(1u << 31, -1) == 4000000;
	ok &= vmm_clock_tsc_khz(1, -32) == 0;	/* beyond 64 bits */
	ok &= vmm_clock_wall_ns(1, 5, 10) == 1000000015ull;
	ok &= vmm_clock_wall_ns(0xffffffffu, 999999999u, 0) ==
	      0xffffffffull * 1000000000ull + 999999999ull;
	tap_result(ok, "parameter checks, tsc_khz and wall clock sum");
}

int main(int argc, char **argv)
{
	unsigned long n = 2000000;
	uint64_t seed = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n ITER] [-s SEED]\n",
				argv[0]);
			return TAP_FAIL;
		}
	}
	if (seed)
		rng_state = seed;
	tap_header();
	tap_plan(8);
	tap_diag("seed %#llx iterations %lu",
		 (unsigned long long)rng_state, n);
	test_scale_random(n);
	test_scale_edges();
	test_vmm_params();
	test_ti_ns();
	test_version();
	test_guard();
	test_params();
	test_ceiling(n / 10 + 10);
	tap_finish();
}
