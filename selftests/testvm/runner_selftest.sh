#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Claim: the runner turns a failing test and a guest WARN into failures,
# keeps judging the tests around them, and exits nonzero. Runs the set=meta
# VM of selftests/testvm/testvm.list and reads the runner's table.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
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
expect PASS booted_kernel
expect FAIL always_fails
expect FAIL guest_warns
expect FAIL never_ends
echo "$out" | grep -q "^FAIL .*never_ends .*timed out" ||
	{ echo "NOT OK: the timeout is not named as the reason"; fail=1; }
echo "$out" | grep -q "^FAIL .*guest_warns .*kernel: .*WARNING" ||
	{ echo "NOT OK: the WARN is not named as the reason"; fail=1; }
echo "$out" | tail -n1 | grep -q "^2 passed, 3 failed$" ||
	{ echo "NOT OK: summary line is not '2 passed, 3 failed'"; fail=1; }
[ "$rc" -ne 0 ] || { echo "NOT OK: runner exited 0 despite failures"; fail=1; }
exit $fail
