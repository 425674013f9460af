// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a console port whose hvc setup fails stays an ordinary port:
 * its /dev/vportNpM opens. The driver is reloaded with fault_inject=4,
 * which makes the console attach fail.
 */
#include <errno.h>

#include "vcon_util.h"

int main(int argc, char **argv)
{
	const char *name = "pvkit.con";
	char dev[300];
	int fd, err;

	vcon_port_args(argc, argv, &name, NULL, NULL);
	tap_header();
	vcon_setup(false, VCON_PORT_NAME, dev, sizeof(dev));
	tap_plan(2);
	if (vcon_sh("rmmod %s", vcon_module()) ||
	    vcon_sh("modprobe %s fault_inject=4", vcon_module()))
		tap_bail("cannot reload with fault_inject=4");
	if (vcon_find_port(name, dev, sizeof(dev), 10))
		tap_bail("no port %s after the reload", name);
	usleep(500 * 1000);
	tap_result(system("dmesg | grep -q 'no console: -12'") == 0,
		   "the console attach failed (fault_inject=4)");
	fd = open(dev, O_RDWR);
	err = errno;
	tap_result(fd >= 0, "%s (%s) opens after its console failed: %s",
		   dev, name, fd >= 0 ? "ok" : strerror(err));
	if (fd >= 0)
		close(fd);
	if (vcon_sh("rmmod %s", vcon_module()) ||
	    vcon_sh("modprobe %s", vcon_module()))
		tap_bail("cannot reload without the fault");
	tap_finish();
}
