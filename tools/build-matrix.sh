#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build all three drivers with W=1 against every kernel of the matrix and
# fail on any compiler or modpost warning. Host test packaging/build-matrix.
#
#   build-matrix.sh [KVER...]   default: the kernels of tools/testvm/kernels.sh
#                               matrix, and bookworm's 32-bit 686-pae
#
# Each kernel builds a fresh copy of the source list (tools/pkg/srcfiles.sh)
# under build/matrix/<kver>/ through the top-level Kbuild, i.e. the same
# kbuild pass DKMS runs, with the compiler the kernel was built with
# (tools/kbuild-root.sh: trixie's gcc 14 for 6.12 and 7.x, as DKMS in a
# trixie guest uses). Exit 0 all clean, 1 a warning or error, 4 when no
# headers of the other suites can be fetched (no network): skip.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
out=$top/build/matrix
# One run at a time: make check and a developer may start this together,
# and the runs share build/ paths.
mkdir -p "$top/build/pkg" "$out"
exec 8>"$top/build/pkg/.lock-build-matrix"
flock 8

if [ $# -eq 0 ]; then
	if others=$("$top/tools/testvm/kernels.sh" matrix 2>"$out.fetch.log") &&
	   i386=$("$top/tools/testvm/kernels.sh" build-only 2>>"$out.fetch.log"); then
		# shellcheck disable=SC2046,SC2086 # one kernel version per word
		set -- $(echo "$others" | cut -d' ' -f1) $i386
	else
		cat "$out.fetch.log" >&2
		echo "SKIP: cannot fetch the matrix's headers"
		exit 4
	fi
fi

rc=0
for kver in "$@"; do
	kdir=$("$top/tools/testvm/kernels.sh" headers "$kver")
	src=$out/$kver
	rm -rf "$src"
	mkdir -p "$src"
	"$top/tools/pkg/srcfiles.sh" copy "$src"
	log=$src.log
	start=$(date +%s)
	if ! "$top/tools/kbuild-root.sh" "$kdir" M="$src" W=1 -k -j"$jobs" modules >"$log" 2>&1; then
		echo "FAIL $kver: build failed (see $log)"
		tail -n 30 "$log"
		rc=1
		continue
	fi
	# Everything the compiler and modpost say about our code is a warning
	# we must fix; kbuild's own notes (BTF skipped, compiler differs) are not.
	warn=$(grep -E 'warning:|WARNING:|error:' "$log" |
	       grep -v -E 'Skipping BTF|compiler differs|the compiler differs' || true)
	kos=$(find "$src" -name '*.ko' | sort | xargs -n1 basename | tr '\n' ' ')
	if [ -n "$warn" ]; then
		echo "FAIL $kver: warnings:"
		echo "$warn"
		rc=1
	else
		echo "ok   $kver: $kos W=1 clean ($(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$kdir/.config")) in $(( $(date +%s) - start ))s"
	fi
	for m in vmm_clock vmmci virtio_console; do
		case " $kos " in *" $m.ko "*) ;; *) echo "FAIL $kver: no $m.ko"; rc=1 ;; esac
	done
done
exit $rc
