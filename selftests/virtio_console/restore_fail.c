// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: after a failed restore (fault_inject=2: restore finds no
 * queues) a writer to a port that was open sleeps or fails; it neither
 * spins in the kernel nor survives SIGKILL.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "vcon_util.h"

#define FAULT vcon_fault_path()

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	char dev[300], req[256];
	int fd, i, status = 0;
	pid_t pid;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	if (access(FAULT, F_OK))
		tap_skip_all("driver has no fault_inject hook");
	tap_plan(2);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py stall %s", sock);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");

	pv_write_file(FAULT, "2");
	if (pv_write_file("/sys/power/mem_sleep", "deep"))
		tap_bail("no deep sleep");
	vcon_host("spawn vcon_peer.py wakeup 2", NULL, 0, 10000);
	pv_write_file("/sys/power/state", "mem");
	pv_write_file(FAULT, "0");
	tap_result(system("dmesg | grep -q 'restore.*-5\\|returns -5'") == 0,
		   "restore failed as injected");

	pid = fork();
	if (pid == 0) {
		char buf[64];

		memset(buf, 'r', sizeof(buf));
		for (;;)
			if (write(fd, buf, sizeof(buf)) < 0)
				_exit(0);
	}
	sleep(1);
	kill(pid, SIGKILL);
	for (i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100 * 1000);
	tap_result(i < 50, "the writer is gone 5 s after SIGKILL (%s)",
		   i < 50 ? (WIFSIGNALED(status) ? "killed" : "exited") :
		   "still running in the kernel");
	tap_finish();
}
