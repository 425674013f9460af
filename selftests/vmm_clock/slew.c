// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: on a vmm 1.64 host (KVM leaf, so the in-tree kvm-clock owns the
 * pvclock MSR) whose clock slews against the TSC (an OpenBSD host under
 * ntpd's adjtime; host model: vmctl pvclock mul-ppm=N), vmm_clock loaded
 * with no parameter and no boot option becomes the current clocksource
 * and neither user space (CLOCK_MONOTONIC, one reader per CPU) nor the
 * kernel (ktime_get() in a kthread per CPU, the pvkit_ktime test module)
 * ever sees time step backward.
 *
 * First the same VM runs the same readers with the in-tree kvm-clock
 * current and our module not loaded (unloaded first if an earlier test
 * loaded it, and the clocksource choice handed back to the kernel): its
 * backward steps are reported, as the proof that these readers catch the
 * fault (-b: require some).
 * The host's own count of refreshes that moved a page back shows the slew
 * was live in both phases.
 *
 * Usage: slew [-p PPM] [-t SECONDS] [-b]   (default 500 ppm, 3 s)
 */
#include "vmm_clock_util.h"

#define KT_DIR	"/sys/kernel/debug/pvkit_ktime"

static volatile int stop;

struct counts {
	unsigned long long user_reads, user_back;
	unsigned long long kern_reads, kern_back;
	long long user_worst, kern_worst;
	long long host_backsteps;
};

/* Sum of "backsteps=N" over the vCPUs in vmctl pvclock status. */
static long long host_backsteps(void)
{
	char reply[2048], *p;
	long long sum = 0;

	if (vcu_host("vmctl pvclock status", reply, sizeof(reply)))
		return -1;
	for (p = reply; (p = strstr(p, "backsteps=")); p += 10)
		sum += strtoll(p + 10, NULL, 10);
	return sum;
}

static long long kt_result(const char *key)
{
	char buf[4096], *line, *save;
	size_t klen = strlen(key);

	if (pv_read_file(KT_DIR "/result", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	return -1;
}

static void measure(const char *what, int ppm, int seconds, struct counts *c)
{
	char req[64], cur[64], buf[4096];
	struct vcu_reader *r;
	long long hb0, hb1;
	int i, n = vcu_ncpus();

	memset(c, 0, sizeof(*c));
	vcu_current(cur, sizeof(cur));
	snprintf(req, sizeof(req), "vmctl pvclock mul-ppm=%d", ppm);
	if (vcu_host(req, NULL, 0))
		tap_bail("%s failed", req);
	hb0 = host_backsteps();
	if (pv_write_file(KT_DIR "/run", "1"))
		tap_bail("cannot start the in-kernel readers");
	stop = 0;
	__atomic_store_n(&vcu_global_max, 0, __ATOMIC_RELEASE);
	r = vcu_readers_start(0, &stop);
	sleep(seconds);
	stop = 1;
	for (i = 0; i < n; i++) {
		pthread_join(r[i].thread, NULL);
		c->user_reads += r[i].reads;
		c->user_back += r[i].backward;
		if (r[i].worst_ns > c->user_worst)
			c->user_worst = r[i].worst_ns;
		tap_diag("%s user cpu%d reads %llu backward %llu worst %lld ns",
			 what, r[i].cpu, r[i].reads, r[i].backward,
			 (long long)r[i].worst_ns);
	}
	free(r);
	pv_write_file(KT_DIR "/run", "0");
	hb1 = host_backsteps();
	vcu_host("vmctl pvclock mul-ppm=0", NULL, 0);
	if (!pv_read_file(KT_DIR "/result", buf, sizeof(buf))) {
		char *line, *save;

		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "cpu", 3))
				tap_diag("%s kernel %s", what, line);
	}
	c->kern_reads = kt_result("reads");
	c->kern_back = kt_result("backward");
	c->kern_worst = kt_result("worst_ns");
	c->host_backsteps = hb0 >= 0 && hb1 >= 0 ? hb1 - hb0 : -1;
	tap_diag("%s (%s current), %d ppm, %d s, %d CPUs: "
		 "user %llu reads %llu backward (worst %lld ns); "
		 "kernel %llu reads %llu backward (worst %lld ns); "
		 "host refreshes that stepped a page back %lld",
		 what, cur, ppm, seconds, n, c->user_reads, c->user_back,
		 c->user_worst, c->kern_reads, c->kern_back, c->kern_worst,
		 c->host_backsteps);
}

int main(int argc, char **argv)
{
	int ppm = 500, seconds = 3, need_baseline = 0, opt, baseline;
	struct counts kvm, ours;
	char cur[64], pages[32];

	while ((opt = getopt(argc, argv, "p:t:b")) != -1) {
		if (opt == 'p')
			ppm = atoi(optarg);
		else if (opt == 't')
			seconds = atoi(optarg);
		else if (opt == 'b')
			need_baseline = 1;
		else
			return TAP_FAIL;
	}
	tap_header();
	if (getuid())
		tap_skip_all("needs root");
	if (hostctl_open())
		tap_skip_all("needs the host model (vmctl pvclock mul-ppm)");
	if (system("modprobe pvkit_ktime") || access(KT_DIR "/run", W_OK))
		tap_skip_all("no pvkit_ktime test module");
	if (vcu_module_loaded()) {
		if (vcu_set_current("kvm-clock") || vcu_rmmod())
			tap_bail("cannot unload vmm_clock for the baseline");
	}
	/* A lone newline clears the user's choice: the kernel picks again. */
	pv_write_file(VCU_CURRENT, "\n");
	baseline = !vcu_current(cur, sizeof(cur)) && !strcmp(cur, "kvm-clock");
	tap_plan(7);

	if (baseline) {
		measure("kvm-clock", ppm, seconds, &kvm);
		tap_result(kvm.host_backsteps > 0,
			   "host slew live under kvm-clock (%lld backward refreshes)",
			   kvm.host_backsteps);
		if (need_baseline)
			tap_result(kvm.user_back + kvm.kern_back > 0,
				   "the readers catch kvm-clock stepping back (user %llu, kernel %llu)",
				   kvm.user_back, kvm.kern_back);
		else
			tap_result(1, "kvm-clock baseline (reported, not judged): "
				   "user %llu, kernel %llu backward steps",
				   kvm.user_back, kvm.kern_back);
	} else {
		tap_skip("no kvm-clock baseline (vmm_clock loaded or kvm-clock not current: %s)",
			 cur);
		tap_skip("no kvm-clock baseline");
	}

	if (!vcu_module_loaded() && vcu_modprobe(NULL))
		tap_bail("modprobe vmm_clock failed");
	vcu_current(cur, sizeof(cur));
	vcu_status_str("pages", pages, sizeof(pages));
	tap_result(!strcmp(cur, VCU_NAME) && vcu_status("rating") == 401 &&
		   !strcmp(pages, "kvm-clock"),
		   "plain modprobe: %s current (rating %lld) on %s pages",
		   cur, vcu_status("rating"), pages);
	measure(VCU_NAME, ppm, seconds, &ours);
	tap_result(ours.host_backsteps > 0,
		   "host slew live under vmm-clock (%lld backward refreshes)",
		   ours.host_backsteps);
	tap_result(ours.user_reads > 0 && ours.user_back == 0,
		   "user space: 0 backward steps in %llu reads (worst %lld ns)",
		   ours.user_reads, ours.user_worst);
	tap_result(ours.kern_reads > 0 && ours.kern_back == 0,
		   "kernel ktime_get: 0 backward steps in %llu reads (worst %lld ns)",
		   ours.kern_reads, ours.kern_worst);
	tap_result(vcu_status("clamps") > 0,
		   "the guard took the host's backward re-anchors (clamps %lld)",
		   vcu_status("clamps"));
	if (baseline)
		tap_diag("summary ppm %d cpus %d kvm-clock user %llu kernel %llu "
			 "vmm-clock user %llu kernel %llu",
			 ppm, vcu_ncpus(), kvm.user_back, kvm.kern_back,
			 ours.user_back, ours.kern_back);
	if (system("rmmod pvkit_ktime"))
		tap_diag("rmmod pvkit_ktime failed");
	tap_finish();
}
