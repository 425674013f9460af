/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests from a guest test to the host side of tools/testvm, over a
 * serial port of its own (never the drivers under test). The kernel
 * command line names the port: pvkit.hostctl=ttyS2. One line out,
 * "REQ <id> <request>", one line back, "REP <id> <rc> <text>".
 *
 * Requests the runner understands (tools/testvm/testvm, handle_request):
 *   vmctl <args...>   run tools/vmd-qemu/vmctl against this VM
 *   time              host CLOCK_REALTIME as "<sec>.<nsec>"
 *   expect-end <reason> <description>
 *                     this test ends the VM; the runner judges it by how
 *                     the VM ended (reason as the host model reports it)
 *   log <text>        a line for the host-side log
 *
 * Outside testvm (a real guest) there is no such port: hostctl_open()
 * returns -1 and tests that need the host skip.
 */
#ifndef PVKIT_HOSTCTL_H
#define PVKIT_HOSTCTL_H

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int hostctl_fd = -1;
static unsigned int hostctl_seq;

/* The port named by pvkit.hostctl= on the kernel command line, or NULL. */
static inline const char *hostctl_port(char *buf, size_t len)
{
	char cmdline[4096], *p, *end;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(cmdline, sizeof(cmdline), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	p = strstr(cmdline, "pvkit.hostctl=");
	if (!p)
		return NULL;
	p += strlen("pvkit.hostctl=");
	end = p + strcspn(p, "\n ");
	snprintf(buf, len, "/dev/%.*s", (int)(end - p), p);
	return buf;
}

static inline int hostctl_open(void)
{
	struct termios t;
	char path[64];

	if (hostctl_fd >= 0)
		return 0;
	if (!hostctl_port(path, sizeof(path)))
		return -1;
	hostctl_fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (hostctl_fd < 0)
		return -1;
	if (tcgetattr(hostctl_fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		tcsetattr(hostctl_fd, TCSANOW, &t);
	}
	tcflush(hostctl_fd, TCIOFLUSH);
	return 0;
}

static inline int hostctl_readline(char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = { .fd = hostctl_fd, .events = POLLIN };
		char c;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		if (read(hostctl_fd, &c, 1) != 1)
			return -1;
		if (c == '\r')
			continue;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Send one request and wait up to @timeout_ms for its reply. Returns the
 * host's rc (0 ok), or -1 when there is no host channel or no answer.
 * @reply, if given, receives the text after the rc.
 */
static inline int hostctl(const char *req, char *reply, size_t len,
			  int timeout_ms)
{
	char line[1024];
	unsigned int id;
	int rc, off;

	if (hostctl_open())
		return -1;
	id = ++hostctl_seq;
	dprintf(hostctl_fd, "REQ %u %s\n", id, req);
	for (;;) {
		if (hostctl_readline(line, sizeof(line), timeout_ms))
			return -1;
		if (sscanf(line, "REP %u %d %n", &id, &rc, &off) >= 2 &&
		    id == hostctl_seq)
			break;
	}
	if (reply)
		snprintf(reply, len, "%s", line + off);
	return rc;
}

/* Host CLOCK_REALTIME in ns, or 0 without a host channel. */
static inline long long hostctl_time_ns(void)
{
	char reply[64];
	long long sec, nsec;

	if (hostctl("time", reply, sizeof(reply), 5000))
		return 0;
	if (sscanf(reply, "%lld.%lld", &sec, &nsec) != 2)
		return 0;
	return sec * 1000000000LL + nsec;
}

/* "vmctl ARGS" on the host (the host model); its rc, -1 without a host. */
static inline int hostctl_vmctl(const char *args, char *reply, size_t len)
{
	char req[256];

	snprintf(req, sizeof(req), "vmctl %s", args);
	return hostctl(req, reply, len, 20000);
}

/* Where "@key=" starts a field of a "k=v;k=v" or "k=v k=v" line. */
static inline const char *hostctl_kv_find(const char *line, const char *key)
{
	size_t kl = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ';' || p[-1] == ' ') &&
		    p[kl] == '=')
			return p + kl + 1;
		p += kl;
	}
	return NULL;
}

/* Numeric value (any base) of @key in a status line; -1 if absent. */
static inline int hostctl_kv(const char *line, const char *key,
			     long long *val)
{
	const char *p = hostctl_kv_find(line, key);

	if (!p)
		return -1;
	*val = strtoll(p, NULL, 0);
	return 0;
}

/* String value of @key (up to ';' or space) into @buf; -1 if absent. */
static inline int hostctl_kv_str(const char *line, const char *key,
				 char *buf, size_t len)
{
	const char *p = hostctl_kv_find(line, key);

	if (!p)
		return -1;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "; "), p);
	return 0;
}

#endif /* PVKIT_HOSTCTL_H */
