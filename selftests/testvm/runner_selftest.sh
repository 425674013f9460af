#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Claim: the runner turns a failing test, a guest WARN, a timeout and (on
# the debug kernel) a lockdep, KASAN and kmemleak report into failures of
# the test that caused them, names the report, keeps judging the tests
# around them, and exits nonzero. Runs the set=meta VM of
# selftests/testvm/testvm.list and reads the runner's table.
#
#   runner_selftest.sh [TESTVM ARGS]       on the default kernel
#   runner_selftest.sh --debug [ARGS]      on the debug kernel (skips, exit
#                                          4, if tools/debugk has not built it)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
debug=
if [ "${1:-}" = "--debug" ]; then
	shift
	kver=$("$top/tools/debugk/build.sh" --kver) ||
		{ echo "SKIP: the debug kernel is not built (make check-debug builds it)"; exit 4; }
	debug=$kver
	if [ ! -f "$top/build/$kver/modules/pvkit_warn.ko" ]; then
		make -s -C "$top" modules KVER="$kver" \
			KDIR="$("$top/tools/testvm/kernels.sh" headers "$kver")" || exit 1
	fi
	set -- -k "$kver" "$@"
fi
out=$("$top/tools/testvm/testvm" run "$top/selftests/testvm/testvm.list" \
	--set meta --jobs 1 "$@" 2>&1)
rc=$?
echo "$out"
fail=0
expect() {
	if echo "$out" | grep -Eq "^$1 .*testvm/meta:testvm/$2 "; then
		echo "ok: $2 reported $1"
	else
		echo "NOT OK: $2 not reported $1"
		fail=1
	fi
}
# The reason of a failure, as the Failures section prints it in full.
named() {	# TEST PATTERN WHAT
	if echo "$out" | grep -Eq "^  .* testvm/meta:testvm/$1: .*$2"; then
		echo "ok: $1 failed on $3"
	else
		echo "NOT OK: $1: $3 is not named as the reason"
		fail=1
	fi
}
expect PASS booted_kernel
expect FAIL always_fails
expect FAIL guest_warns
expect FAIL never_ends
named never_ends "timed out" "the timeout"
named guest_warns "kernel: .*WARNING" "the WARN"
if [ -n "$debug" ]; then
	expect FAIL guest_lockdep
	expect FAIL guest_uaf
	expect FAIL guest_leak
	named guest_lockdep "kernel: lockdep: .*circular locking.*\[pvkit_warn\]" \
		"lockdep's report, at pvkit_warn"
	named guest_uaf "kernel: KASAN: .*use-after-free.*\[pvkit_warn\]" \
		"KASAN's report, at pvkit_warn"
	named guest_leak "kernel: kmemleak: unreferenced object.*\[pvkit_warn\]" \
		"kmemleak's report, at pvkit_warn"
	summary="2 passed, 6 failed"
else
	expect SKIP guest_lockdep
	expect SKIP guest_uaf
	expect SKIP guest_leak
	summary="2 passed, 3 failed"
fi
echo "$out" | grep -q "testvm/meta:(vm)" &&
	{ echo "NOT OK: a report outside the tests failed the VM"; fail=1; }
echo "$out" | tail -n1 | grep -q "^$summary$" ||
	{ echo "NOT OK: summary line is not '$summary'"; fail=1; }
[ "$rc" -ne 0 ] || { echo "NOT OK: runner exited 0 despite failures"; fail=1; }
exit $fail
