// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: vmm_clock unloads and reloads cleanly, N cycles, while one thread
 * per CPU reads CLOCK_MONOTONIC: rmmod is refused while vmm-clock
 * is current, succeeds once another clocksource is selected, the host
 * model then reports every vCPU's pvclock MSR disabled, and time never
 * goes backwards. Kernel splats fail the run through the runner. On
 * kvm-clock's pages (vmm 1.64 host) unload must leave kvm-clock's MSR
 * registrations exactly as they were, all enabled.
 * "Refused": delete_module(O_NONBLOCK) on a module with references fails
 * with EWOULDBLOCK (EAGAIN); EBUSY would mean a dependent module.
 *
 * Usage: unload [-c CYCLES]   (default 50)
 */
#include "vmm_clock_util.h"

static volatile int stop;

/* "vmctl pvclock status": every "cpuN ... enabled=0"; -1 without host. */
static int host_all_disabled(char *evidence, size_t len)
{
	char reply[1024], *p;
	int cpus = 0;

	if (vcu_host("vmctl pvclock status", reply, sizeof(reply)) == -1)
		return -1;
	snprintf(evidence, len, "%s", reply);
	for (p = reply; (p = strstr(p, "enabled=")); p += 8) {
		cpus++;
		if (p[8] != '0')
			return 0;
	}
	return cpus > 0;
}

int main(int argc, char **argv)
{
	char other[64], evidence[2560];
	int cycles = 50, opt, c, ret, refused, host_ok = 1, host_checked = 0;
	int load_fail = 0, unload_fail = 0, kvm;
	char regs0[1024] = "", regs1[1024];
	struct vcu_reader *r;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt == 'c')
			cycles = atoi(optarg);
		else
			return TAP_FAIL;
	}
	tap_header();
	vcu_require_current();
	if (vcu_switch_away(other, sizeof(other))) {
		pv_read_file(VCU_AVAILABLE, evidence, sizeof(evidence));
		tap_skip_all("no other clocksource can take over in HRT mode (available: %s)",
			     evidence);
	}
	vcu_set_current(VCU_NAME);
	tap_plan(5);
	kvm = vcu_on_kvm_pages();
	if (kvm)
		vcu_host_regs(regs0, sizeof(regs0));

	ret = vcu_rmmod();
	refused = (ret == -EWOULDBLOCK || ret == -EBUSY) && vcu_module_loaded();
	tap_result(refused, "rmmod refused while current (%d)", ret);
	if (!refused && !vcu_module_loaded())
		vcu_modprobe(NULL);

	r = vcu_readers_start(0, &stop);
	for (c = 0; c < cycles; c++) {
		/*
		 * Pick the other clocksource afresh: the set changes (tsc
		 * replaces tsc-early once its refinement work ran).
		 */
		if (vcu_set_current(VCU_NAME) ||
		    vcu_switch_away(other, sizeof(other))) {
			tap_diag("cycle %d: switching failed", c);
			unload_fail++;
			break;
		}
		ret = vcu_rmmod();
		if (ret || vcu_module_loaded()) {
			tap_diag("cycle %d: rmmod: %d", c, ret);
			unload_fail++;
			break;
		}
		/* Asking the host is slow (serial): first and last cycle. */
		if (c == 0 || c == cycles - 1) {
			int d;

			if (kvm) {
				d = vcu_host_regs(regs1, sizeof(regs1)) ? -1 :
				    (regs0[0] && !strcmp(regs0, regs1) &&
				     !strstr(regs1, "enabled=0"));
				snprintf(evidence, sizeof(evidence),
					 "before %s after %s", regs0, regs1);
			} else {
				d = host_all_disabled(evidence,
						      sizeof(evidence));
			}

			if (d >= 0) {
				host_checked++;
				if (!d) {
					host_ok = 0;
					tap_diag("cycle %d host: %s", c, evidence);
				}
			}
		}
		if (vcu_modprobe(NULL) || !vcu_available(VCU_NAME)) {
			tap_diag("cycle %d: reload failed", c);
			load_fail++;
			break;
		}
	}
	stop = 1;
	tap_result(!unload_fail, "%d unload cycles with another clocksource current",
		   c);
	tap_result(!load_fail, "reloaded each time");
	if (host_checked)
		tap_result(host_ok, kvm ?
			   "host: kvm-clock's registrations untouched by unload (%d checks)" :
			   "host saw every pvclock MSR disabled after unload (%d checks)",
			   host_checked);
	else
		tap_skip("no host channel for vmctl pvclock status");
	tap_result(vcu_readers_join(r) == 0,
		   "no backward step while unloading and reloading");
	free(r);
	if (vcu_module_loaded())
		vcu_set_current(VCU_NAME);
	tap_finish();
}
