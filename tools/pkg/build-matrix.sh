#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build all three drivers with W=1 against every kernel of the matrix and
# fail on any compiler or modpost warning. Host test packaging/build-matrix.
#
#   build-matrix.sh [KVER...]   default: bookworm's 6.1 + kernels-fetch.sh's
#
# Each kernel builds a fresh copy of the source list (tools/pkg/srcfiles.sh)
# under build/matrix/<kver>/ through the top-level Kbuild, i.e. the same
# kbuild pass DKMS runs. Exit 0 all clean, 1 a warning or error, 4 when no
# headers of the other suites can be fetched (no network): skip.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
out=$top/build/matrix
# One run at a time: make check and a developer may start this together,
# and the runs share build/ paths.
mkdir -p "$top/build/pkg"
exec 8>"$top/build/pkg/.lock-build-matrix"
flock 8

kdir_of() {
	if [ -d "/usr/src/linux-headers-$1" ]; then
		echo "/usr/src/linux-headers-$1"
	else
		"$top/tools/pkg/kernels-fetch.sh" headers "$1"
	fi
}

if [ $# -eq 0 ]; then
	set -- "$("$top/tools/testvm/kernels.sh" default)"
	if others=$("$top/tools/pkg/kernels-fetch.sh" fetch 2>"$out.fetch.log"); then
		# shellcheck disable=SC2086 # one kernel version per word
		set -- "$@" $others
	else
		cat "$out.fetch.log" >&2
		echo "SKIP: cannot fetch the other suites' headers"
		exit 4
	fi
fi

rc=0
for kver in "$@"; do
	kdir=$(kdir_of "$kver")
	src=$out/$kver
	rm -rf "$src"
	mkdir -p "$src"
	"$top/tools/pkg/srcfiles.sh" copy "$src"
	# Debian's headers name the compiler the kernel was built with
	# (.kernelvariables: gcc-10 for bullseye's 5.10). When that one is not
	# installed, build with this machine's gcc: the module ABI does not
	# depend on the gcc version, and the kernel's Makefile only warns.
	cc=
	want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$kdir/.config")
	if [ -n "$want" ] && ! command -v "$want" >/dev/null; then
		cc="CC=gcc"
	fi
	# Headers that ship vmlinux (6.12) make BTF for modules with pahole;
	# Debian's linux-kbuild depends on it, a bare build machine may lack
	# it (apt-get install dwarves): then build without module BTF.
	btf=
	if [ -f "$kdir/vmlinux" ] && ! command -v pahole >/dev/null; then
		btf="CONFIG_DEBUG_INFO_BTF_MODULES="
	fi
	log=$src.log
	start=$(date +%s)
	if ! make -C "$kdir" M="$src" W=1 -k -j"$jobs" $cc $btf modules >"$log" 2>&1; then
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
		echo "FAIL $kver: warnings${cc:+ ($cc)}:"
		echo "$warn"
		rc=1
	else
		echo "ok   $kver: $kos W=1 clean${cc:+ ($cc, $want not installed)}${btf:+ (no pahole: no BTF)} in $(( $(date +%s) - start ))s"
	fi
	for m in vmm_clock vmmci virtio_console; do
		case " $kos " in *" $m.ko "*) ;; *) echo "FAIL $kver: no $m.ko"; rc=1 ;; esac
	done
done
exit $rc
