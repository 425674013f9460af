#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the control-message decoder for SECS seconds (default 20) with
# libFuzzer + ASan + UBSan. Exit 0 clean, 1 on a crash (the reproducer is
# left in build/host/), 4 (skip) without clang's libFuzzer.
set -u
secs=${1:-20}
top=$(cd "$(dirname "$0")/../../.." && pwd)
unit=$top/selftests/virtio_console/unit
out=$top/build/host
corpus=$out/vcon-fuzz-corpus
mkdir -p "$corpus"
command -v clang >/dev/null 2>&1 || { echo "clang not installed"; exit 4; }
if ! make -s -C "$unit" ctrl_fuzz >"$out/vcon-fuzz-build.log" 2>&1; then
	if grep -q 'libclang_rt.fuzzer\|fsanitize=fuzzer' "$out/vcon-fuzz-build.log"; then
		echo "libFuzzer not available (apt-get install libclang-rt-14-dev)"
		exit 4
	fi
	cat "$out/vcon-fuzz-build.log"
	exit 1
fi
cd "$out" || exit 1
"$unit/ctrl_fuzz" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$out/vcon-fuzz-" "$corpus"
rc=$?
[ $rc -eq 0 ] && echo "PASS: no crash in ${secs}s" || echo "FAIL: libFuzzer exit $rc"
exit $rc
