// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: data crosses a port intact both ways: -n MiB (default 64) from
 * guest to host and from host to guest, CRC-32 and length compared with
 * what the host peer (host/vcon_peer.py) computed on its side. The last
 * MiB to the host goes through splice(2), the driver's splice_write.
 * -w BYTES: the size of each write (default 32 KiB); writes larger than
 * the driver takes at once come back short and the rest is dropped, so
 * both sides count only what was taken. -f BITS: set the driver's
 * fault_inject for the run (8: write chunks from single pages, as in
 * fragmented memory: chains of pages and shorter writes).
 */
#include <errno.h>
#include <fcntl.h>

#include "vcon_util.h"

#define INTEG_SPLICE	(1024 * 1024)
#define INTEG_WMAX	(1024 * 1024)

static size_t integ_wsize = 32768;

static unsigned long long integ_rng = 0x9e3779b97f4a7c15ull;

static void integ_fill(unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		integ_rng ^= integ_rng << 13;
		integ_rng ^= integ_rng >> 7;
		integ_rng ^= integ_rng << 17;
		memcpy(buf + i, &integ_rng, 8);
	}
}

/* Move @n bytes from the pipe into the port with splice(2). */
static ssize_t integ_splice(int from, int to, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = splice(from, NULL, to, NULL, n - done, 0);

		if (r <= 0)
			return done ? (ssize_t)done : r;
		done += r;
	}
	return done;
}

static void integ_to_host(const char *dev, const char *sock, size_t total)
{
	static unsigned char buf[INTEG_WMAX];
	unsigned int crc = 0, hcrc;
	unsigned long long hbytes;
	char req[256], reply[256];
	size_t sent = 0;
	double t0, hsecs;
	int fd, pfd[2];

	snprintf(req, sizeof(req), "spawn vcon_peer.py sink %s %zu g2h", sock,
		 total);
	vcon_host(req, NULL, 0, 10000);
	fd = open(dev, O_RDWR);
	if (fd < 0 || vcon_wait_host(fd, 20))
		tap_bail("open %s / host connect failed", dev);
	if (pipe(pfd))
		tap_bail("pipe: %s", strerror(errno));
	t0 = vcon_now();
	while (sent < total) {
		size_t n = total - sent < integ_wsize ? total - sent : integ_wsize;
		bool use_splice = total - sent <= INTEG_SPLICE;
		ssize_t w;

		if (use_splice && n > 32768)
			n = 32768;	/* what one pipe write surely takes */
		integ_fill(buf, n);
		if (use_splice) {
			/* the tail goes through splice_write */
			if (write(pfd[1], buf, n) != (ssize_t)n)
				tap_bail("pipe write: %s", strerror(errno));
			w = integ_splice(pfd[0], fd, n);
		} else {
			w = write(fd, buf, n);
		}
		if (w <= 0 || (use_splice && (size_t)w != n)) {
			tap_diag("%s: %s after %zu bytes", use_splice ?
				 "splice" : "write", strerror(errno), sent);
			break;
		}
		crc = vcon_crc32(crc, buf, w);
		sent += w;
		/* a short write: the rest of buf goes nowhere, rng moves on */
	}
	close(pfd[0]);
	close(pfd[1]);
	vcon_host("run vcon_peer.py result g2h 600", reply, sizeof(reply),
		  620000);
	close(fd);
	if (sscanf(reply, "%llu %x %lf", &hbytes, &hcrc, &hsecs) != 3)
		tap_bail("bad host reply '%s'", reply);
	tap_diag("guest->host: %zu bytes, crc %08x; host got %llu, crc %08x "
		 "(%.1f s guest side)", sent, crc, hbytes, hcrc,
		 vcon_now() - t0);
	tap_result(sent == total && hbytes == total && hcrc == crc,
		   "guest->host %zu MiB intact (the last %d KiB by splice)",
		   total >> 20, INTEG_SPLICE >> 10);
}

static void integ_from_host(const char *dev, const char *sock, size_t total)
{
	static unsigned char buf[65536];
	unsigned int crc = 0, hcrc;
	unsigned long long hbytes;
	char req[256], reply[256];
	size_t got = 0;
	double hsecs;
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		tap_bail("open %s: %s", dev, strerror(errno));
	snprintf(req, sizeof(req), "spawn vcon_peer.py source %s %zu h2g",
		 sock, total);
	vcon_host(req, NULL, 0, 10000);
	if (vcon_wait_host(fd, 20))
		tap_bail("host never connected");
	while (got < total) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0) {
			tap_diag("read: %zd (%s) after %zu bytes", r,
				 r ? strerror(errno) : "EOF", got);
			break;
		}
		crc = vcon_crc32(crc, buf, r);
		got += r;
	}
	if (write(fd, "k", 1) != 1)
		tap_diag("ack write: %s", strerror(errno));
	vcon_host("run vcon_peer.py result h2g 600", reply, sizeof(reply),
		  620000);
	close(fd);
	if (sscanf(reply, "%llu %x %lf", &hbytes, &hcrc, &hsecs) != 3)
		tap_bail("bad host reply '%s'", reply);
	tap_diag("host->guest: host sent %llu, crc %08x; guest got %zu, "
		 "crc %08x", hbytes, hcrc, got, crc);
	tap_result(got == total && hbytes == total && hcrc == crc,
		   "host->guest %zu MiB intact", total >> 20);
}

int main(int argc, char **argv)
{
	const char *name = VCON_PORT_NAME, *sock = "p0.sock";
	const char *fault = NULL;
	size_t mib = 64;
	char dev[300], path[128];
	int i;

	vcon_port_args(argc, argv, &name, &sock, NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			integ_wsize = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-f") && i + 1 < argc)
			fault = argv[++i];
	}
	if (!integ_wsize || integ_wsize > INTEG_WMAX) {
		fprintf(stderr, "usage: integrity [-n MiB] [-w 1..%d] [-f BITS]\n",
			INTEG_WMAX);
		return TAP_FAIL;
	}
	tap_header();
	vcon_setup(false, name, dev, sizeof(dev));
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/fault_inject",
		 vcon_module());
	if (fault && pv_write_file(path, fault))
		tap_bail("cannot set %s", path);
	tap_plan(fault ? 3 : 2);
	integ_to_host(dev, sock, mib << 20);
	integ_from_host(dev, sock, mib << 20);
	if (fault) {
		char dbg[400], val[4096], *p;
		unsigned long pages = 0;

		pv_write_file(path, "0");
		/* The hook must have bitten, or the run proved nothing new. */
		snprintf(dbg, sizeof(dbg), "/sys/kernel/debug/%s/%s",
			 vcon_module(), strrchr(dev, '/') + 1);
		p = pv_read_file(dbg, val, sizeof(val)) ? NULL :
		    strstr(val, "page_chunks ");
		if (p)
			pages = strtoul(p + 12, NULL, 10);
		tap_result(pages > 0, "%lu write chunks were single pages "
			   "(fault_inject=%s)", pages, fault);
	}
	tap_finish();
}
