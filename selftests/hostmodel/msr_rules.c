// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the pvclock MSRs follow vmm(4): RDMSR of 0x4b564d00/01 and of the
 * legacy 0x11/0x12 raises #GP; writes to 0x11/0x12 are dropped; WRMSR
 * 0x4b564d01 raises #GP for a struct that crosses a page or is not guest
 * RAM, and accepts a write with the enable bit clear. Uses /dev/cpu/0/msr
 * (the msr driver turns a #GP into EIO), so no guest page is registered.
 */
#include "hm_util.h"

#define MSR_WALL	0x4b564d00
#define MSR_SYSTIME	0x4b564d01

int main(void)
{
	static const uint32_t rd[] = { MSR_WALL, MSR_SYSTIME, 0x11, 0x12 };
	char reply[1024];
	long long gp0 = -1, gp1 = -1;
	uint64_t v;
	unsigned int i;
	int rc;

	tap_header();
	if (hm_msr_open())
		tap_skip_all("no /dev/cpu/0/msr (msr.ko)");
	tap_plan(9);

	if (hostctl_vmctl("pvclock status", reply, sizeof(reply)) == 0)
		hostctl_kv(reply, "gp", &gp0);

	for (i = 0; i < 4; i++) {
		rc = hm_rdmsr(rd[i], &v);
		tap_result(rc == -EIO, "rdmsr 0x%x faults (%d)", rd[i], rc);
	}
	rc = hm_wrmsr(0x11, 0x1000);
	tap_result(rc == 0, "wrmsr 0x11 dropped without #GP (%d)", rc);
	rc = hm_wrmsr(0x12, 0x1001);
	tap_result(rc == 0, "wrmsr 0x12 dropped without #GP (%d)", rc);

	/* offset 0xff0 + 32 bytes crosses into the next page */
	rc = hm_wrmsr(MSR_SYSTIME, 0x100ff0 | 1);
	tap_result(rc == -EIO, "wrmsr 0x4b564d01 page-crossing struct faults (%d)",
		   rc);
	/* the BIOS ROM at the top of 4 GiB is not RAM */
	rc = hm_wrmsr(MSR_SYSTIME, 0xfffff000ULL | 1);
	tap_result(rc == -EIO, "wrmsr 0x4b564d01 ROM address faults (%d)", rc);
	rc = hm_wrmsr(MSR_SYSTIME, 0);
	tap_result(rc == 0, "wrmsr 0x4b564d01 = 0 (disable) accepted (%d)", rc);

	if (hostctl_vmctl("pvclock status", reply, sizeof(reply)) == 0) {
		hostctl_kv(reply, "gp", &gp1);
		tap_diag("host counted %lld rejected registrations (was %lld)",
			 gp1, gp0);
	}
	tap_finish();
}
