// SPDX-License-Identifier: GPL-2.0
/*
 * Bench (never fails on speed): guest->host and host->guest MB/s and the
 * round-trip latency of small writes through an echoing host, for
 * Debian's in-tree driver and ours in the same VM. Prints the numbers and
 * our/in-tree ratios of the medians of -k interleaved runs each (default
 * 4) as "# " lines.
 */
#include <errno.h>
#include <sys/resource.h>

#include "vcon_util.h"

struct bench_res {
	double g2h, h2g, rtt_med, rtt_p99;
	double g2h_irqs, g2h_sys;	/* per MiB sent: interrupts, CPU us */
};

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

/* This process's system CPU time, in microseconds. */
static double bench_sys_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bench_g2h(const char *dev, const char *sock, size_t total,
			struct bench_res *res)
{
	static char buf[32768];
	char req[256], reply[256];
	unsigned long long got, irqs;
	unsigned int crc;
	size_t sent = 0;
	double secs, sys;
	int fd;

	snprintf(req, sizeof(req), "spawn vcon_peer.py sink %s %zu bg%d", sock,
		 total, getpid() + rand());
	vcon_host(req, NULL, 0, 10000);
	strcpy(req, strrchr(req, ' ') + 1);
	fd = open(dev, O_RDWR);
	if (fd < 0 || vcon_wait_host(fd, 20))
		tap_bail("g2h: no host");
	memset(buf, 'b', sizeof(buf));
	irqs = bench_virtio_irqs();
	sys = bench_sys_us();
	while (sent < total) {
		ssize_t w = write(fd, buf, total - sent < sizeof(buf) ?
				  total - sent : sizeof(buf));
		if (w <= 0)
			tap_bail("g2h write: %s", strerror(errno));
		sent += w;
	}
	res->g2h_sys = (bench_sys_us() - sys) / (total >> 20);
	snprintf(reply, sizeof(reply), "run vcon_peer.py result %s 600", req);
	vcon_host(reply, reply, sizeof(reply), 620000);
	res->g2h_irqs = (double)(bench_virtio_irqs() - irqs) / (total >> 20);
	close(fd);
	if (sscanf(reply, "%llu %x %lf", &got, &crc, &secs) != 3 || secs <= 0)
		tap_bail("g2h: bad reply '%s'", reply);
	return got / secs / 1e6;
}

static double bench_h2g(const char *dev, const char *sock, size_t total)
{
	static char buf[65536];
	char req[256], tag[32];
	size_t got = 0;
	double t0 = 0;
	int fd;

	snprintf(tag, sizeof(tag), "bh%d", getpid() + rand());
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("h2g: open: %s", strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py source %s %zu %s", sock,
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
		if (!got)
			t0 = vcon_now();
		got += r;
	}
	t0 = vcon_now() - t0;
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

static void bench_driver(bool intree, const char *name, const char *sock,
			 size_t total, int rounds, struct bench_res *res)
{
	char dev[300];

	if (vcon_load_driver(intree) || vcon_driver_is_ours() == intree)
		tap_bail("cannot load the %s driver", intree ? "in-tree" : "pvkit");
	if (vcon_find_port(name, dev, sizeof(dev), 10))
		tap_bail("no port %s", name);
	res->g2h = bench_g2h(dev, sock, total, res);
	res->h2g = bench_h2g(dev, sock, total);
	bench_rtt(dev, sock, rounds, res);
	tap_diag("%-8s guest->host %7.1f MB/s (%5.1f irqs, %6.0f us sys per "
		 "MiB)  host->guest %7.1f MB/s  64-byte echo rtt median %4.0f us "
		 "p99 %4.0f us", intree ? "in-tree" : "pvkit", res->g2h,
		 res->g2h_irqs, res->g2h_sys, res->h2g, res->rtt_med,
		 res->rtt_p99);
}

#define BENCH_MAX_RUNS 16

static double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of each figure over @n runs, into @out. */
static void bench_summary(struct bench_res *runs, int n, struct bench_res *out)
{
	double g[BENCH_MAX_RUNS], h[BENCH_MAX_RUNS], m[BENCH_MAX_RUNS];
	double p[BENCH_MAX_RUNS], q[BENCH_MAX_RUNS], c[BENCH_MAX_RUNS];
	int i;

	for (i = 0; i < n; i++) {
		g[i] = runs[i].g2h;
		h[i] = runs[i].h2g;
		m[i] = runs[i].rtt_med;
		p[i] = runs[i].rtt_p99;
		q[i] = runs[i].g2h_irqs;
		c[i] = runs[i].g2h_sys;
	}
	out->g2h = bench_median(g, n);
	out->h2g = bench_median(h, n);
	out->rtt_med = bench_median(m, n);
	out->rtt_p99 = bench_median(p, n);
	out->g2h_irqs = bench_median(q, n);
	out->g2h_sys = bench_median(c, n);
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
	tap_diag("median of %d: in-tree %.1f / %.1f MB/s, rtt %.0f us; pvkit "
		 "%.1f / %.1f MB/s, rtt %.0f us", runs, in.g2h, in.h2g,
		 in.rtt_med, ours.g2h, ours.h2g, ours.rtt_med);
	tap_result(n_in == runs, "in-tree measured %d times", n_in);
	tap_result(n_ours == runs, "pvkit measured %d times", n_ours);
	tap_diag("guest->host per MiB: in-tree %.1f irqs, %.0f us sys; pvkit "
		 "%.1f irqs, %.0f us sys", in.g2h_irqs, in.g2h_sys,
		 ours.g2h_irqs, ours.g2h_sys);
	tap_diag("ratio pvkit/in-tree: guest->host %.2f  host->guest %.2f  "
		 "rtt median %.2f", ours.g2h / in.g2h, ours.h2g / in.h2g,
		 ours.rtt_med / in.rtt_med);
	tap_finish();
}
