/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmm_clock selftests: the module, the clocksource
 * sysfs files, the driver's debugfs counters, CPU pinning and the clock
 * reads the claims are about.
 */
#ifndef VMM_CLOCK_UTIL_H
#define VMM_CLOCK_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "hostctl.h"
#include "util.h"

#define VCU_CS_DIR	"/sys/devices/system/clocksource/clocksource0"
#define VCU_CURRENT	VCU_CS_DIR "/current_clocksource"
#define VCU_AVAILABLE	VCU_CS_DIR "/available_clocksource"
#define VCU_DEBUGFS	"/sys/kernel/debug/vmm_clock"
#define VCU_NAME	"vmm-clock"

/* The host's wall clock as the driver's debugfs reads it, ns; -1 if none. */
static inline int64_t vcu_host_now(void)
{
	char buf[256], *p;
	long long sec, nsec;

	if (pv_read_file(VCU_DEBUGFS "/wall_clock", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "host_now ");
	if (!p || sscanf(p + 9, "%lld.%lld", &sec, &nsec) != 2)
		return -1;
	return sec * 1000000000LL + nsec;
}

static inline int vcu_current(char *buf, size_t len)
{
	return pv_read_file(VCU_CURRENT, buf, len);
}

static inline int vcu_set_current(const char *name)
{
	char cur[64];
	int ret = pv_write_file(VCU_CURRENT, name);

	if (ret)
		return ret;
	if (vcu_current(cur, sizeof(cur)) || strcmp(cur, name))
		return -EINVAL;
	return 0;
}

static inline int vcu_available(const char *name)
{
	char buf[512], *tok, *save;

	if (pv_read_file(VCU_AVAILABLE, buf, sizeof(buf)))
		return 0;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, name))
			return 1;
	return 0;
}

/*
 * Make another clocksource current: the first of a preference list that
 * is available and that the kernel accepts (in NOHZ/high-res mode it
 * ignores a write naming a clocksource that is not HRES-capable, such as
 * jiffies). Its name goes to @out; -1 if none would take over.
 */
static inline int vcu_switch_away(char *out, size_t len)
{
	static const char *const pref[] = { "tsc", "kvm-clock", "tsc-early",
					    "hpet", "acpi_pm",
					    "refined-jiffies", "jiffies" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pref); i++) {
		if (vcu_available(pref[i]) && !vcu_set_current(pref[i])) {
			snprintf(out, len, "%s", pref[i]);
			return 0;
		}
	}
	return -1;
}

/* Value of "key value" in the driver's debugfs status; -1 if missing. */
static inline long long vcu_status(const char *key)
{
	char buf[4096], *line, *save;
	size_t klen = strlen(key);

	if (pv_read_file(VCU_DEBUGFS "/status", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 0);
	return -1;
}

/* String value of "key value" in the debugfs status; "" if missing. */
static inline const char *vcu_status_str(const char *key, char *out,
					 size_t len)
{
	char buf[4096], *line, *save;
	size_t klen = strlen(key);

	snprintf(out, len, "%s", "");
	if (pv_read_file(VCU_DEBUGFS "/status", buf, sizeof(buf)))
		return out;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			snprintf(out, len, "%s", line + klen + 1);
			break;
		}
	return out;
}

/* Loaded on the pages of the in-tree kvm-clock (a vmm 1.64 host)? */
static inline int vcu_on_kvm_pages(void)
{
	char pages[32];

	return !strcmp(vcu_status_str("pages", pages, sizeof(pages)),
		       "kvm-clock");
}

/*
 * The host model's pvclock registrations as "cpuN gpa=X enabled=Y;..."
 * (vmctl pvclock status without the counters); -1 without a host.
 */
static inline int vcu_host_regs(char *out, size_t len)
{
	char reply[2048], *p, *e;
	size_t n = 0;

	out[0] = '\0';
	if (hostctl("vmctl pvclock status", reply, sizeof(reply), 20000))
		return -1;
	for (p = reply; (p = strstr(p, "cpu")); p = e) {
		e = strstr(p, " updates=");
		if (!e)
			break;
		if (strncmp(p, "cpu", 3) || !strstr(p, "gpa=") ||
		    strstr(p, "gpa=") > e)
			e = p + 3;
		else
			n += snprintf(out + n, n < len ? len - n : 0, "%.*s;",
				      (int)(e - p), p);
	}
	return 0;
}

static inline int vcu_module_loaded(void)
{
	return access("/sys/module/vmm_clock", F_OK) == 0;
}

/* modprobe with optional parameters; returns modprobe's exit status. */
static inline int vcu_modprobe(const char *params)
{
	char cmd[256];
	int rc;

	snprintf(cmd, sizeof(cmd), "modprobe vmm_clock %s >/dev/null 2>&1",
		 params ? params : "");
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* 0 or -errno; O_NONBLOCK so a busy module fails instead of waiting. */
static inline int vcu_rmmod(void)
{
	if (syscall(SYS_delete_module, "vmm_clock", O_NONBLOCK))
		return -errno;
	return 0;
}

/* finit_module of our .ko (under updates/): 0 or -errno. */
static inline int vcu_finit(const char *params)
{
	char path[256];
	struct utsname u;
	int fd, ret = 0;

	uname(&u);
	snprintf(path, sizeof(path),
		 "/lib/modules/%s/updates/pvkit/vmm_clock.ko", u.release);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* Load (if needed) and make ours current: 0, or skip/bail. */
static inline void vcu_require_current(void)
{
	if (getuid())
		tap_skip_all("needs root");
	if (!vcu_module_loaded() && vcu_modprobe(NULL))
		tap_skip_all("modprobe vmm_clock failed (not a vmm guest?)");
	if (!vcu_available(VCU_NAME))
		tap_bail("%s not in available_clocksource", VCU_NAME);
	if (vcu_set_current(VCU_NAME))
		tap_bail("cannot select %s", VCU_NAME);
}

static inline int vcu_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Host request; NULL reply ok. Returns the host rc or -1 (no host). */
static inline int vcu_host(const char *req, char *reply, size_t len)
{
	char r[1024];
	int rc = hostctl(req, r, sizeof(r), 20000);

	if (reply)
		snprintf(reply, len, "%s", rc == -1 ? "" : r);
	if (rc > 0)
		tap_diag("host: '%s' -> rc %d: %s", req, rc, r);
	return rc;
}

/*
 * Monotonicity readers: one thread pinned per CPU reads CLOCK_MONOTONIC
 * until it did @reads reads (or *stop is set when @reads is 0). Each
 * reading must be >= the thread's previous one, and >= the global maximum
 * published before the read began: that catches one CPU's clock running
 * behind another's.
 */
struct vcu_reader {
	pthread_t thread;
	int cpu;
	unsigned long long reads, target;
	unsigned long long backward;	/* local or cross-CPU inversions */
	int64_t worst_ns;		/* largest inversion */
	int64_t max_gap_ns;		/* longest time between two reads */
	volatile int *stop;
};

static int64_t vcu_global_max;

static inline void *vcu_reader_main(void *arg)
{
	struct vcu_reader *r = arg;
	int64_t prev = 0, t, seen, gap;
	int64_t wall_prev = pv_now_ns(CLOCK_MONOTONIC_RAW);

	vcu_pin(r->cpu);
	while (r->target ? r->reads < r->target : !*r->stop) {
		seen = __atomic_load_n(&vcu_global_max, __ATOMIC_ACQUIRE);
		t = pv_now_ns(CLOCK_MONOTONIC);
		r->reads++;
		if (t < prev || t < seen) {
			int64_t d = (prev > seen ? prev : seen) - t;

			r->backward++;
			if (d > r->worst_ns)
				r->worst_ns = d;
		}
		prev = t;
		while (seen < t &&
		       !__atomic_compare_exchange_n(&vcu_global_max, &seen, t, 0,
						    __ATOMIC_RELEASE,
						    __ATOMIC_ACQUIRE))
			;
		if (!(r->reads & 1023)) {
			int64_t w = pv_now_ns(CLOCK_MONOTONIC_RAW);

			gap = w - wall_prev;
			if (gap > r->max_gap_ns)
				r->max_gap_ns = gap;
			wall_prev = w;
		}
	}
	return NULL;
}

static inline int vcu_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* Start one reader per online CPU; returns the array (ncpus entries). */
static inline struct vcu_reader *vcu_readers_start(unsigned long long reads,
						   volatile int *stop)
{
	int i, n = vcu_ncpus();
	struct vcu_reader *r = calloc(n, sizeof(*r));

	if (!r)
		tap_bail("out of memory");
	for (i = 0; i < n; i++) {
		r[i].cpu = i;
		r[i].target = reads;
		r[i].stop = stop;
		if (pthread_create(&r[i].thread, NULL, vcu_reader_main, &r[i]))
			tap_bail("pthread_create failed");
	}
	return r;
}

/* Join; returns total inversions and prints the evidence. */
static inline unsigned long long vcu_readers_join(struct vcu_reader *r)
{
	unsigned long long bad = 0;
	int i, n = vcu_ncpus();

	for (i = 0; i < n; i++) {
		pthread_join(r[i].thread, NULL);
		tap_diag("cpu%d reads %llu backward %llu worst %lld ns",
			 r[i].cpu, r[i].reads, r[i].backward,
			 (long long)r[i].worst_ns);
		bad += r[i].backward;
	}
	return bad;
}

#endif /* VMM_CLOCK_UTIL_H */
