/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvkit's small TAP helper: the same output lines and exit codes as the
 * kernel's kselftest.h (TAP version 13, "ok N", "not ok N", "# SKIP",
 * exit 0 pass / 1 fail / 4 skip), so our programs run under kselftest's
 * runner.sh and under tools/testvm alike.
 */
#ifndef PVKIT_TAP_H
#define PVKIT_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PASS	0
#define TAP_FAIL	1
#define TAP_SKIP	4

struct tap_counts {
	unsigned int pass, fail, skip, planned, num;
};

static struct tap_counts tap;

static inline void tap_header(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
}

static inline void tap_plan(unsigned int n)
{
	tap.planned = n;
	printf("1..%u\n", n);
}

/* A "# " diagnostic line: the evidence a failing test leaves behind. */
static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline void tap_vresult(int ok, const char *fmt, va_list ap)
{
	printf("%sok %u ", ok ? "" : "not ", ++tap.num);
	vprintf(fmt, ap);
	printf("\n");
	if (ok)
		tap.pass++;
	else
		tap.fail++;
}

/* One result line; returns @ok so callers can chain on it. */
static inline int tap_result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	return ok;
}

static inline void tap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %u # SKIP ", ++tap.num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tap.skip++;
}

/* Print the totals line and exit with kselftest's code for the run. */
static inline __attribute__((noreturn)) void tap_finish(void)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       tap.pass, tap.fail, tap.skip);
	if (tap.fail || (tap.planned && tap.num != tap.planned))
		exit(TAP_FAIL);
	if (tap.skip && !tap.pass)
		exit(TAP_SKIP);
	exit(TAP_PASS);
}

/* Whole program skipped: no plan was worth printing. */
static inline __attribute__((noreturn)) void tap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline __attribute__((noreturn)) void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(TAP_SKIP);
}

static inline __attribute__((noreturn)) void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline __attribute__((noreturn)) void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(TAP_FAIL);
}

#endif /* PVKIT_TAP_H */
