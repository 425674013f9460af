/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmm(4) paravirtual clock as an OpenBSD host implements it
 * (sys/arch/amd64/amd64/vmm_machdep.c 1.12 and 1.64): CPUID leaves, MSRs
 * and the layout of the memory the host writes. Names follow OpenBSD's
 * (vmm_machdep.c, sys/dev/pv/pvreg.h, sys/dev/pv/pvclock.c) so the two
 * sides can be read against each other; only <linux/types.h> types, so
 * userspace tests can include this file as it is (the host model in
 * tools/vmd-qemu does not: it is written from the host's side on its own).
 * The host behaviour is in Documentation/host-interface.md.
 *
 * The protocol is x86 only and every field is in the CPU's (little-endian)
 * byte order.
 */
#ifndef VMM_CLOCK_ABI_H
#define VMM_CLOCK_ABI_H

#include <linux/types.h>

/*
 * Hypervisor CPUID leaves. vmm answers the signature at the first base;
 * 1.64 also answers a KVM signature at 0x40000100. Guests scan the range
 * in steps of 0x100 like Linux's own hypervisor detection does.
 */
#define VMM_CPUID_BASE_FIRST		0x40000000u
#define VMM_CPUID_BASE_LAST		0x4000ff00u
#define VMM_CPUID_BASE_STEP		0x100u
#define VMM_HV_SIGNATURE		"OpenBSDVMM58"	/* EBX, ECX, EDX */
#define VMM_KVM_SIGNATURE		"KVMKVMKVM\0\0\0"
#define VMM_HV_SIGNATURE_LEN		12

/* Feature leaf (base + 1), EAX bits, as pvreg.h numbers them. */
#define CPUID_OFFSET_KVM_FEATURES	0x1u
#define VMM_KVM_FEATURE_CLOCKSOURCE2	3	/* the 0x4b564dxx MSRs */
#define VMM_KVM_FEATURE_NOP_IO_DELAY	1	/* 1.64 KVM leaf only */
#define VMM_KVM_FEATURE_CLOCKSOURCE_STABLE_BIT	24

/*
 * MSRs (write only: vmm injects #GP on RDMSR of either). The system time
 * MSR takes the guest-physical address of a struct pvclock_time_info
 * (16-byte aligned; the host masks the low 4 bits, and the struct must not
 * cross a page) ORed with the enable bit; writing 0 stops the updates.
 */
#define KVM_MSR_WALL_CLOCK		0x4b564d00u	/* 1.64 and later */
#define KVM_MSR_SYSTEM_TIME		0x4b564d01u
#define PVCLOCK_SYSTEM_TIME_ENABLE	0x1ull
#define PVCLOCK_SYSTEM_TIME_ALIGN	16

/* ti_flags: vmm always sets TSC_STABLE and never GUEST_STOPPED. */
#define PVCLOCK_FLAG_TSC_STABLE		0x01
#define PVCLOCK_FLAG_GUEST_STOPPED	0x02

/*
 * Per-vCPU time info. On every VM entry the host makes ti_version odd,
 * writes the fields, then makes ti_version even again (next even value).
 * ns since host boot = ti_system_time +
 *	(((tsc - ti_tsc_timestamp) << ti_tsc_shift) * ti_tsc_to_system_mul) >> 32
 * (a negative shift shifts right). vmm uses shift 12.
 * Naturally aligned with no holes, so no packing attribute is needed.
 */
struct pvclock_time_info {
	__u32 ti_version;
	__u32 ti_pad0;
	__u64 ti_tsc_timestamp;
	__u64 ti_system_time;
	__u32 ti_tsc_to_system_mul;
	__s8 ti_tsc_shift;
	__u8 ti_flags;
	__u8 ti_pad[2];
};

#define PVCLOCK_TIME_INFO_SIZE		32

/*
 * Wall clock (OpenBSD: struct pvclock_wall_clock; renamed because Linux's
 * asm/pvclock-abi.h owns that tag). Written once per WRMSR of
 * KVM_MSR_WALL_CLOCK with the same odd/even version protocol: the host's
 * boot time in UTC. Host UTC now = boot time + system time of the page.
 */
struct vmm_clock_wall_clock {
	__u32 wc_version;
	__u32 wc_sec;
	__u32 wc_nsec;
};

#endif /* VMM_CLOCK_ABI_H */
