// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a suspend and resume leaves vmm-clock working: timekeeping's
 * suspend disabled a CPU's MSR (disables grew), every CPU is registered
 * again afterwards (live on all CPUs, host model: all enabled), and
 * CLOCK_MONOTONIC moved forward across the sleep. On kvm-clock's pages
 * (vmm 1.64 host) kvm-clock disables and re-registers its own pages: the
 * driver writes no MSR and the host's registrations are the same after.
 *
 * -m mem: suspend to RAM (ACPI S3), woken by the host (host/wakeup.py,
 * QMP system_wakeup); -m freeze: suspend-to-idle, woken by the RTC alarm
 * (QEMU's RTC does not wake s2idle: for real guests only).
 *
 * Usage: suspend [-m mem|freeze] [-s SECONDS]
 */
#include "vmm_clock_util.h"

static long sum_field(const char *key)
{
	char buf[8192], *p;
	long sum = 0;

	if (pv_read_file(VCU_DEBUGFS "/cpus", buf, sizeof(buf)))
		return -1;
	for (p = buf; (p = strstr(p, key)); p += strlen(key))
		sum += strtol(p + strlen(key), NULL, 10);
	return sum;
}

static int host_all_enabled(void)
{
	char reply[1024], *p;
	int cpus = 0;

	if (vcu_host("vmctl pvclock status", reply, sizeof(reply)) == -1)
		return -1;
	for (p = reply; (p = strstr(p, "enabled=")); p += 8) {
		cpus++;
		if (p[8] != '1')
			return 0;
	}
	return cpus == vcu_ncpus();
}

int main(int argc, char **argv)
{
	char states[128], alarm[16], live[64], want[64], buf[4096], *p;
	char regs0[1024], regs1[1024];
	int kvm;
	long dis0, reg0, dis1, reg1;
	const char *mode = "mem";
	int secs = 3, opt, cpu, ret, host;
	int64_t t0, t1;

	while ((opt = getopt(argc, argv, "m:s:")) != -1) {
		if (opt == 's')
			secs = atoi(optarg);
		else if (opt == 'm')
			mode = optarg;
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_require_current();
	if (pv_read_file("/sys/power/state", states, sizeof(states)) ||
	    !strstr(states, mode))
		tap_skip_all("no '%s' in /sys/power/state (%s)", mode, states);
	if (!strcmp(mode, "mem") && hostctl_open())
		tap_skip_all("suspend to RAM needs the host to wake the VM");
	if (strcmp(mode, "mem") &&
	    access("/sys/class/rtc/rtc0/wakealarm", W_OK))
		tap_skip_all("no RTC wake alarm");
	tap_plan(4);
	kvm = vcu_on_kvm_pages();
	vcu_host_regs(regs0, sizeof(regs0));
	dis0 = sum_field("disables=");
	reg0 = sum_field("registrations=");
	if (!strcmp(mode, "mem")) {
		snprintf(alarm, sizeof(alarm), "%d", secs);
		snprintf(buf, sizeof(buf), "spawn wakeup.py %s", alarm);
		if (vcu_host(buf, NULL, 0))
			tap_bail("cannot spawn the host's wakeup");
	} else {
		pv_write_file("/sys/class/rtc/rtc0/wakealarm", "0");
		snprintf(alarm, sizeof(alarm), "+%d", secs);
		if (pv_write_file("/sys/class/rtc/rtc0/wakealarm", alarm))
			tap_bail("cannot arm the RTC alarm");
	}
	t0 = pv_now_ns(CLOCK_MONOTONIC);
	ret = pv_write_file("/sys/power/state", mode);
	t1 = pv_now_ns(CLOCK_MONOTONIC);
	tap_diag("%s returned %d after %.3f s", mode, ret, (t1 - t0) / 1e9);
	/* A read on every CPU: one suspended elsewhere re-registers itself. */
	for (cpu = 0; cpu < vcu_ncpus(); cpu++) {
		vcu_pin(cpu);
		pv_now_ns(CLOCK_MONOTONIC);
	}
	dis1 = sum_field("disables=");
	reg1 = sum_field("registrations=");
	tap_diag("disables %ld -> %ld, registrations %ld -> %ld", dis0, dis1,
		 reg0, reg1);
	if (kvm)
		tap_result(!ret && !dis1 && !reg1,
			   "on kvm-clock's pages: suspend and resume without writing an MSR");
	else
		tap_result(!ret && dis1 > dis0 && reg1 > reg0,
			   "suspend disabled and resume re-registered a CPU");
	pv_read_file(VCU_DEBUGFS "/status", buf, sizeof(buf));
	p = strstr(buf, "live_cpus ");
	snprintf(live, sizeof(live), "%.*s", p ? (int)strcspn(p + 10, "\n") : 0,
		 p ? p + 10 : "");
	if (vcu_ncpus() == 1)
		snprintf(want, sizeof(want), "0");
	else
		snprintf(want, sizeof(want), "0-%d", vcu_ncpus() - 1);
	if (kvm) {
		vcu_host_regs(regs1, sizeof(regs1));
		tap_diag("host registrations before: %s after: %s", regs0,
			 regs1);
		tap_result(regs0[0] && !strcmp(regs0, regs1),
			   "kvm-clock's registrations the same after resume");
	} else {
		tap_result(!strcmp(live, want), "every CPU live again (%s)",
			   live);
	}
	host = host_all_enabled();
	if (host < 0)
		tap_skip("no host channel");
	else
		tap_result(host == 1, "host model writes every CPU's page again");
	tap_result(t1 > t0, "CLOCK_MONOTONIC moved forward across the sleep");
	tap_finish();
}
