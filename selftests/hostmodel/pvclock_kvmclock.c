// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the host model's pvclock pages are right, checked with the
 * kernel's own pvclock reader: on a host with the KVM leaf (vmm 1.64,
 * -cpu ...,openbsd-vmm-kvm-leaf=on) in-tree kvm-clock registers every
 * vCPU's page through MSR 0x4b564d01, the host keeps them updated, guest
 * CLOCK_MONOTONIC built on them runs at the host's rate and never goes
 * back, and the wall clock MSR was served. -t SECONDS: how long to watch
 * (3).
 */
#include "hm_util.h"

#define CS "/sys/devices/system/clocksource/clocksource0/"

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = !!fgets(buf, len, f);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

static long long cpu_updates(const char *status, int cpu, int *enabled)
{
	char key[16];
	const char *p;
	long long v = -1;

	snprintf(key, sizeof(key), "cpu%d ", cpu);
	p = strstr(status, key);
	*enabled = 0;
	if (!p)
		return -1;
	if (hostctl_kv(p, "enabled", &v) == 0)
		*enabled = v;
	if (hostctl_kv(p, "updates", &v))
		v = -1;
	return v;
}

int main(int argc, char **argv)
{
	char avail[256], cur[64], st[1024], st2[1024];
	long long g0, g1, h0, h1, dg, dh, rtt, rtt1, prev, now, back = 0, wall = -1;
	long long u0, u1;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), c, en, all = 1, opt;
	long long secs = 3, worst = 0;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't')
			secs = atoll(optarg);
		else
			return TAP_FAIL;
	}

	tap_header();
	if (read_line(CS "available_clocksource", avail, sizeof(avail)))
		tap_bail("no clocksource sysfs");
	if (!strstr(avail, "kvm-clock"))
		tap_skip_all("no kvm-clock (clocksources: %s): needs the KVM leaf",
			     avail);
	if (hostctl_vmctl("pvclock status", st, sizeof(st)))
		tap_skip_all("needs the host model (vmctl pvclock status)");
	tap_plan(5);

	read_line(CS "current_clocksource", cur, sizeof(cur));
	if (strcmp(cur, "kvm-clock")) {
		FILE *f = fopen(CS "current_clocksource", "w");

		tap_diag("current clocksource %s, switching to kvm-clock", cur);
		if (f) {
			fputs("kvm-clock", f);
			fclose(f);
		}
	}

	pv_sleep_ms(300);
	hostctl_vmctl("pvclock status", st2, sizeof(st2));
	for (c = 0; c < ncpu; c++) {
		u0 = cpu_updates(st, c, &en);
		u1 = cpu_updates(st2, c, &en);
		tap_diag("cpu%d enabled=%d updates %lld -> %lld", c, en, u0, u1);
		if (!en || u1 <= u0)
			all = 0;
	}
	tap_result(all, "all %d vCPUs registered, pages updated", ncpu);

	hostctl_kv(st2, "wall_writes", &wall);
	tap_result(wall > 0, "wall clock MSR served (%lld writes)", wall);

	/* rate: -t s of guest CLOCK_MONOTONIC against host CLOCK_REALTIME */
	/*
	 * The host reads its clock somewhere inside each round trip: the
	 * midpoint is right to half the round trip, which a busy machine
	 * stretches, so that much more is allowed below.
	 */
	g0 = pv_now_ns(CLOCK_MONOTONIC);
	h0 = hostctl_time_ns();
	rtt = pv_now_ns(CLOCK_MONOTONIC) - g0;
	g0 += rtt / 2;
	prev = pv_now_ns(CLOCK_MONOTONIC);
	while ((now = pv_now_ns(CLOCK_MONOTONIC)) - g0 < secs * 1000000000LL) {
		if (now < prev) {
			if (back++ < 10)
				tap_diag("back %lld ns at %lld ns", prev - now,
					 now - g0);
			if (prev - now > worst)
				worst = prev - now;
		}
		prev = now;
	}
	g1 = pv_now_ns(CLOCK_MONOTONIC);
	h1 = hostctl_time_ns();
	rtt1 = pv_now_ns(CLOCK_MONOTONIC) - g1;
	g1 += rtt1 / 2;
	tap_result(back == 0, "CLOCK_MONOTONIC never went back (%lld times, worst %lld ns)",
		   back, worst);
	dg = g1 - g0;
	dh = h1 - h0;
	tap_diag("guest %lld ns, host %lld ns, diff %lld ns, round trips %lld and %lld ns",
		 dg, dh, dg - dh, rtt, rtt1);
	tap_result(h0 && h1 &&
		   llabs(dg - dh) < 30000000LL * (secs + 2) / 5 + (rtt + rtt1) / 2,
		   "guest clock kept the host's rate (%+.3f%%)",
		   dh ? 100.0 * (dg - dh) / dh : 0.0);

	if (hostctl_vmctl("pvclock status", st2, sizeof(st2)) == 0)
		tap_diag("host: %s", st2);
	read_line(CS "current_clocksource", cur, sizeof(cur));
	tap_result(!strcmp(cur, "kvm-clock"), "kvm-clock is current (%s)", cur);
	tap_finish();
}
