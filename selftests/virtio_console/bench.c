// SPDX-License-Identifier: GPL-2.0
/*
 * Bench (never fails on speed): guest->host MB/s for 64-byte, 64 KiB and
 * 1 MiB writes, host->guest MB/s and the round-trip latency of small
 * writes through an echoing host, for Debian's in-tree driver and ours in
 * the same VM, with what each cost per MiB: kicks (a kprobe on the PCI
 * transport's vp_notify), virtio interrupts, guest kernel time, and for ours
 * its debugfs counters and the memory the open port holds. Prints the
 * numbers, the spread of the run pairs' ratios and our/in-tree ratios of
 * the medians of -k interleaved runs each (default 4) as "# " lines. The
 * host peer drains and sprays without checksums (integrity.c checks the
 * data), so the host side costs as little as a Python peer can.
 */
#include <errno.h>
#include <sys/mount.h>

#include "vcon_util.h"

/* Per MiB moved: what each direction cost the guest. */
struct bench_cost {
	double kicks;		/* vp_notify() calls, any driver */
	double irqs;		/* virtio interrupts, /proc/interrupts */
	double sys_us;		/* guest system+irq+softirq time, all CPUs */
	double our_kicks;	/* ours only: debugfs kicks + in_kicks */
	double our_intrs;	/* ours only: debugfs out_intrs + in_intrs */
	double our_bufs;	/* ours only: debugfs out_bufs + in_bufs */
};

#define BENCH_SIZES 3
static const size_t bench_wsize[BENCH_SIZES] = { 64, 65536, 1 << 20 };

struct bench_res {
	double g2h[BENCH_SIZES], h2g, rtt_med, rtt_p99;
	struct bench_cost g2h_cost[BENCH_SIZES], h2g_cost;
	double mem;		/* ours: bytes the open port held, at most */
};

struct bench_cnt {
	unsigned long long kicks, irqs, ticks;
	unsigned long long our_kicks, our_intrs, our_bufs;
};

static char bench_dbg[300];	/* our port's debugfs file, or "" */

/* Interrupts taken so far by every virtio vector, on all CPUs. */
static unsigned long long bench_virtio_irqs(void)
{
	unsigned long long sum = 0, n;
	char line[1024], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!strstr(line, "virtio") || !p)
			continue;
		for (p++;; p = end) {
			n = strtoull(p, &end, 10);
			if (end == p)
				break;
			sum += n;
		}
	}
	if (f)
		fclose(f);
	return sum;
}

/* Kernel time of all CPUs (system, irq, softirq), in USER_HZ ticks. */
static unsigned long long bench_sys_ticks(void)
{
	unsigned long long v[7] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
			memset(v, 0, sizeof(v));
		fclose(f);
	}
	return v[2] + v[5] + v[6];
}

#define BENCH_TRACE "/sys/kernel/tracing/"

/*
 * Count notifications with a kprobe (its hit count in kprobe_profile;
 * tracing itself stays off), so the in-tree driver's kicks are counted
 * the same way as ours.
 */
static int bench_kprobe_add(const char *def)
{
	int fd = open(BENCH_TRACE "kprobe_events", O_WRONLY | O_APPEND);
	int ret = -1;

	if (fd >= 0) {
		ret = write(fd, def, strlen(def)) == (ssize_t)strlen(def) ? 0 : -1;
		close(fd);
	}
	return ret;
}

static void bench_kprobe_setup(void)
{
	if (mount("tracefs", BENCH_TRACE, "tracefs", 0, NULL) && errno != EBUSY)
		tap_diag("tracefs: %s", strerror(errno));
	/*
	 * The PCI transport's notify: reached through a function pointer,
	 * so no caller inlines it (virtqueue_kick() calls virtqueue_notify()
	 * inside virtio_ring). A module on Debian's kernels.
	 */
	if (bench_kprobe_add("p:pvkit_kick virtio_pci:vp_notify\n") &&
	    bench_kprobe_add("p:pvkit_kick vp_notify\n"))
		tap_diag("no kprobe on vp_notify (%s): kicks not counted",
			 strerror(errno));
	vcon_sh("echo 0 > " BENCH_TRACE "tracing_on; echo 1 > %s", BENCH_TRACE
		"events/kprobes/pvkit_kick/enable");
}

static unsigned long long bench_kicks(void)
{
	unsigned long long n = 0;
	char line[256], name[64];
	FILE *f = fopen(BENCH_TRACE "kprobe_profile", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", name, &n) == 2 &&
		    !strcmp(name, "pvkit_kick"))
			break;
	if (f)
		fclose(f);
	return n;
}

/* A counter of our port's debugfs file, 0 without one. */
static unsigned long long bench_dbg_get(const char *key)
{
	unsigned long long v = 0, n;
	char line[256], k[64];
	FILE *f = bench_dbg[0] ? fopen(bench_dbg, "r") : NULL;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", k, &n) == 2 && !strcmp(k, key))
			v = n;
	if (f)
		fclose(f);
	return v;
}

static void bench_count(struct bench_cnt *c)
{
	c->kicks = bench_kicks();
	c->irqs = bench_virtio_irqs();
	c->ticks = bench_sys_ticks();
	c->our_kicks = bench_dbg_get("kicks") + bench_dbg_get("in_kicks");
	c->our_intrs = bench_dbg_get("out_intrs") + bench_dbg_get("in_intrs");
	c->our_bufs = bench_dbg_get("out_bufs") + bench_dbg_get("in_bufs");
}

static void bench_cost(const struct bench_cnt *a, size_t bytes,
		       struct bench_cost *cost)
{
	struct bench_cnt b;
	double mib = (double)bytes / (1 << 20);

	bench_count(&b);
	cost->kicks = (b.kicks - a->kicks) / mib;
	cost->irqs = (b.irqs - a->irqs) / mib;
	cost->sys_us = (b.ticks - a->ticks) * 1e6 / sysconf(_SC_CLK_TCK) / mib;
	cost->our_kicks = (b.our_kicks - a->our_kicks) / mib;
	cost->our_intrs = (b.our_intrs - a->our_intrs) / mib;
	cost->our_bufs = (b.our_bufs - a->our_bufs) / mib;
}

static double bench_mem(void)
{
	unsigned long long v = 0, n;
	char line[256], k[64];
	FILE *f = bench_dbg[0] ? fopen(bench_dbg, "r") : NULL;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", k, &n) == 2 && !strncmp(k, "mem_", 4))
			v += n;
	if (f)
		fclose(f);
	return v;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bench_g2h(const char *dev, const char *sock, size_t total,
			size_t wsize, struct bench_cost *cost, double *mem)
{
	static char buf[1 << 20];
	char req[256], reply[256];
	unsigned long long got;
	struct bench_cnt c;
	unsigned int crc;
	size_t sent = 0;
	double secs;
	int fd;

	snprintf(req, sizeof(req), "spawn vcon_peer.py drain %s %zu bg%d", sock,
		 total, getpid() + rand());
	vcon_host(req, NULL, 0, 10000);
	strcpy(req, strrchr(req, ' ') + 1);
	fd = open(dev, O_RDWR);
	if (fd < 0 || vcon_wait_host(fd, 20))
		tap_bail("g2h: no host");
	memset(buf, 'b', sizeof(buf));
	bench_count(&c);
	while (sent < total) {
		ssize_t w = write(fd, buf, total - sent < wsize ?
				  total - sent : wsize);
		if (w <= 0)
			tap_bail("g2h write: %s", strerror(errno));
		/* Sampled each 4 MiB: reading debugfs costs the writer. */
		if (sent >> 22 != (sent + w) >> 22 && *mem < bench_mem())
			*mem = bench_mem();
		sent += w;
	}
	snprintf(reply, sizeof(reply), "run vcon_peer.py result %s 600", req);
	vcon_host(reply, reply, sizeof(reply), 620000);
	bench_cost(&c, total, cost);
	close(fd);
	if (sscanf(reply, "%llu %x %lf", &got, &crc, &secs) != 3 || secs <= 0)
		tap_bail("g2h: bad reply '%s'", reply);
	return got / secs / 1e6;
}

static double bench_h2g(const char *dev, const char *sock, size_t total,
			struct bench_cost *cost)
{
	static char buf[65536];
	char req[256], tag[32];
	struct bench_cnt c;
	size_t got = 0;
	double t0 = 0;
	int fd;

	snprintf(tag, sizeof(tag), "bh%d", getpid() + rand());
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("h2g: open: %s", strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py spray %s %zu %s", sock,
		 total, tag);
	vcon_host(req, NULL, 0, 10000);
	while (got < total) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			tap_bail("h2g read: %s", strerror(errno));
		if (r == 0) {	/* not connected yet */
			usleep(10000);
			continue;
		}
		if (!got) {
			t0 = vcon_now();
			bench_count(&c);
		}
		got += r;
	}
	t0 = vcon_now() - t0;
	bench_cost(&c, total, cost);
	if (write(fd, "k", 1) != 1)
		tap_diag("h2g ack: %s", strerror(errno));
	snprintf(req, sizeof(req), "run vcon_peer.py result %s 600", tag);
	vcon_host(req, NULL, 0, 620000);
	close(fd);
	return got / t0 / 1e6;
}

static void bench_rtt(const char *dev, const char *sock, int rounds,
		      struct bench_res *res)
{
	double *rtt = calloc(rounds, sizeof(*rtt));
	char req[256], buf[64];
	int fd, i;

	fd = open(dev, O_RDWR);
	if (!rtt || fd < 0)
		tap_bail("rtt: open: %s", strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py echo %s %zu", sock,
		 (size_t)rounds * sizeof(buf));
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("rtt: no host");
	memset(buf, 'e', sizeof(buf));
	for (i = 0; i < rounds; i++) {
		double t = vcon_now();
		size_t got = 0;

		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			tap_bail("rtt write: %s", strerror(errno));
		while (got < sizeof(buf)) {
			ssize_t r = read(fd, buf, sizeof(buf) - got);

			if (r <= 0)
				tap_bail("rtt read: %zd", r);
			got += r;
		}
		rtt[i] = (vcon_now() - t) * 1e6;
	}
	close(fd);
	qsort(rtt, rounds, sizeof(*rtt), bench_cmp);
	res->rtt_med = rtt[rounds / 2];
	res->rtt_p99 = rtt[rounds * 99 / 100];
	free(rtt);
}

static void bench_print_cost(const char *what, const struct bench_cost *c,
			     bool ours)
{
	if (ours)
		tap_diag("  %-12s per MiB: %7.1f kicks %7.1f irqs %7.0f us sys "
			 "(debugfs: %.1f kicks, %.1f intrs, %.1f buffers)",
			 what, c->kicks, c->irqs, c->sys_us, c->our_kicks,
			 c->our_intrs, c->our_bufs);
	else
		tap_diag("  %-12s per MiB: %7.1f kicks %7.1f irqs %7.0f us sys",
			 what, c->kicks, c->irqs, c->sys_us);
}

static void bench_driver(bool intree, const char *name, const char *sock,
			 size_t total, int rounds, struct bench_res *res)
{
	char dev[300], what[32];
	int i;

	if (vcon_load_driver(intree) || vcon_driver_is_ours() == intree)
		tap_bail("cannot load the %s driver", intree ? "in-tree" : "pvkit");
	if (vcon_find_port(name, dev, sizeof(dev), 10))
		tap_bail("no port %s", name);
	/*
	 * The bench and every virtio interrupt on CPU 0, for both drivers:
	 * otherwise where the vectors land decides, through cross-CPU
	 * wakeups on a loaded host, more than the driver does.
	 */
	vcon_cpu(0);
	vcon_place_irqs(0);
	bench_dbg[0] = 0;
	if (!intree)
		snprintf(bench_dbg, sizeof(bench_dbg),
			 "/sys/kernel/debug/%s/%s", vcon_module(),
			 strrchr(dev, '/') + 1);
	res->mem = 0;
	for (i = 0; i < BENCH_SIZES; i++)
		/* 64-byte writes: a 64th of the bytes, in the same time. */
		res->g2h[i] = bench_g2h(dev, sock, i ? total : total / 64 + 64,
					bench_wsize[i], &res->g2h_cost[i],
					&res->mem);
	res->h2g = bench_h2g(dev, sock, total, &res->h2g_cost);
	bench_rtt(dev, sock, rounds, res);
	tap_diag("%-8s guest->host %6.2f / %6.1f / %6.1f MB/s (64 B / 64 KiB / "
		 "1 MiB writes)  host->guest %6.1f MB/s  64-byte echo rtt "
		 "median %4.0f us p99 %5.0f us", intree ? "in-tree" : "pvkit",
		 res->g2h[0], res->g2h[1], res->g2h[2], res->h2g, res->rtt_med,
		 res->rtt_p99);
	for (i = 0; i < BENCH_SIZES; i++) {
		snprintf(what, sizeof(what), "g2h %zu B", bench_wsize[i]);
		bench_print_cost(what, &res->g2h_cost[i], !intree);
	}
	bench_print_cost("h2g", &res->h2g_cost, !intree);
	if (!intree)
		tap_diag("  port memory at most %.0f KiB while writing, %.0f KiB "
			 "after close; %llu chunks allocated, %llu of them single "
			 "pages", res->mem / 1024, bench_mem() / 1024,
			 bench_dbg_get("chunk_allocs"),
			 bench_dbg_get("page_chunks"));
}

#define BENCH_MAX_RUNS 16

static double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define BENCH_COSTS	6	/* figures of a struct bench_cost */

/*
 * Which figure of a run: 0..6 the rates, rtt and memory (7 unused), then
 * BENCH_COSTS cost figures for h2g, then as many for each g2h size.
 */
static double *bench_field(struct bench_res *r, int f)
{
	struct bench_cost *c = f >= 8 && f < 8 + BENCH_COSTS ?
			       &r->h2g_cost : NULL;

	if (f < BENCH_SIZES)
		return &r->g2h[f];
	switch (f) {
	case 3: return &r->h2g;
	case 4: return &r->rtt_med;
	case 5: return &r->rtt_p99;
	case 6: return &r->mem;
	}
	if (!c)
		c = &r->g2h_cost[(f - 8 - BENCH_COSTS) / BENCH_COSTS];
	switch ((f - 8) % BENCH_COSTS) {
	case 0: return &c->kicks;
	case 1: return &c->irqs;
	case 2: return &c->sys_us;
	case 3: return &c->our_kicks;
	case 4: return &c->our_intrs;
	default: return &c->our_bufs;
	}
}

#define BENCH_FIELDS	(8 + BENCH_COSTS * (1 + BENCH_SIZES))

/* The median of each figure over @n runs, into @out. */
static void bench_summary(struct bench_res *runs, int n, struct bench_res *out)
{
	double v[BENCH_MAX_RUNS];
	int i, f;

	for (f = 0; f < BENCH_FIELDS; f++) {
		if (f == 7)
			continue;
		for (i = 0; i < n; i++)
			v[i] = *bench_field(&runs[i], f);
		*bench_field(out, f) = bench_median(v, n);
	}
}

/* Noise: the spread of our/in-tree ratios of the run pairs. */
static void bench_spread(const char *what, const double *a, const double *b,
			 int n)
{
	double r[BENCH_MAX_RUNS];
	int i;

	for (i = 0; i < n; i++)
		r[i] = b[i] ? a[i] / b[i] : 0;
	qsort(r, n, sizeof(*r), bench_cmp);
	tap_diag("  %-22s pair ratios min %.2f median %.2f max %.2f", what,
		 r[0], bench_median(r, n), r[n - 1]);
}

int main(int argc, char **argv)
{
	struct bench_res in_runs[BENCH_MAX_RUNS], our_runs[BENCH_MAX_RUNS];
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	struct bench_res in = { 0 }, ours = { 0 };
	int i, rounds = 2000, runs = 4, n_in = 0, n_ours = 0;
	size_t mib = 64;
	char dev[300];

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			runs = atoi(argv[++i]);
	}
	if (runs < 1 || runs > BENCH_MAX_RUNS || rounds < 1) {
		fprintf(stderr, "usage: bench [-n MiB] [-r rtt_rounds] "
			"[-k runs, 1..%d]\n", BENCH_MAX_RUNS);
		return TAP_FAIL;
	}
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	bench_kprobe_setup();
	tap_plan(2);
	/*
	 * Interleave the drivers (ABBA ABBA ...) and take medians, so a
	 * change of host load during the run does not pick a winner.
	 */
	for (i = 0; i < 2 * runs; i++) {
		bool intree = i % 4 == 0 || i % 4 == 3;

		if (intree)
			bench_driver(true, name, sock, mib << 20, rounds,
				     &in_runs[n_in++]);
		else
			bench_driver(false, name, sock, mib << 20, rounds,
				     &our_runs[n_ours++]);
	}
	bench_summary(in_runs, n_in, &in);
	bench_summary(our_runs, n_ours, &ours);
	tap_result(n_in == runs, "in-tree measured %d times", n_in);
	tap_result(n_ours == runs, "pvkit measured %d times", n_ours);
	tap_diag("median of %d interleaved runs each:", runs);
	tap_diag("  guest->host MB/s     in-tree %6.2f / %6.1f / %6.1f  pvkit "
		 "%6.2f / %6.1f / %6.1f (64 B / 64 KiB / 1 MiB writes)",
		 in.g2h[0], in.g2h[1], in.g2h[2], ours.g2h[0], ours.g2h[1],
		 ours.g2h[2]);
	tap_diag("  host->guest MB/s     in-tree %6.1f  pvkit %6.1f", in.h2g,
		 ours.h2g);
	tap_diag("  64-byte echo rtt us  in-tree %6.0f  pvkit %6.0f", in.rtt_med,
		 ours.rtt_med);
	for (i = 0; i < BENCH_SIZES; i++) {
		char what[32];

		snprintf(what, sizeof(what), "g2h %zu B", bench_wsize[i]);
		tap_diag(" in-tree:");
		bench_print_cost(what, &in.g2h_cost[i], false);
		tap_diag(" pvkit:");
		bench_print_cost(what, &ours.g2h_cost[i], true);
	}
	tap_diag(" in-tree:");
	bench_print_cost("h2g", &in.h2g_cost, false);
	tap_diag(" pvkit:");
	bench_print_cost("h2g", &ours.h2g_cost, true);
	tap_diag("  pvkit port memory while writing: median %.0f KiB",
		 ours.mem / 1024);
	{
		double a[BENCH_MAX_RUNS], b[BENCH_MAX_RUNS];
		static const char * const name[BENCH_SIZES] = {
			"guest->host 64 B", "guest->host 64 KiB",
			"guest->host 1 MiB" };
		int k;

		for (k = 0; k < BENCH_SIZES; k++) {
			for (i = 0; i < runs; i++) {
				a[i] = our_runs[i].g2h[k];
				b[i] = in_runs[i].g2h[k];
			}
			bench_spread(name[k], a, b, runs);
		}
		for (i = 0; i < runs; i++) {
			a[i] = our_runs[i].h2g;
			b[i] = in_runs[i].h2g;
		}
		bench_spread("host->guest", a, b, runs);
		for (i = 0; i < runs; i++) {
			a[i] = our_runs[i].rtt_med;
			b[i] = in_runs[i].rtt_med;
		}
		bench_spread("rtt", a, b, runs);
	}
	tap_diag("ratio pvkit/in-tree: guest->host %.2f (64 B) %.2f (64 KiB) "
		 "%.2f (1 MiB)  host->guest %.2f  rtt median %.2f",
		 ours.g2h[0] / in.g2h[0], ours.g2h[1] / in.g2h[1],
		 ours.g2h[2] / in.g2h[2], ours.h2g / in.h2g,
		 ours.rtt_med / in.rtt_med);
	tap_finish();
}
