// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: CPU hotplug keeps the per-CPU registration right. Taking a CPU
 * offline clears its pvclock MSR (driver: live=0, disables+1; host model:
 * enabled=0) and bringing it back registers it again (live=1,
 * registrations+1, host enabled=1), N cycles, while a reader on CPU0
 * never sees time go backwards. On kvm-clock's pages (vmm 1.64 host) the
 * registration is kvm-clock's: the host sees it follow the CPU as above,
 * and the driver writes no MSR at all (its counters stay 0).
 *
 * Usage: hotplug [-c CYCLES]   (default 10)
 */
#include "vmm_clock_util.h"

static volatile int stop;

/* Field @key of "cpuN ..." in the driver's debugfs cpus file, or -1. */
static long cpu_field(int cpu, const char *key)
{
	char buf[8192], tag[16], *line, *p;

	if (pv_read_file(VCU_DEBUGFS "/cpus", buf, sizeof(buf)))
		return -1;
	snprintf(tag, sizeof(tag), "cpu%d ", cpu);
	line = strstr(buf, tag);
	if (!line)
		return -1;
	p = strstr(line, key);
	if (!p || (strchr(line, '\n') && p > strchr(line, '\n')))
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

/* Host model's "enabled=" for @cpu; -1 without a host. */
static int host_enabled(int cpu)
{
	char reply[1024], tag[16], *p;

	if (vcu_host("vmctl pvclock status", reply, sizeof(reply)) == -1)
		return -1;
	snprintf(tag, sizeof(tag), "cpu%d ", cpu);
	p = strstr(reply, tag);
	p = p ? strstr(p, "enabled=") : NULL;
	return p ? p[8] == '1' : -2;
}

static int set_online(int cpu, int on)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return pv_write_file(path, on ? "1" : "0");
}

int main(int argc, char **argv)
{
	int cycles = 10, opt, c, cpu, bad_off = 0, bad_on = 0, bad_host = 0;
	struct vcu_reader *r;
	long regs, dis;
	long long fb0;
	int kvm;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt == 'c')
			cycles = atoi(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_require_current();
	cpu = vcu_ncpus() - 1;
	if (cpu < 1)
		tap_skip_all("needs 2 CPUs");
	if (access("/sys/devices/system/cpu/cpu1/online", W_OK))
		tap_skip_all("CPU hotplug not available");
	tap_plan(4);
	kvm = vcu_on_kvm_pages();

	/* One reader, on CPU0, which stays online. */
	fb0 = vcu_status("fallback_reads");
	r = calloc(1, sizeof(*r));
	if (!r)
		tap_bail("out of memory");
	r->cpu = 0;
	r->stop = &stop;
	pthread_create(&r->thread, NULL, vcu_reader_main, r);

	for (c = 0; c < cycles; c++) {
		regs = cpu_field(cpu, "registrations=");
		dis = cpu_field(cpu, "disables=");
		if (set_online(cpu, 0)) {
			tap_diag("cycle %d: offline failed", c);
			bad_off++;
			break;
		}
		if (kvm ? cpu_field(cpu, "disables=") != 0 :
			  (cpu_field(cpu, "live=") != 0 ||
			   cpu_field(cpu, "disables=") != dis + 1)) {
			tap_diag("cycle %d: after offline live=%ld disables=%ld (was %ld)",
				 c, cpu_field(cpu, "live="),
				 cpu_field(cpu, "disables="), dis);
			bad_off++;
		}
		if ((c == 0 || c == cycles - 1) && host_enabled(cpu) > 0) {
			tap_diag("cycle %d: host still writes cpu%d's page", c, cpu);
			bad_host++;
		}
		if (set_online(cpu, 1)) {
			tap_diag("cycle %d: online failed", c);
			bad_on++;
			break;
		}
		if (kvm ? cpu_field(cpu, "registrations=") != 0 :
			  (cpu_field(cpu, "live=") != 1 ||
			   cpu_field(cpu, "registrations=") != regs + 1)) {
			tap_diag("cycle %d: after online live=%ld registrations=%ld (was %ld)",
				 c, cpu_field(cpu, "live="),
				 cpu_field(cpu, "registrations="), regs);
			bad_on++;
		}
		if ((c == 0 || c == cycles - 1) && host_enabled(cpu) == 0) {
			tap_diag("cycle %d: host not writing cpu%d's page", c, cpu);
			bad_host++;
		}
	}
	stop = 1;
	pthread_join(r->thread, NULL);
	tap_diag("cpu0 reads %llu backward %llu worst %lld ns", r->reads,
		 r->backward, (long long)r->worst_ns);
	/* Reads on cpu1 before its cpuhp callback ran use cpu0's page. */
	tap_diag("fallback reads during the cycles: %lld",
		 vcu_status("fallback_reads") - fb0);
	tap_result(!bad_off, "offline clears cpu%d's registration (%d cycles)%s",
		   cpu, c, kvm ? " (kvm-clock's; we wrote no MSR)" : "");
	tap_result(!bad_on, "online registers cpu%d again%s", cpu,
		   kvm ? " (kvm-clock's; we wrote no MSR)" : "");
	tap_result(!bad_host, "host model agrees (MSR off while offline, on after)");
	tap_result(!r->backward, "no backward step across hotplug");
	free(r);
	set_online(cpu, 1);
	tap_finish();
}
