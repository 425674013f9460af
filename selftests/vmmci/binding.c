// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the vmmci device autoloads vmmci.ko by its modalias, is bound to
 * it, negotiated the features the host offers, and the host sees
 * DRIVER_OK (which is what makes vmctl stop a clean shutdown).
 */
#include "vmmci_test.h"

int main(void)
{
	char path[PATH_MAX], buf[128], reply[1024];
	long long st, feat, hostfeat;

	tap_header();
	vmmci_setup();
	tap_plan(4);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/module",
		 vmmci_bdf);
	buf[0] = '\0';
	if (readlink(path, buf, sizeof(buf) - 1) > 0)
		buf[sizeof(buf) - 1] = '\0';
	tap_result(!!strstr(buf, "/vmmci"),
		   "%s bound to the vmmci module", vmmci_bdf);
	if (!strstr(buf, "/vmmci"))
		tap_diag("driver module link: '%s'", buf);

	feat = vmmci_stat("features");
	hostfeat = vmmci_stat("host_features");
	tap_result(feat == (hostfeat & 7) && hostfeat != LLONG_MIN,
		   "features %#llx = host %#llx & 0x7", feat, hostfeat);

	if (hostctl_vmctl("status", reply, sizeof(reply)) != 0) {
		tap_skip("no host channel: cannot ask the host model");
		tap_skip("no host channel");
		tap_finish();
	}
	tap_diag("host: %s", reply);
	if (hostctl_kv(reply, "status", &st))
		st = -1;
	tap_result(st >= 0 && (st & 0x4), "host sees DRIVER_OK (status %#llx)",
		   st);
	if (hostctl_kv(reply, "features", &hostfeat))
		hostfeat = -1;
	tap_result(hostfeat == feat,
		   "host sees guest features %#llx", hostfeat);
	tap_finish();
}
