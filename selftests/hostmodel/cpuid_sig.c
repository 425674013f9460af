// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host model's CPUID is vmm(4)'s: leaf 0x40000000 has EAX 0
 * and "OpenBSDVMM58", 0x40000001 EAX is CLOCKSOURCE2|STABLE (0x01000008),
 * and the hypervisor bit of leaf 1 is set. Without -k the KVM leaf at
 * 0x40000100 is absent (vmm before 1.64); with -k it is there as in vmm
 * 1.64 ("KVMKVMKVM", features 0x0100000a).
 */
#include "hm_util.h"

static void sig(const uint32_t r[4], char out[13])
{
	memcpy(out, &r[1], 4);
	memcpy(out + 4, &r[2], 4);
	memcpy(out + 8, &r[3], 4);
	out[12] = '\0';
}

int main(int argc, char **argv)
{
	int kvm_leaf = argc > 1 && !strcmp(argv[1], "-k");
	uint32_t r[4];
	char s[13];

	tap_header();
	tap_plan(5);

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
	tap_finish();
}
