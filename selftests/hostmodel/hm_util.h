/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the host model's guest-side tests: raw CPUID, MSRs through
 * /dev/cpu/0/msr, the vmmci BAR through port I/O with a chosen EAX (vmd
 * reads and writes the guest's whole EAX), and the host model's
 * "vmctl status" key=value lines through hostctl.
 *
 * No pvkit driver is involved: these tests check the host, not the guest.
 */
#ifndef HM_UTIL_H
#define HM_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "hostctl.h"
#include "util.h"

/* vmmci register offsets from BAR0 (legacy virtio header, no MSI) */
#define HM_DEVICE_FEATURES	0
#define HM_GUEST_FEATURES	4
#define HM_QUEUE_SIZE		12
#define HM_DEVICE_STATUS	18
#define HM_ISR			19
#define HM_CMD			20
#define HM_TIME_SEC		24
#define HM_TIME_SEC_HI		28
#define HM_TIME_USEC		32
#define HM_TIME_USEC_HI		36
#define HM_DRIVER_OK		0x04

static inline void hm_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "0"(leaf), "2"(0));
}

/* ------------------------------------------------------------ MSRs */

static int hm_msr_fd = -1;

/* 0, or -1 when /dev/cpu/0/msr is missing (msr.ko not available) */
static inline int hm_msr_open(void)
{
	if (hm_msr_fd >= 0)
		return 0;
	if (access("/dev/cpu/0/msr", F_OK) && system("modprobe msr 2>/dev/null"))
		fprintf(stderr, "# modprobe msr failed\n");
	hm_msr_fd = open("/dev/cpu/0/msr", O_RDWR | O_CLOEXEC);
	return hm_msr_fd < 0 ? -1 : 0;
}

/* 0, or -errno: the msr driver turns a #GP into -EIO */
static inline int hm_rdmsr(uint32_t msr, uint64_t *val)
{
	ssize_t n = pread(hm_msr_fd, val, 8, msr);

	return n == 8 ? 0 : -errno;
}

static inline int hm_wrmsr(uint32_t msr, uint64_t val)
{
	ssize_t n = pwrite(hm_msr_fd, &val, 8, msr);

	return n == 8 ? 0 : -errno;
}

/* ------------------------------------------------------------ vmmci */

static char hm_bdf[256];	/* a PCI address, e.g. 0000:00:02.0 */
static unsigned int hm_io;	/* BAR0 I/O port base */
static unsigned long hm_io_len;

/* Find 0b5d:0777 and its I/O BAR; 0 or -1 (then the test skips). */
static inline int hm_find_vmmci(void)
{
	unsigned long start, end, flags;
	char path[400];
	int found = -1;
	FILE *f;

	if (pv_find_pci("0x0b5d", "0x0777", hm_bdf, sizeof(hm_bdf)))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
		 hm_bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* BAR0 is the first line; IORESOURCE_IO is 0x100. */
	if (fscanf(f, "%lx %lx %lx", &start, &end, &flags) == 3 &&
	    (flags & 0x100) && start) {
		hm_io = start;
		hm_io_len = end - start + 1;
		found = 0;
	}
	fclose(f);
	return found;
}

/* A bound driver would race us for the registers: unbind it. */
static inline void hm_unbind_vmmci(void)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 hm_bdf);
	f = fopen(path, "w");
	if (f) {
		fputs(hm_bdf, f);
		fclose(f);
	}
}

/* Find the device, get port access; skips the whole test if impossible. */
static inline void hm_vmmci_setup(void)
{
	if (hm_find_vmmci())
		tap_skip_all("no vmmci device (0b5d:0777): not the vmd host");
	hm_unbind_vmmci();
	if (iopl(3))
		tap_skip_all("iopl(3): %s", strerror(errno));
}

/*
 * Port accesses with the whole EAX chosen by the caller: vmd sees (and
 * for unanswered reads returns) all of it whatever the access width.
 */
static inline uint32_t hm_inb_eax(unsigned int off, uint32_t eax)
{
	__asm__ volatile("inb %w1, %b0" : "+a"(eax) : "Nd"(hm_io + off));
	return eax;
}

static inline uint32_t hm_inw_eax(unsigned int off, uint32_t eax)
{
	__asm__ volatile("inw %w1, %w0" : "+a"(eax) : "Nd"(hm_io + off));
	return eax;
}

static inline uint32_t hm_inl(unsigned int off)
{
	return inl(hm_io + off);
}

static inline void hm_outl(unsigned int off, uint32_t val)
{
	outl(val, hm_io + off);
}

static inline void hm_outb_eax(unsigned int off, uint32_t eax)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(eax), "Nd"(hm_io + off));
}

static inline void hm_outw_eax(unsigned int off, uint32_t eax)
{
	__asm__ volatile("outw %w0, %w1" : : "a"(eax), "Nd"(hm_io + off));
}

/* ------------------------------------------------------------ host */

/* One key of "vmctl status"; LLONG_MIN without the host model */
static inline long long hm_status(const char *key)
{
	char reply[1024];
	long long v;

	if (hostctl_vmctl("status", reply, sizeof(reply)) != 0 ||
	    hostctl_kv(reply, key, &v))
		return LLONG_MIN;
	return v;
}

/* This test ends the VM with @reason; bails if the runner did not take it */
static inline void hm_expect_end(const char *reason, const char *why)
{
	char req[256];

	snprintf(req, sizeof(req), "expect-end %s %s", reason, why);
	if (hostctl(req, NULL, 0, 5000))
		tap_skip_all("no host channel for expect-end");
}

/* Wait for the VM to be ended under us; failing if it is not. */
static inline __attribute__((noreturn)) void hm_wait_end(int seconds,
							 const char *what)
{
	sleep(seconds);
	tap_result(0, "VM still running %d s after %s", seconds, what);
	tap_finish();
}

#endif /* HM_UTIL_H */
