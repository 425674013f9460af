/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every area's selftests need: clocks, sleeps, and reading
 * or writing one sysfs/debugfs value.
 */
#ifndef PVKIT_UTIL_H
#define PVKIT_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static inline long long pv_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void pv_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A whole small file into @buf, trailing newlines stripped; 0 or -1. */
static inline int pv_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Write @val to a sysfs/debugfs file; 0 or -errno. */
static inline int pv_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The first PCI device @vendor:@device; its address into @bdf, 0 or -1. */
static inline int pv_find_pci(const char *vendor, const char *device,
			      char *bdf, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found && (e = readdir(d))) {
		char path[320], v[32], dev[32];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		if (pv_read_file(path, v, sizeof(v)))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		if (pv_read_file(path, dev, sizeof(dev)))
			continue;
		if (!strcmp(v, vendor) && !strcmp(dev, device)) {
			snprintf(bdf, len, "%s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

#endif /* PVKIT_UTIL_H */
