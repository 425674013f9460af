/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner's failure tests for the debug kernel's checkers: each loads
 * pvkit_warn.ko with one fault, whose report the runner must turn into a
 * failure of the test that loaded it. On a kernel without that checker
 * nothing could see the fault, so the test skips instead of provoking it.
 */
#ifndef PVKIT_PROVOKE_H
#define PVKIT_PROVOKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"

/* Whether /proc/kallsyms names @sym (the checker is built in). */
static inline int kernel_has_symbol(const char *sym)
{
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t n = strlen(sym);
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strrchr(line, ' ');

		found = name && !strncmp(name + 1, sym, n) &&
			(name[n + 1] == '\n' || name[n + 1] == '\0');
	}
	fclose(f);
	return found;
}

static inline __attribute__((noreturn))
void provoke(const char *fault, const char *checker)
{
	char cmd[128];
	int rc;

	tap_header();
	tap_plan(1);
	snprintf(cmd, sizeof(cmd), "modprobe pvkit_warn fault=%s 2>&1", fault);
	rc = system(cmd);
	tap_diag("%s: %d", cmd, rc);
	tap_result(1, "%s fault provoked; the runner must fail this test on "
		   "the %s report", fault, checker);
	tap_finish();
}

#endif
