// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of a pvkit test VM. It mounts what tests need, runs the plan in
 * /pvkit/plan one test at a time and relays each test's output to the
 * results channel (ttyS1), never to the drivers under test. The host decides
 * pass or fail; this program only reports, and writes "@@ success" once the
 * whole plan ran on a sound guest (every mount made, the plan read), so a
 * crash, a hang or a broken setup shows as a missing token.
 *
 * Plan lines: "TIMEOUT NAME PROGRAM [ARGS...]", separated by spaces.
 *
 * On a kernel with kmemleak, init scans for leaks after each test, before
 * the test's end marker, so a leak is reported inside the test that made it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define RESULTS_PORT	"/dev/ttyS1"
#define PLAN		"/pvkit/plan"
#define MAX_ARGS	32
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define KMEMLEAK_VERBOSE "/sys/module/kmemleak/parameters/verbose"
/*
 * kmemleak only reports objects that were at least 5 s old when the scan
 * started (mm/kmemleak.c, MSECS_MIN_AGE): a scan right after a test would
 * miss what the test leaked last.
 */
#define KMEMLEAK_MIN_AGE 5.2

static int results_fd = -1;
static volatile sig_atomic_t shutdown_request;
/* Set by anything that makes the run unsound: then no "@@ success". */
static int broken;
static int kmemleak_on;

static void report(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && results_fd >= 0)
		write(results_fd, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
}

/* A marker in the kernel log, so the console log splits per test. */
static void kmsg(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, n;

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "<5>pvkit-testvm: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	write(fd, buf, n);
	close(fd);
}

/* Before the results channel is open, so the reasons are kept for it. */
static char mount_errors[512];

static void mount_all(void)
{
	static const struct { const char *src, *dst, *type; } m[] = {
		{ "proc", "/proc", "proc" },
		{ "sysfs", "/sys", "sysfs" },
		{ "devtmpfs", "/dev", "devtmpfs" },
		{ "tmpfs", "/tmp", "tmpfs" },
		{ "tmpfs", "/run", "tmpfs" },
		{ "debugfs", "/sys/kernel/debug", "debugfs" },
		{ "devpts", "/dev/pts", "devpts" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		size_t len = strlen(mount_errors);

		mkdir(m[i].dst, 0755);
		/* EBUSY: the kernel mounted it already, which is fine. */
		if (mount(m[i].src, m[i].dst, m[i].type, 0, NULL) &&
		    errno != EBUSY) {
			snprintf(mount_errors + len, sizeof(mount_errors) - len,
				 " %s: %s;", m[i].dst, strerror(errno));
			broken = 1;
		}
	}
}

static void open_results(void)
{
	struct termios t;

	results_fd = open(RESULTS_PORT, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (results_fd < 0)
		return;
	if (tcgetattr(results_fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		tcsetattr(results_fd, TCSANOW, &t);
	}
}

/* busybox halt/poweroff/reboot signal PID 1 with USR1/USR2/TERM. */
static void on_shutdown_signal(int sig)
{
	shutdown_request = sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_shutdown_signal };

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/*
 * The guest asked to go down (vmmci's orderly_poweroff/reboot land here).
 * This is the shutdown hook the tests look for: say so on the results
 * channel, stop every process, sync, then do what was asked.
 */
static void __attribute__((noreturn)) do_shutdown(int sig)
{
	const char *what = sig == SIGTERM || sig == SIGINT ? "reboot" :
			   sig == SIGUSR1 ? "halt" : "poweroff";

	report("@@ shutdown-hook %s\n", what);
	kmsg("shutdown-hook %s\n", what);
	kill(-1, SIGTERM);
	sleep(1);
	kill(-1, SIGKILL);
	sync();
	if (results_fd >= 0)
		tcdrain(results_fd);
	if (sig == SIGTERM || sig == SIGINT)
		reboot(RB_AUTOBOOT);
	else if (sig == SIGUSR1)
		reboot(RB_HALT_SYSTEM);
	else
		reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * verbose=1 makes each scan print every new leak to the kernel log, where
 * the runner looks for reports; a leak is printed by one scan only.
 */
static void kmemleak_setup(void)
{
	if (access(KMEMLEAK, W_OK))
		return;
	if (write_file(KMEMLEAK_VERBOSE, "1")) {
		report("# testvm: cannot make kmemleak verbose\n");
		broken = 1;
		return;
	}
	kmemleak_on = 1;
}

static void kmemleak_write_scan(void)
{
	int rc = write_file(KMEMLEAK, "scan");

	if (rc) {
		report("# testvm: kmemleak scan failed: %s\n", strerror(-rc));
		kmsg("kmemleak scan failed: %s\n", strerror(-rc));
		broken = 1;
	}
}

/*
 * Two scans: kmemleak does not report an object whose contents changed
 * since the previous scan (it may be in use), and nearly every new object
 * was written after it was allocated. The first scan records the contents,
 * the second, once the objects are old enough, reports them. The wait
 * sleeps in steps so that a shutdown request is still served at once.
 */
static void kmemleak_scan(int wait)
{
	double until = now() + (wait ? KMEMLEAK_MIN_AGE : 0);

	if (!kmemleak_on)
		return;
	kmemleak_write_scan();
	while (now() < until) {
		if (shutdown_request)
			do_shutdown(shutdown_request);
		usleep(100000);
	}
	kmemleak_write_scan();
}

static pid_t start_test(char **argv, int out_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		const char *dir = strrchr(argv[0], '/');
		char cwd[256];

		snprintf(cwd, sizeof(cwd), "%.*s",
			 dir ? (int)(dir - argv[0]) : 1, dir ? argv[0] : "/");
		setsid();
		signal(SIGUSR1, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		if (chdir(cwd))
			chdir("/");
		execv(argv[0], argv);
		printf("# cannot exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Run one test, relay its output, kill it at @timeout; returns its rc. */
static int run_test(const char *name, int timeout, char **argv)
{
	double deadline = now() + timeout;
	int pipefd[2], status = 0, rc = -1;
	char buf[4096];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return 125;
	pid = start_test(argv, pipefd[1]);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return 125;
	}
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		int left = (int)((deadline - now()) * 1000);
		ssize_t n;

		if (shutdown_request)
			do_shutdown(shutdown_request);
		if (left <= 0) {
			report("# testvm: %s timed out after %d s\n", name,
			       timeout);
			kmsg("timeout %s\n", name);
			kill(-pid, SIGKILL);
			rc = 124;
			break;
		}
		if (poll(&pfd, 1, left < 200 ? left : 200) <= 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (results_fd >= 0)
			write(results_fd, buf, n);
	}
	close(pipefd[0]);
	/* Descendants that kept the pipe open die with the test's group. */
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (rc < 0)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) :
		     128 + WTERMSIG(status);
	return rc;
}

static void reap(int sig __attribute__((unused)))
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void run_plan(void)
{
	char line[1024];
	FILE *plan = fopen(PLAN, "r");

	if (!plan) {
		report("# testvm: no plan: %s\n", strerror(errno));
		broken = 1;
		return;
	}
	while (fgets(line, sizeof(line), plan)) {
		char *argv[MAX_ARGS + 1], *name, *tok, *save;
		int timeout, argc = 0, rc;
		double t0;

		tok = strtok_r(line, " \n", &save);
		if (!tok || tok[0] == '#')
			continue;
		timeout = atoi(tok);
		name = strtok_r(NULL, " \n", &save);
		if (!name)
			continue;
		while (argc < MAX_ARGS &&
		       (tok = strtok_r(NULL, " \n", &save)))
			argv[argc++] = tok;
		argv[argc] = NULL;
		if (!argc)
			continue;
		report("@@ begin %s\n", name);
		kmsg("begin %s\n", name);
		t0 = now();
		rc = run_test(name, timeout, argv);
		t0 = now() - t0;
		kmemleak_scan(1);
		kmsg("end %s rc=%d\n", name, rc);
		report("@@ end %s rc=%d time=%.2f\n", name, rc, t0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	fclose(plan);
}

int main(void)
{
	mount_all();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/tmp", 1);
	open_results();
	if (results_fd < 0) {
		kmsg("cannot open %s: %s\n", RESULTS_PORT, strerror(errno));
		broken = 1;
	}
	install_signals();
	report("@@ boot %.2f\n", now());
	if (mount_errors[0])
		report("# testvm: mounts failed:%s\n", mount_errors);
	kmsg("init started\n");
	kmemleak_setup();
	/* What boot leaked, outside every test: it fails the VM. */
	kmemleak_scan(0);
	run_plan();
	/* What the plan leaked and a scan after its test still saw in use. */
	kmemleak_scan(1);
	signal(SIGCHLD, reap);
	sync();
	if (!broken)
		report("@@ success\n");
	else
		kmsg("run broken: no success token\n");
	if (results_fd >= 0)
		tcdrain(results_fd);
	if (shutdown_request)
		do_shutdown(shutdown_request);
	reboot(RB_AUTOBOOT);
	return 0;
}
