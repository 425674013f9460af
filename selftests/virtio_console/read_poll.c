// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: a reader asleep in read() gets the byte that another task's
 * poll() on the same open file saw first. A poll that takes a used in
 * buffer before the interrupt handler does must wake the reader: that
 * interrupt then finds nothing to report, and no more input comes.
 *
 * A child blocks in read() of pvkit.p1 on vCPU 0, where the virtio
 * interrupts go. The parent, on vCPU 1, writes one byte to pvkit.p0; the
 * host relays it to pvkit.p1; the parent polls p1 for POLLIN in a tight
 * loop until the child has read it. (The byte goes out through another
 * port so that no interrupt for the reader's port but the input's can
 * wake the reader: with one port the write's completion does.) An
 * exchange hangs when the child has not read its byte after -w seconds,
 * and still not in the -c seconds after without polling (a lost wakeup
 * never heals; a starved VM does). Ours: no hang in -n exchanges.
 * --intree loads Debian's driver, whose poll() takes the buffer the same
 * way (port_has_data()) but wakes nobody; it passes when an exchange
 * hangs, and stops at the first.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "vcon_util.h"

static volatile unsigned long *rp_read;	/* bytes the child has read */

static void rp_reader(int fd)
{
	char c;

	vcon_cpu(0);
	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r == 1)
			__atomic_add_fetch(rp_read, 1, __ATOMIC_RELAXED);
		else if (r < 0 && errno == EINTR)
			continue;
		else
			_exit(r ? 2 : 0);
	}
}

/* Wait for the child to read byte @want: 0 done, 1 hung. */
static int rp_wait(int fd, unsigned long want, double watchdog,
		   double confirm, double *waited)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double t0 = vcon_now(), end;

	while (__atomic_load_n(rp_read, __ATOMIC_RELAXED) < want) {
		poll(&p, 1, 0);
		if (vcon_now() - t0 > watchdog)
			break;
	}
	end = vcon_now() + confirm;
	while (__atomic_load_n(rp_read, __ATOMIC_RELAXED) < want &&
	       vcon_now() < end)
		usleep(10000);
	*waited = vcon_now() - t0;
	return __atomic_load_n(rp_read, __ATOMIC_RELAXED) < want;
}

int main(int argc, char **argv)
{
	double watchdog = 3, confirm = 5, waited = 0, slow = 0;
	unsigned long n = 3000, i;
	bool intree = false;
	char dev[300], out[300], req[128];
	int fd, ofd, hung = 0;
	pid_t pid;

	for (i = 1; i < (unsigned long)argc; i++) {
		if (!strcmp(argv[i], "--intree"))
			intree = true;
		else if (!strcmp(argv[i], "-n") && i + 1 < (unsigned long)argc)
			n = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-w") && i + 1 < (unsigned long)argc)
			watchdog = atof(argv[++i]);
		else if (!strcmp(argv[i], "-c") && i + 1 < (unsigned long)argc)
			confirm = atof(argv[++i]);
	}
	tap_header();
	vcon_setup(intree, "pvkit.p1", dev, sizeof(dev));
	if (vcon_find_port(VCON_PORT_NAME, out, sizeof(out), 10))
		tap_bail("no port %s", VCON_PORT_NAME);
	tap_plan(1);
	rp_read = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rp_read == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		vcon_place_irqs(0);
		vcon_cpu(1);
	}
	fd = open(dev, O_RDWR);
	ofd = open(out, O_RDWR);
	if (fd < 0 || ofd < 0)
		tap_bail("open %s, %s: %s", dev, out, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py relay p0.sock p1.sock "
		 "%lu", n + 1);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20) || vcon_wait_host(ofd, 20))
		tap_bail("host never connected");
	pid = fork();
	if (pid == 0)
		rp_reader(fd);

	for (i = 0; i < n; i++) {
		if (write(ofd, "x", 1) != 1)
			tap_bail("write: %s", strerror(errno));
		hung = rp_wait(fd, i + 1, watchdog, confirm, &waited);
		if (waited > slow)
			slow = waited;
		if (hung)
			break;
	}
	tap_diag("%s driver: %lu of %lu exchanges, slowest %.3f s%s",
		 intree ? "in-tree" : "pvkit", i, n, slow,
		 hung ? ", then the reader hung" : "");
	/* Evidence: the next input's interrupt frees the reader. */
	if (hung && write(ofd, "y", 1) == 1 &&
	    !rp_wait(fd, i + 2, 0, 5, &waited))
		tap_diag("the next byte woke the reader, which then read both: "
			 "the first had sat in the driver with nobody woken");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ofd);
	close(fd);
	if (intree)
		tap_result(hung, "in-tree driver loses the reader's wakeup "
			   "(exchange %lu of %lu)", i + 1, n);
	else
		tap_result(!hung, "reader never left asleep in %lu exchanges",
			   i);
	tap_finish();
}
