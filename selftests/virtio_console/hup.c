// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: when the host side disconnects, a reader gets the data that was
 * sent (announced by SIGIO to an O_ASYNC owner, already delivered when
 * read() returns the data, as in-tree) and then end of file, poll()
 * reports POLLHUP, and a non-blocking write returns EAGAIN (nobody to send
 * to) instead of queueing.
 *
 * -l SECS: how long the host lingers between its data and the hangup
 * (default 0.5: poll sleeps and the hangup wakes it; 0: the hangup follows
 * the data at once, so its control message can be handled before the
 * data's interrupt, and the data must still come first).
 * -c N: N connections in a row (a soak for those orderings); each claim
 * then says in how many rounds it failed, and why the first time.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>

#include "vcon_util.h"

static volatile sig_atomic_t hup_sigio;

static void hup_on_sigio(int sig)
{
	(void)sig;
	hup_sigio++;
}

enum { HUP_DATA, HUP_SIGIO, HUP_POLLHUP, HUP_EOF, HUP_EAGAIN, HUP_CLAIMS };

static const char * const hup_claim[HUP_CLAIMS] = {
	"data before the hangup arrives",
	"SIGIO delivered to the O_ASYNC owner before read returns the data",
	"poll reports POLLHUP after the host disconnects",
	"read returns end of file",
	"non-blocking write without a host returns EAGAIN",
};

/* How each claim fared over the rounds: failures and the first one's why. */
static unsigned int hup_failed[HUP_CLAIMS];
static char hup_why[HUP_CLAIMS][128];

static void hup_check(int claim, bool ok, unsigned int round,
		      const char *fmt, ...)
{
	char what[96];
	va_list ap;

	if (ok)
		return;
	if (!hup_failed[claim]++) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(hup_why[claim], sizeof(hup_why[claim]),
			 "round %u: %s", round + 1, what);
	}
}

/* One connection: the host says hello, lingers, hangs up. */
static void hup_round(const char *dev, const char *sock, const char *linger,
		      unsigned int round)
{
	char req[256], buf[256];
	struct pollfd p;
	size_t got = 0;
	ssize_t r;
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py hello %s pvkit-hello %s",
		 sock, linger);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected (round %u)", round + 1);
	hup_sigio = 0;
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
	if (write(fd, "g", 1) != 1)
		tap_bail("write: %s", strerror(errno));

	alarm(30);	/* a lost EOF must fail the test, not stall it */
	while (got < strlen("pvkit-hello")) {
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = 0;
	hup_check(HUP_DATA, !strcmp(buf, "pvkit-hello"), round, "got '%s'",
		  buf);
	hup_check(HUP_SIGIO, hup_sigio > 0, round, "%d signals",
		  (int)hup_sigio);

	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&p, 1, 10000);
	hup_check(HUP_POLLHUP, r == 1 && (p.revents & POLLHUP), round,
		  "revents %#x", p.revents);
	r = read(fd, buf, sizeof(buf));
	hup_check(HUP_EOF, r == 0, round, "read %zd", r);

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	r = write(fd, "x", 1);
	hup_check(HUP_EAGAIN, r < 0 && errno == EAGAIN, round, "%zd, %s", r,
		  r < 0 ? strerror(errno) : "-");
	alarm(0);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *name = "pvkit.p3", *sock = "p3.sock", *linger = "0.5";
	unsigned int rounds = 1, i;
	char dev[300];
	int c;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (c = 1; c + 1 < argc; c++) {
		if (!strcmp(argv[c], "-l"))
			linger = argv[c + 1];
		else if (!strcmp(argv[c], "-c"))
			rounds = strtoul(argv[c + 1], NULL, 0);
	}
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	tap_plan(HUP_CLAIMS);
	signal(SIGIO, hup_on_sigio);
	for (i = 0; i < rounds; i++)
		hup_round(dev, sock, linger, i);
	for (c = 0; c < HUP_CLAIMS; c++)
		tap_result(!hup_failed[c], "%s (%u of %u rounds failed%s%s)",
			   hup_claim[c], hup_failed[c], rounds,
			   hup_failed[c] ? "; first: " : "", hup_why[c]);
	tap_finish();
}
