// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a virtconsole port is an hvc console: text written to /dev/hvc0
 * reaches the host's chardev file, and with console=hvc0 on the command
 * line kernel messages go there too (hvc_alloc finds the console= slot
 * even though the device comes from a module). "-p -": a device without
 * multiport (max_ports=1), whose port 0 is the console.
 */
#include <errno.h>

#include "vcon_util.h"

static bool hvc_cmdline_has(const char *word)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, word);
}

int main(int argc, char **argv)
{
	const char *name = "pvkit.con", *file = "hvc.log";
	char dev[300], req[256], marker[64];
	int fd, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") && i + 1 < argc)
			file = argv[++i];
		else if (!strcmp(argv[i], "-p") && i + 1 < argc)
			name = argv[++i];
	}
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(2);
	/* hvc0 appears once the module's console port registered it. */
	for (i = 0; i < 50 && access("/dev/hvc0", F_OK); i++)
		usleep(100 * 1000);

	snprintf(marker, sizeof(marker), "pvkit-hvc-%d", getpid());
	fd = open("/dev/hvc0", O_WRONLY | O_NOCTTY);
	if (fd < 0)
		tap_bail("open /dev/hvc0: %s", strerror(errno));
	if (dprintf(fd, "%s\n", marker) < 0)
		tap_bail("write /dev/hvc0: %s", strerror(errno));
	close(fd);
	snprintf(req, sizeof(req), "run vcon_peer.py file-has %s %s 20", file,
		 marker);
	tap_result(hostctl(req, NULL, 0, 30000) == 0,
		   "'%s' written to /dev/hvc0 reaches the host file", marker);

	if (!hvc_cmdline_has("console=hvc0")) {
		tap_skip("console=hvc0 is not on the command line");
		tap_finish();
	}
	strcat(marker, "-kmsg");
	tap_result(vcon_printk_reaches(file, marker, 20),
		   "printk reaches the host through console=hvc0");
	tap_finish();
}
