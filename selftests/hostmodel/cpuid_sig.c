// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host model's CPUID is vmm(4)'s: leaf 0x40000000 has EAX 0
 * and "OpenBSDVMM58", 0x40000001 EAX is CLOCKSOURCE2|STABLE (0x01000008),
 * and the hypervisor bit of leaf 1 is set. Without -k the KVM leaf at
 * 0x40000100 is absent (vmm before 1.64); with -k it is there as in vmm
 * 1.64 ("KVMKVMKVM", features 0x0100000a).
 *
 * The TSC leaves follow the host's TSC. 0x80000007 EDX is masked to the
 * invariant-TSC bit: 0 on the default model (a host without one). With -i
 * (cpu property openbsd-vmm-invtsc=on) the bit is set alone, the level is
 * at least 0x15 and leaf 0x15 is vmm's synthesis: EAX 1, EBX 100, and
 * ECX * 100 the TSC rate, measured here against host time (the vmmci
 * time registers: guest clocks under TCG are not a reference).
 */
#include "hm_util.h"

#define CPUID_APM_INVTSC	0x100u	/* bit 8 */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Host time from the vmmci registers (a read of TIME_SEC snapshots it),
 * bracketed by two TSC reads: the TSC at the snapshot is their middle.
 * Of a few tries keep the tightest bracket, so a vCPU descheduled in
 * between does not count.
 */
static void tsc_at_host_time(double *tsc, double *host_s)
{
	uint64_t t0, t1, best = UINT64_MAX;
	uint32_t sec, usec;
	int i;

	for (i = 0; i < 8; i++) {
		t0 = rdtsc();
		sec = hm_inl(HM_TIME_SEC);
		usec = hm_inl(HM_TIME_USEC);
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2.0;
			*host_s = sec + usec / 1e6;
		}
	}
}

/* TSC ticks per second of host time, over about @ms. */
static double tsc_hz(int ms)
{
	double t0, t1, h0, h1;

	tsc_at_host_time(&t0, &h0);
	usleep(ms * 1000);
	tsc_at_host_time(&t1, &h1);
	return (t1 - t0) / (h1 - h0);
}

static void tsc_leaves(int invtsc)
{
	uint32_t r[4];
	double hz, err;

	hm_cpuid(0x80000007, r);
	if (!invtsc) {
		tap_result(r[3] == 0, "0x80000007: edx 0x%08x (host TSC not "
			   "invariant)", r[3]);
		return;
	}
	tap_result(r[3] == CPUID_APM_INVTSC, "0x80000007: edx 0x%08x "
		   "(invariant TSC bit alone)", r[3]);
	hm_cpuid(0, r);
	tap_result(r[0] >= 0x15, "leaf 0 level 0x%x reaches 0x15", r[0]);
	hm_cpuid(0x15, r);
	hm_vmmci_setup();
	hz = tsc_hz(1000);
	err = r[2] ? (hz - r[2] * 100.0) / (r[2] * 100.0) : 1;
	tap_diag("0x15: eax %u ebx %u ecx %u; TSC measured %.0f Hz (%+.3f %%)",
		 r[0], r[1], r[2], hz, err * 100);
	tap_result(r[0] == 1 && r[1] == 100 && err < 0.001 && err > -0.001,
		   "0x15: eax 1, ebx 100, ecx * 100 the TSC rate within 0.1 %%");
}

static void sig(const uint32_t r[4], char out[13])
{
	memcpy(out, &r[1], 4);
	memcpy(out + 4, &r[2], 4);
	memcpy(out + 8, &r[3], 4);
	out[12] = '\0';
}

int main(int argc, char **argv)
{
	int kvm_leaf = 0, invtsc = 0, i;
	uint32_t r[4];
	char s[13];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k"))
			kvm_leaf = 1;
		else if (!strcmp(argv[i], "-i"))
			invtsc = 1;
	}
	tap_header();
	tap_plan(invtsc ? 8 : 6);

	hm_cpuid(1, r);
	tap_result(r[2] & (1u << 31), "leaf 1 ECX hypervisor bit (ecx 0x%08x)",
		   r[2]);

	hm_cpuid(0x40000000, r);
	sig(r, s);
	if (!tap_result(!strcmp(s, "OpenBSDVMM58") && r[0] == 0,
			"0x40000000: eax 0x%x \"%s\"", r[0], s))
		tap_diag("expected eax 0 \"OpenBSDVMM58\" (vmm_handle_cpuid)");

	hm_cpuid(0x40000001, r);
	tap_result(r[0] == 0x01000008, "0x40000001: eax 0x%08x", r[0]);

	hm_cpuid(0x40000100, r);
	sig(r, s);
	if (kvm_leaf)
		tap_result(r[0] == 0x40000101 &&
			   !memcmp(s, "KVMKVMKVM\0\0\0", 12),
			   "0x40000100: eax 0x%x \"%s\" (KVM leaf on)", r[0], s);
	else
		tap_result(!r[0] && !r[1] && !r[2] && !r[3],
			   "0x40000100: all zero (%08x %08x %08x %08x)",
			   r[0], r[1], r[2], r[3]);

	hm_cpuid(0x40000101, r);
	if (kvm_leaf)
		tap_result(r[0] == 0x0100000a, "0x40000101: eax 0x%08x", r[0]);
	else
		tap_result(r[0] == 0, "0x40000101: eax 0x%08x", r[0]);
	tsc_leaves(invtsc);
	tap_finish();
}
