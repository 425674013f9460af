/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenBSD vmm(4)/vmd(8) host model (pvkit): state shared by the CPU hooks,
 * the pvclock updater and the vmmci device.
 */

#ifndef HW_I386_OPENBSD_VMM_H
#define HW_I386_OPENBSD_VMM_H

#include "sysemu/runstate.h"

#define TYPE_OPENBSD_VMM "openbsd-vmm"

/* QOM path of the singleton that holds the pvclock and host clock state */
#define OPENBSD_VMM_PATH "/machine/openbsd-vmm"

/* vmm's per-vCPU pvclock MSR (MSR_KVM_SYSTEM_TIME_NEW) and friends */
#define OPENBSD_VMM_MSR_WALL_CLOCK      0x4b564d00
#define OPENBSD_VMM_MSR_SYSTEM_TIME     0x4b564d01
#define OPENBSD_VMM_MSR_WALL_CLOCK_OLD  0x11
#define OPENBSD_VMM_MSR_SYSTEM_TIME_OLD 0x12

typedef enum OpenBSDVmmMsrResult {
    OPENBSD_VMM_MSR_UNHANDLED,  /* not a vmm MSR: QEMU's usual handling */
    OPENBSD_VMM_MSR_DONE,
    OPENBSD_VMM_MSR_GP,         /* inject #GP */
} OpenBSDVmmMsrResult;

/*
 * The model's host wall clock: host CLOCK_REALTIME plus an offset that
 * "vmctl clock +N" steps, standing in for the host administrator setting
 * the clock of the OpenBSD host.
 */
int64_t openbsd_vmm_host_realtime_ns(void);
void openbsd_vmm_host_clock_step(int64_t delta_ns);
int64_t openbsd_vmm_host_clock_offset_ns(void);

/*
 * End the VM the way vmd does (the vm process exits): print the one
 * "vmd-qemu: vm-end reason=..." line and request a QEMU shutdown.  Only the
 * first call has an effect.
 */
void openbsd_vmm_end(const char *reason, ShutdownCause cause);
const char *openbsd_vmm_end_reason(void);

/* The TSC of openbsd-vmm CPUs: invariant, shared, synthesized */
uint64_t openbsd_vmm_tsc(void);

/* The guest's EAX at the current port access, as vmd's vei_data holds it */
bool openbsd_vmm_guest_eax(uint32_t *eax);

/* The vmmci device (hw/misc/vmmci.c) */
#define TYPE_VMMCI "vmmci"

/* Raise vmmci's INTx with nothing in ISR: one spurious interrupt */
void vmmci_spurious(Object *obj);

/* Create the OPENBSD_VMM_PATH object and its updater thread (once) */
void openbsd_vmm_setup(void);

/* Hooks for target/i386 (only called for CPUs with openbsd-vmm=on) */
void openbsd_vmm_cpuid(CPUState *cs, bool kvm_leaf, uint32_t index,
                       uint32_t *eax, uint32_t *ebx,
                       uint32_t *ecx, uint32_t *edx);
void openbsd_vmm_cpuid_tsc(uint32_t index, uint32_t *eax, uint32_t *ebx,
                           uint32_t *ecx, uint32_t *edx);
OpenBSDVmmMsrResult openbsd_vmm_wrmsr(CPUState *cs, uint32_t msr,
                                      uint64_t val);
OpenBSDVmmMsrResult openbsd_vmm_rdmsr(CPUState *cs, uint32_t msr);
void openbsd_vmm_hlt_noint(CPUState *cs);

#endif
