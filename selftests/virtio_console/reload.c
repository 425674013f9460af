// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the driver unloads and reloads cleanly, -c times (default 50):
 * rmmod is refused while a port is open, succeeds once it is closed, and
 * every reload brings the named port back. The runner fails the test on
 * any WARN/BUG/oops these cycles cause.
 */
#include <errno.h>
#include <sys/syscall.h>

#include "vcon_util.h"

static int reload_rmmod(void)
{
	return syscall(SYS_delete_module, vcon_module(), O_NONBLOCK) ?
	       errno : 0;
}

static long reload_slab_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SUnreclaim: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	int i, cycles = 50, refused = 0, removed = 0, back = 0, err;
	long slab0, slab1;
	char dev[300];

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cycles = atoi(argv[++i]);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(4);
	slab0 = reload_slab_kb();
	for (i = 0; i < cycles; i++) {
		int fd = open(dev, O_RDWR | O_NONBLOCK);

		if (fd < 0) {
			tap_diag("cycle %d: open %s: %s", i, dev,
				 strerror(errno));
			break;
		}
		err = reload_rmmod();
		if ((err == EWOULDBLOCK || err == EBUSY) && vcon_driver_loaded())
			refused++;
		else
			tap_diag("cycle %d: rmmod with the port open: %s", i,
				 err ? strerror(err) : "succeeded");
		close(fd);
		err = reload_rmmod();
		if (!err && !vcon_driver_loaded())
			removed++;
		else
			tap_diag("cycle %d: rmmod: %s", i, strerror(err));
		if (vcon_load_driver(false) == 0 &&
		    vcon_find_port(name, dev, sizeof(dev), 10) == 0)
			back++;
		else
			tap_diag("cycle %d: port %s did not come back", i, name);
	}
	slab1 = reload_slab_kb();
	tap_diag("unreclaimable slab %ld kB -> %ld kB after %d cycles", slab0,
		 slab1, cycles);
	tap_result(refused == cycles, "rmmod refused while a port is open "
		   "(%d/%d)", refused, cycles);
	tap_result(removed == cycles, "rmmod succeeds once closed (%d/%d)",
		   removed, cycles);
	tap_result(back == cycles, "the named port returns on every load "
		   "(%d/%d)", back, cycles);
	/* A leak of a port or device per cycle would be tens of kB each. */
	tap_result(slab1 - slab0 < 1024, "no slab growth above 1 MiB over "
		   "%d cycles (%+ld kB)", cycles, slab1 - slab0);
	tap_finish();
}
