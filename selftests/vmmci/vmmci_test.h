/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmmci selftests: find the device and its sysfs
 * counters, load/bind the driver, talk to the host model through
 * hostctl's "vmctl" request and parse its "key=value" status.
 */
#ifndef VMMCI_TEST_H
#define VMMCI_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "hostctl.h"
#include "util.h"

#define VMMCI_DRV	"/sys/bus/pci/drivers/vmmci"
#define VMMCI_PARAMS	"/sys/module/vmmci/parameters"

static char vmmci_bdf[256];	/* e.g. 0000:00:03.0 */

/* Find the vmmci PCI device (0b5d:0777); 0 when found. */
static inline int vmmci_find_device(void)
{
	return pv_find_pci("0x0b5d", "0x0777", vmmci_bdf, sizeof(vmmci_bdf));
}

/* Load the driver the way udev would: by the device's modalias. */
static inline int vmmci_load(void)
{
	char path[PATH_MAX], alias[256], cmd[512];
	struct stat st;

	if (!stat(VMMCI_DRV, &st))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/modalias",
		 vmmci_bdf);
	if (pv_read_file(path, alias, sizeof(alias)))
		return -1;
	snprintf(cmd, sizeof(cmd), "modprobe '%s'", alias);
	if (system(cmd) != 0)
		return -1;
	return stat(VMMCI_DRV, &st);
}

static inline int vmmci_is_bound(void)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), VMMCI_DRV "/%s", vmmci_bdf);
	return !stat(path, &st);
}

static inline int vmmci_bind(int on)
{
	if (on == vmmci_is_bound())
		return 0;
	return pv_write_file(on ? VMMCI_DRV "/bind" : VMMCI_DRV "/unbind",
			       vmmci_bdf);
}

/* A sysfs counter of the bound device; -1 (as LLONG_MIN) on error. */
static inline long long vmmci_stat(const char *name)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vmmci/%s",
		 vmmci_bdf, name);
	if (pv_read_file(path, buf, sizeof(buf)))
		return LLONG_MIN;
	return strtoll(buf, NULL, 0);
}

/* Wait up to @ms for counter @name to exceed @than. */
static inline long long vmmci_wait_stat(const char *name, long long than,
					unsigned int ms)
{
	long long v = vmmci_stat(name);
	unsigned int waited = 0;

	while (v != LLONG_MIN && v <= than && waited < ms) {
		pv_sleep_ms(20);
		waited += 20;
		v = vmmci_stat(name);
	}
	return v;
}

static inline int vmmci_param(const char *name, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VMMCI_PARAMS "/%s", name);
	return pv_write_file(path, val);
}

/*
 * The standard start of every test: the device exists (else skip), the
 * driver is loaded by alias and bound.
 */
static inline void vmmci_setup(void)
{
	if (vmmci_find_device())
		tap_skip_all("no vmmci device (0b5d:0777): not on vmd");
	if (vmmci_load())
		tap_bail("cannot load vmmci by its modalias");
	if (vmmci_bind(1) || !vmmci_is_bound())
		tap_bail("vmmci is not bound to %s", vmmci_bdf);
}

/* Host status key; LLONG_MIN if unavailable. */
static inline long long vmmci_host_status(const char *key)
{
	char reply[1024];
	long long v;

	if (hostctl_vmctl("status", reply, sizeof(reply)) != 0)
		return LLONG_MIN;
	if (hostctl_kv(reply, key, &v))
		return LLONG_MIN;
	return v;
}

/*
 * Bench helper: guest timestamps need a real clocksource. Under a loaded
 * TCG host the vmd profile often ends on refined-jiffies (4 ms steps);
 * the platform's pvclock (pvkit's vmm_clock) fixes that when present.
 * Returns the clocksource in use.
 */
static inline const char *vmmci_prefer_pvclock(char *buf, size_t len)
{
	if (system("modprobe vmm_clock 2>/dev/null") == 0)
		pv_sleep_ms(500);
	if (pv_read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			 buf, len))
		snprintf(buf, len, "unknown");
	return buf;
}

/*
 * Losing an interrupt on purpose, without host help: on the vmd profile
 * (noapic) the device's INTx goes through the 8259 PIC, whose mask
 * register userspace can reach with ioperm(). While the line is masked
 * at the PIC the host's assertion never reaches the CPU, exactly like
 * vmd's PIC dropping it. Returns 0 and the old mask byte in @saved.
 */
static inline int vmmci_pic_irq(void)
{
	char path[PATH_MAX], buf[32], line[512], want[16];
	FILE *f;
	int irq, found = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/irq", vmmci_bdf);
	if (pv_read_file(path, buf, sizeof(buf)))
		return -1;
	irq = atoi(buf);
	if (irq <= 0 || irq >= 16)
		return -1;
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%d:", irq);
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (!strncmp(p, want, strlen(want)) && strstr(line, "XT-PIC"))
			found = 1;
	}
	fclose(f);
	return found ? irq : -1;
}

static inline unsigned short vmmci_pic_port(int irq)
{
	return irq < 8 ? 0x21 : 0xa1;
}

static inline int vmmci_pic_mask(int irq, unsigned char *saved)
{
	unsigned short port = vmmci_pic_port(irq);

	if (ioperm(port, 1, 1))
		return -1;
	*saved = inb(port);
	outb(*saved | (1 << (irq & 7)), port);
	return 0;
}

/* Put back only our bit: the kernel may have changed others meanwhile. */
static inline void vmmci_pic_unmask(int irq, unsigned char saved)
{
	unsigned short port = vmmci_pic_port(irq);
	unsigned char bit = 1 << (irq & 7), now = inb(port);

	outb((now & ~bit) | (saved & bit), port);
}

#endif /* VMMCI_TEST_H */
