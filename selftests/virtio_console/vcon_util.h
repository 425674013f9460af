/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the virtio_console selftests: load our driver or the
 * in-tree one, find a port by its name, talk to the host side.
 */
#ifndef VCON_UTIL_H
#define VCON_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "../lib/hostctl.h"
#include "../lib/util.h"

#define VCON_PORT_NAME	"pvkit.p0"

static inline double vcon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Built into the kernel (6.12's cloud config): ours takes it over. */
static inline bool vcon_driver_builtin(void)
{
	static int builtin = -1;
	char path[256], line[256];
	struct utsname u;
	FILE *f;

	if (builtin >= 0)
		return builtin;
	builtin = 0;
	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin",
		 u.release);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "/virtio_console.ko"))
			builtin = 1;
	if (f)
		fclose(f);
	return builtin;
}

/*
 * Our module: the drop-in virtio_console, or virtio_console_fix, which
 * takes the devices over from a built-in virtio_console.
 */
static inline const char *vcon_module(void)
{
	return vcon_driver_builtin() ? "virtio_console_fix" : "virtio_console";
}

/* The test-only fault hooks of our module (fault_inject). */
static inline const char *vcon_fault_path(void)
{
	static char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/fault_inject",
		 vcon_module());
	return path;
}

static inline bool vcon_driver_loaded(void)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", vcon_module());
	return access(path, F_OK) == 0;
}

/*
 * True when ours drives the console devices: the drop-in has a version
 * (the in-tree module has none), the takeover module exists only loaded.
 */
static inline bool vcon_driver_is_ours(void)
{
	if (vcon_driver_builtin())
		return vcon_driver_loaded();
	return access("/sys/module/virtio_console/version", F_OK) == 0;
}

static inline int vcon_sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

/*
 * Make @intree (Debian's driver) or ours the bound one. An in-tree module
 * is loaded by path since modprobe prefers updates/; a built-in one gets
 * its devices back when our takeover module unloads.
 */
static inline int vcon_load_driver(bool intree)
{
	struct utsname u;
	char path[256];

	if (vcon_driver_is_ours() == !intree &&
	    (vcon_driver_builtin() || vcon_driver_loaded()))
		return 0;
	if (vcon_driver_loaded() && vcon_sh("rmmod %s", vcon_module()))
		return -1;
	vcon_sh("modprobe virtio_pci%s", " 2>/dev/null");
	if (!intree)
		return vcon_sh("modprobe %s", vcon_module()) ? -1 : 0;
	if (vcon_driver_builtin())
		return 0;
	uname(&u);
	snprintf(path, sizeof(path),
		 "/lib/modules/%s/kernel/drivers/char/virtio_console.ko",
		 u.release);
	return vcon_sh("insmod %s", path) ? -1 : 0;
}

/* The /dev/ name of the port named @name in class directory @cls. */
static inline int vcon_find_in(const char *cls, const char *name, char *dev,
			       size_t len)
{
	DIR *d = opendir(cls);
	struct dirent *e;
	int ret = -1;

	while (d && (e = readdir(d))) {
		char p[512], buf[300] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/name", cls, e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (!strcmp(buf, name)) {
			snprintf(dev, len, "/dev/%s", e->d_name);
			ret = access(dev, F_OK) ? -1 : 0;
			break;
		}
	}
	if (d)
		closedir(d);
	return ret;
}

/*
 * /dev/vportXpY of the port named @name, waiting up to @secs for it. The
 * takeover module uses a class of its own when it had none to borrow.
 */
static inline int vcon_find_port(const char *name, char *dev, size_t len,
				 double secs)
{
	double end = vcon_now() + secs;

	do {
		if (!vcon_find_in("/sys/class/virtio-ports", name, dev, len) ||
		    !vcon_find_in("/sys/class/virtio-ports-pvkit", name, dev,
				  len))
			return 0;
		usleep(50 * 1000);
	} while (vcon_now() < end);
	return -1;
}

/* Wait until the host side of @fd's port is connected (no POLLHUP). */
static inline int vcon_wait_host(int fd, double secs)
{
	double end = vcon_now() + secs;

	do {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 10) >= 0 && !(p.revents & POLLHUP))
			return 0;
		usleep(20 * 1000);
	} while (vcon_now() < end);
	return -1;
}

/*
 * Standard opening of a test: host channel, driver, port. Skips the whole
 * program when there is no host side or no such port (a real guest).
 */
static inline void vcon_setup(bool intree, const char *name, char *dev,
			      size_t len)
{
	if (hostctl("log virtio_console test", NULL, 0, 5000))
		tap_skip_all("no hostctl channel (not under testvm)");
	if (vcon_load_driver(intree))
		tap_bail("cannot load %s virtio_console",
			 intree ? "the in-tree" : "our");
	if (vcon_driver_is_ours() == intree)
		tap_bail("wrong virtio_console bound");
	/* "-": a single-port device, whose port 0 has no name. */
	if (!strcmp(name, "-")) {
		snprintf(dev, len, "/dev/vport0p0");
		return;
	}
	if (vcon_find_port(name, dev, len, 10))
		tap_skip_all("no virtio port named %s", name);
}

/*
 * printk @marker (through /dev/kmsg, at KERN_ERR so any console shows it)
 * and wait up to @secs for the host's file @file (in the VM's run
 * directory) to contain it: what console=hvcN carried to the host.
 */
static inline bool vcon_printk_reaches(const char *file, const char *marker,
				       int secs)
{
	char req[256];
	int fd;

	snprintf(req, sizeof(req), "<3>%s\n", marker);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0 || write(fd, req, strlen(req)) < 0)
		tap_bail("write /dev/kmsg: %s", strerror(errno));
	close(fd);
	snprintf(req, sizeof(req), "run vcon_peer.py file-has %s %s %d",
		 file, marker, secs);
	return hostctl(req, NULL, 0, (secs + 10) * 1000) == 0;
}

/* CRC-32 as zlib computes it (host/vcon_peer.py uses zlib.crc32). */
static inline unsigned int vcon_crc32(unsigned int crc, const void *data,
				      size_t len)
{
	static unsigned int table[256];
	const unsigned char *p = data;
	size_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			unsigned int c = i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Ask the host; bail out of the whole program if it cannot answer. */
static inline void vcon_host(const char *req, char *reply, size_t len,
			     int timeout_ms)
{
	int rc = hostctl(req, reply, len, timeout_ms);

	if (rc)
		tap_bail("host request '%s' failed: rc %d %s", req, rc,
			 reply ? reply : "");
}

/* Parse "-p NAME -s SOCK" style options shared by the port tests. */
static inline void vcon_port_args(int argc, char **argv, const char **name,
				  const char **sock, bool *intree)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-p") && i + 1 < argc)
			*name = argv[++i];
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			*sock = argv[++i];
		else if (!strcmp(argv[i], "--intree") && intree)
			*intree = true;
	}
}

/* Run the calling task on @cpu only (the race tests' placement). */
static inline void vcon_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Widen the window the lost-wakeup races need: the virtio interrupts go
 * to @cpu, where the sleeper waits, and the poller runs on the other CPU,
 * so it can reach the used buffers before @cpu takes the interrupt. Both
 * drivers get the same placement. x86 moves an MSI on its next interrupt,
 * so the CPU printed may still be the old one.
 */
static inline void vcon_place_irqs(int cpu)
{
	char line[512], path[64], eff[64];
	FILE *f = fopen("/proc/interrupts", "r");
	int irq;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "virtio") || sscanf(line, " %d:", &irq) != 1)
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list",
			 irq);
		snprintf(eff, sizeof(eff), "%d", cpu);
		pv_write_file(path, eff);
		snprintf(path, sizeof(path),
			 "/proc/irq/%d/effective_affinity_list", irq);
		if (pv_read_file(path, eff, sizeof(eff)))
			strcpy(eff, "?");
		eff[strcspn(eff, "\n")] = 0;
		line[strcspn(line, "\n")] = 0;
		tap_diag("irq %d on CPU %s: %s", irq, eff,
			 strstr(line, "virtio") ? strstr(line, "virtio") : "");
	}
	if (f)
		fclose(f);
}

#endif /* VCON_UTIL_H */
