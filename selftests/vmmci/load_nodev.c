// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: on a machine without the vmmci device (not vmd) the module loads
 * cleanly, registers its PCI driver, binds nothing, and unloads cleanly
 * (the runner fails the test on any splat in the log).
 */
#include "vmmci_test.h"

int main(void)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int bound = 0;

	tap_header();
	if (!vmmci_find_device())
		tap_skip_all("a vmmci device is present (%s)", vmmci_bdf);
	tap_plan(3);

	tap_result(system("modprobe vmmci") == 0 && !stat(VMMCI_DRV, &st),
		   "modprobe vmmci registers the pci driver");
	d = opendir(VMMCI_DRV);
	while (d && (e = readdir(d)))
		if (strchr(e->d_name, ':'))
			bound++;
	if (d)
		closedir(d);
	tap_result(bound == 0, "no device bound (%d)", bound);
	tap_result(system("rmmod vmmci") == 0 && stat(VMMCI_DRV, &st) != 0,
		   "rmmod vmmci removes it");
	tap_finish();
}
