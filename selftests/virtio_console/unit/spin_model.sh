#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check the write/poll/interrupt model with spin.
#   spin_model.sh intree [-D...]  passes when spin finds the lost wakeup
#                                 (an invalid end state: a writer asleep
#                                 with free slots and nothing in flight)
#   spin_model.sh fixed [-D...]   passes when spin reports 0 errors
# Exit 4 (skip) without spin or a C compiler.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
model=$top/drivers/virtio_console_fix/model/vcon_wakeup.pml
mode=${1:-}
shift || true
command -v spin >/dev/null 2>&1 || { echo "spin not installed"; exit 4; }
command -v cc >/dev/null 2>&1 || { echo "no C compiler"; exit 4; }
case $mode in
intree) defs= ;;
fixed) defs=-DFIXED ;;
*) echo "usage: $0 intree|fixed [-DNAME=VAL...]"; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$model" "$tmp/" && cd "$tmp" || exit 1
spin $defs "$@" -a vcon_wakeup.pml >spin.log 2>&1 || { cat spin.log; exit 1; }
cc -O2 -DSAFETY -o pan pan.c || exit 1
./pan -m1000000 >pan.log 2>&1
cat pan.log
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
[ -n "$errors" ] || { echo "no verdict from pan"; exit 1; }

if [ "$mode" = fixed ]; then
	[ "$errors" -eq 0 ] && { echo "PASS: no lost wakeup, no deadlock"; exit 0; }
	echo "FAIL: spin found $errors error(s) in the fixed design"
	spin $defs "$@" -t -g vcon_wakeup.pml 2>&1 | tail -20
	exit 1
fi
# In-tree: the error must be the lost wakeup, not some other deadlock.
grep -q 'invalid end state' pan.log || { echo "FAIL: no invalid end state"; exit 1; }
spin $defs "$@" -t -g vcon_wakeup.pml >trail.log 2>&1
tail -20 trail.log
if grep -q 'inflight = 0' trail.log && grep -q 'vq_full = 0' trail.log &&
   grep -q 'asleep\[[0-9]*\] = 1' trail.log; then
	echo "PASS: spin finds the in-tree lost wakeup (writer asleep, queue not full, nothing in flight)"
	exit 0
fi
echo "FAIL: spin's error is not the lost wakeup"
exit 1
