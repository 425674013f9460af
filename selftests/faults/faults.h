/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load the fault tests run the host's faults under, all three drivers
 * at once: clock readers on every CPU, a console stream echoed by the host
 * and compared byte for byte, vmmci polling and sampling fast. Each piece
 * keeps its own evidence; the tests read it after each fault.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <x86intrin.h>

#include "../vmmci/vmmci_test.h"
#include "../virtio_console/vcon_util.h"
#include "../vmm_clock/vmm_clock_util.h"

/* ------------------------------------------------------------ clocks */

#define FLT_MAX_CPUS	8

struct flt_reader {
	pthread_t thread;
	int cpu;
	unsigned long long reads;
	unsigned long long own_back;	/* read < this thread's previous one */
	unsigned long long cross_back;	/* read < a value any CPU saw before */
	long long worst_back_ns;
	long long max_gap_ns;		/* longest time between two reads */
	unsigned long long max_read_cycles; /* longest single read, in TSC */
};

static struct flt_reader flt_readers[FLT_MAX_CPUS];
static int flt_nreaders;
static atomic_llong flt_latest;
static atomic_bool flt_stop_readers;

static void *flt_reader_main(void *arg)
{
	struct flt_reader *r = arg;
	long long prev = 0, t, seen, gap;
	unsigned long long c0, c1;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!atomic_load(&flt_stop_readers)) {
		seen = atomic_load(&flt_latest);
		c0 = __rdtsc();
		t = pv_now_ns(CLOCK_MONOTONIC);
		c1 = __rdtsc();
		if (c1 - c0 > r->max_read_cycles)
			r->max_read_cycles = c1 - c0;
		if (prev && t < prev) {
			r->own_back++;
			if (prev - t > r->worst_back_ns)
				r->worst_back_ns = prev - t;
		}
		if (t < seen) {
			r->cross_back++;
			if (seen - t > r->worst_back_ns)
				r->worst_back_ns = seen - t;
		}
		gap = prev ? t - prev : 0;
		if (gap > r->max_gap_ns)
			r->max_gap_ns = gap;
		prev = t;
		while (seen < t &&
		       !atomic_compare_exchange_weak(&flt_latest, &seen, t))
			;
		r->reads++;
		if (!(r->reads & 1023))
			sched_yield();
	}
	return NULL;
}

static inline void flt_readers_start(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int i;

	flt_nreaders = n < 1 ? 1 : n > FLT_MAX_CPUS ? FLT_MAX_CPUS : n;
	for (i = 0; i < flt_nreaders; i++) {
		flt_readers[i].cpu = i;
		pthread_create(&flt_readers[i].thread, NULL, flt_reader_main,
			       &flt_readers[i]);
	}
}

static inline void flt_readers_stop(void)
{
	int i;

	atomic_store(&flt_stop_readers, true);
	for (i = 0; i < flt_nreaders; i++)
		pthread_join(flt_readers[i].thread, NULL);
}

/* Sums over the readers since the last call; backward steps as a count */
struct flt_clock_sum {
	unsigned long long reads, back, max_read_cycles;
	long long worst_back_ns, max_gap_ns;
};

static inline struct flt_clock_sum flt_clock_take(void)
{
	struct flt_clock_sum s = { 0 };
	int i;

	for (i = 0; i < flt_nreaders; i++) {
		struct flt_reader *r = &flt_readers[i];

		s.reads += r->reads;
		s.back += r->own_back + r->cross_back;
		if (r->worst_back_ns > s.worst_back_ns)
			s.worst_back_ns = r->worst_back_ns;
		if (r->max_gap_ns > s.max_gap_ns)
			s.max_gap_ns = r->max_gap_ns;
		if (r->max_read_cycles > s.max_read_cycles)
			s.max_read_cycles = r->max_read_cycles;
		r->max_gap_ns = 0;
		r->max_read_cycles = 0;
	}
	return s;
}

static inline bool flt_clocksource_is(const char *want)
{
	char cur[64];

	return !pv_read_file("/sys/devices/system/clocksource/clocksource0/"
			     "current_clocksource", cur, sizeof(cur)) &&
	       !strcmp(cur, want);
}

/* ----------------------------------------------------------- kernel log */

/* Lines in the kernel log ring buffer, or -1 */
static inline int flt_klog_lines(void)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1), lines = 0, i;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

/*
 * Kernel log lines from line @from on that contain @what (all with NULL)
 * and @also (if not NULL); the first @show of them as diagnostics.
 */
static inline int flt_klog_grep(int from, const char *what,
				const char *also, int show)
{
	static char buf[1 << 20];
	int n = klogctl(3, buf, sizeof(buf) - 1), line = 0, found = 0;
	char *p = buf, *nl;

	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (*p && (nl = strchr(p, '\n'))) {
		*nl = '\0';
		if (line++ >= from && (!what || strstr(p, what)) &&
		    (!also || strstr(p, also)) && found++ < show)
			tap_diag("kernel: %s", p);
		p = nl + 1;
	}
	return found;
}

/* ----------------------------------------------------------- console */

/*
 * The stream is xorshift32 output from a fixed seed: the reader knows
 * every byte the writer sent without sharing a buffer with it.
 */
struct flt_stream {
	uint32_t x;
	unsigned int have;
	uint32_t word;
};

static inline unsigned char flt_stream_next(struct flt_stream *s)
{
	unsigned char b;

	if (!s->have) {
		s->x ^= s->x << 13;
		s->x ^= s->x >> 17;
		s->x ^= s->x << 5;
		s->word = s->x;
		s->have = 4;
	}
	b = s->word & 0xff;
	s->word >>= 8;
	s->have--;
	return b;
}

static struct {
	int fd;
	char dev[300];
	pthread_t writer, reader;
	atomic_bool stop;
	atomic_ullong written, read;
	unsigned long long limit;
	unsigned long long mismatch_at;	/* offset of the first bad byte + 1 */
	long long max_gap_ns;		/* the reader's longest wait for data */
	unsigned int crc;
	int werr, rerr;
} flt_con = { .fd = -1 };

static void *flt_con_writer(void *arg)
{
	struct flt_stream s = { .x = 0x12345678 };
	unsigned char buf[4096];
	size_t i;
	ssize_t n;

	while (!atomic_load(&flt_con.stop) &&
	       atomic_load(&flt_con.written) + sizeof(buf) <= flt_con.limit) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = flt_stream_next(&s);
		for (i = 0; i < sizeof(buf); i += n) {
			n = write(flt_con.fd, buf + i, sizeof(buf) - i);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				flt_con.werr = n < 0 ? errno : EPIPE;
				return NULL;
			}
			atomic_fetch_add(&flt_con.written, n);
		}
	}
	return NULL;
}

static void *flt_con_reader(void *arg)
{
	struct flt_stream s = { .x = 0x12345678 };
	unsigned char buf[4096];
	long long t, last = pv_now_ns(CLOCK_MONOTONIC);
	ssize_t n, i;

	for (;;) {
		n = read(flt_con.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		t = pv_now_ns(CLOCK_MONOTONIC);
		if (t - last > flt_con.max_gap_ns)
			flt_con.max_gap_ns = t - last;
		last = t;
		if (n <= 0) {
			flt_con.rerr = n < 0 ? errno : EPIPE;
			return NULL;
		}
		for (i = 0; i < n; i++) {
			unsigned long long off = atomic_load(&flt_con.read) + i;

			if (buf[i] != flt_stream_next(&s) &&
			    !flt_con.mismatch_at)
				flt_con.mismatch_at = off + 1;
		}
		flt_con.crc = vcon_crc32(flt_con.crc, buf, n);
		if (atomic_fetch_add(&flt_con.read, n) + n >= flt_con.limit)
			return NULL;
	}
}

/*
 * Our virtio_console, port pvkit.p0, echoed by the host peer for up to
 * @limit bytes.
 */
static inline void flt_con_start(unsigned long long limit)
{
	char *dev = flt_con.dev, req[256];

	flt_con.limit = limit;
	vcon_setup(false, VCON_PORT_NAME, dev, sizeof(flt_con.dev));
	flt_con.fd = open(dev, O_RDWR);
	if (flt_con.fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py echo p0.sock %llu",
		 limit);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(flt_con.fd, 20))
		tap_bail("host peer never connected");
	pthread_create(&flt_con.reader, NULL, flt_con_reader, NULL);
	pthread_create(&flt_con.writer, NULL, flt_con_writer, NULL);
}

/*
 * Where a stalled stream stands: QEMU's view of the port's queues (its
 * first port's, 4 and 5) and the driver's counters.
 */
static inline void flt_con_where(void)
{
	char reply[512], path[400], buf[1024], *line, *save;

	if (!hostctl("run vcon_peer.py queues vs0 4,5", reply, sizeof(reply),
		     10000))
		tap_diag("host: %s", reply);
	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", vcon_module(),
		 strrchr(flt_con.dev, '/') + 1);
	if (pv_read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		tap_diag("guest: %s", line);
}

/*
 * Stop writing, wait up to @secs for the echo of everything written; 1 if
 * every byte came back once and in order.
 */
static inline int flt_con_finish(double secs)
{
	double end = vcon_now() + secs;
	unsigned long long w, r;

	atomic_store(&flt_con.stop, true);
	pthread_join(flt_con.writer, NULL);
	w = atomic_load(&flt_con.written);
	while ((r = atomic_load(&flt_con.read)) < w && vcon_now() < end &&
	       !flt_con.rerr)
		pv_sleep_ms(20);
	if (r != w)
		flt_con_where();
	return tap_result(r == w && !flt_con.mismatch_at && !flt_con.werr,
			  "console: %llu bytes written, %llu echoed, first bad "
			  "byte %lld, crc32 %08x, errors w=%d r=%d, longest "
			  "wait for data %.3f s", w, r,
			  (long long)flt_con.mismatch_at - 1, flt_con.crc,
			  flt_con.werr, flt_con.rerr, flt_con.max_gap_ns / 1e9);
}

/* --------------------------------------------------------------- vmmci */

struct flt_vmmci {
	long long cmds_seen, cmds_acked, cmds_invalid, syncs, samples, irqs;
};

static inline struct flt_vmmci flt_vmmci_take(void)
{
	struct flt_vmmci v = {
		vmmci_stat("cmds_seen"), vmmci_stat("cmds_acked"),
		vmmci_stat("cmds_invalid"), vmmci_stat("syncs"),
		vmmci_stat("samples"), vmmci_stat("irqs"),
	};

	return v;
}

/* vmmci bound, polling every 10 ms and sampling the clock every 100 ms */
static inline void flt_vmmci_start(void)
{
	char reply[1024] = "";
	long long acked;
	int tries;

	vmmci_setup();
	if (vmmci_param("poll_ms", "10") || vmmci_param("timesync_ms", "100"))
		tap_bail("cannot set vmmci's poll_ms/timesync_ms");
	/* the periods are re-read at the next re-arm; a rebind applies them */
	vmmci_bind(0);
	if (vmmci_bind(1) || !vmmci_is_bound())
		tap_bail("vmmci did not bind again");
	/*
	 * The guest boots with the RTC's second: set its clock from the host
	 * now, so that a later step is the fault's doing.
	 */
	for (tries = 0; tries < 5; tries++) {
		pv_sleep_ms(200);
		acked = vmmci_stat("cmds_acked");
		if (hostctl_vmctl("syncrtc", reply, sizeof(reply)))
			tap_bail("vmctl syncrtc: %s", reply);
		vmmci_wait_stat("cmds_acked", acked, 2000);
		pv_sleep_ms(100);
		hostctl_vmctl("status", reply, sizeof(reply));
		tap_diag("first SYNCRTC: acked %lld -> %lld, %lld steps, "
			 "offset %lld ns; host: %s", acked,
			 vmmci_stat("cmds_acked"), vmmci_stat("syncs"),
			 vmmci_stat("offset_ns"), reply);
		if (vmmci_stat("syncs") > 0)
			return;
		/* Set already (an earlier test of this boot): no step needed. */
		if (vmmci_stat("cmds_acked") > acked &&
		    vmmci_stat("samples") > 0 &&
		    llabs(vmmci_stat("offset_ns")) < 1000000)
			return;
	}
	tap_bail("the guest clock was never set from the host");
}

/* vmm_clock: ours, and the clocksource in use */
static inline void flt_clock_driver(void)
{
	if (system("modprobe vmm_clock") != 0)
		tap_bail("cannot load vmm_clock");
	pv_write_file("/sys/devices/system/clocksource/clocksource0/"
		      "current_clocksource", "vmm-clock");
	if (!flt_clocksource_is("vmm-clock"))
		tap_bail("vmm-clock is not the clocksource");
}

/* "vmctl ARGS" with a long wait: a paused guest answers late */
static inline int flt_vmctl(const char *args, char *reply, size_t len,
			    int timeout_ms)
{
	char req[256];

	snprintf(req, sizeof(req), "vmctl %s", args);
	return hostctl(req, reply, len, timeout_ms);
}

#endif /* FAULTS_H */
