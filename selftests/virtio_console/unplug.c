// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: hot-unplugging a port (QMP device_del) wakes a writer blocked on
 * its full queue with ENODEV, poll reports POLLHUP, and the port leaves
 * sysfs. Run last in its VM: the port is gone afterwards.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "vcon_util.h"

int main(int argc, char **argv)
{
	const char *name = "pvkit.p1", *sock = "p1.sock", *id = "vp1";
	volatile unsigned long *progress;
	unsigned long last;
	char dev[300], req[256];
	int fd, i, status = 0;
	struct pollfd p;
	double t, t0;
	pid_t pid;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-i") && i + 1 < argc)
			id = argv[++i];
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(4);
	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py stall %s", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");

	pid = fork();
	if (pid == 0) {
		char buf[4096];

		memset(buf, 'u', sizeof(buf));
		for (;;) {
			if (write(fd, buf, sizeof(buf)) < 0)
				_exit(errno == ENODEV ? 0 : 10 + errno);
			(*progress)++;
		}
	}
	/* Wait until the writer is stuck on the full queue. */
	last = *progress;
	t = vcon_now();
	while (vcon_now() - t < 1.0) {
		usleep(100 * 1000);
		if (*progress != last) {
			last = *progress;
			t = vcon_now();
		}
	}
	tap_diag("writer blocked after %lu writes", last);

	snprintf(req, sizeof(req), "run vcon_peer.py device-del %s", id);
	vcon_host(req, NULL, 0, 30000);
	t0 = vcon_now();
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100 * 1000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		tap_result(0, "blocked writer woken by the unplug (still "
			   "blocked after 10 s)");
	} else {
		tap_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			   "blocked writer gets ENODEV after %.2f s "
			   "(exit %d)", vcon_now() - t0,
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	tap_result(poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP),
		   "poll reports POLLHUP on the unplugged port");
	tap_result(write(fd, "x", 1) < 0 && errno == ENODEV,
		   "later writes fail with ENODEV");
	close(fd);
	tap_result(vcon_find_port(name, dev, sizeof(dev), 2) != 0,
		   "the port left /sys/class/virtio-ports");
	tap_finish();
}
