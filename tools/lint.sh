#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make lint: every linter over everything the kit ships, one function
# each; any finding fails, and all of them run whatever the others found.
#  - checkpatch --strict on the kernel sources (drivers, test modules,
#    compat) and on the userspace selftests;
#  - a W=1 build under sparse (C=2, endian checks);
#  - shellcheck on every shell script;
#  - flake8 on every Python file (the runner and its package, vmctl, the
#    audit, the selftests' host scripts).
# checkpatch comes from Debian's linux-source-6.1 tarball: only the files
# it needs are extracted, once, into the cache.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-/usr/src/linux-headers-$("$top/tools/testvm/kernels.sh" default)}
cache=${PVKIT_CACHE:-/var/cache/pvkit}/checkpatch
checkpatch=$cache/scripts/checkpatch.pl
status=0

# The tree's files matching the patterns (git's list when there is one).
files() {
	git -C "$top" ls-files -- "$@" 2>/dev/null
}

# Shell scripts: *.sh, and the files whose first line runs sh or bash.
shell_scripts() {
	for f in $(files); do
		case $f in
		*.sh) echo "$f" ;;
		*) head -n1 "$f" 2>/dev/null | grep -qE '^#!(/usr)?/bin/(env )?(ba|da)?sh' &&
			echo "$f" ;;
		esac
	done
}

checkpatch_setup() {
	[ -x "$checkpatch" ] && return 0
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.1.tar.*' | head -n1)
	[ -n "$tarball" ] || { echo "lint: linux-source-6.1 missing (make deps)" >&2; return 1; }
	echo "lint: extracting checkpatch from $tarball"
	mkdir -p "$cache"
	tar -xf "$tarball" -C "$cache" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
}

run_checkpatch() {
	"$checkpatch" --strict --no-tree --terse --show-types "$@"
}

lint_checkpatch_kernel() {
	# shellcheck disable=SC2046 # paths without blanks, one word each
	set -- $(files 'drivers/*.[ch]' 'selftests/*/kmod/*.[ch]')
	echo "lint: checkpatch --strict on $# kernel files and compat.h"
	run_checkpatch --ignore FILE_PATH_CHANGES -f "$@" || return 1
	run_checkpatch --ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f compat/compat.h
}

# Userspace: the kernel-only rules are off (u32 and __printf do not exist
# there, volatile is right for signal flags, TAP text is not a kernel
# message to grep for, libFuzzer names the fuzz targets' entry point).
lint_checkpatch_selftests() {
	# shellcheck disable=SC2046 # paths without blanks, one word each
	set -- $(files 'selftests/*.[ch]' ':!selftests/*/kmod/*')
	echo "lint: checkpatch --strict on $# selftest files"
	run_checkpatch --ignore FILE_PATH_CHANGES,PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,VOLATILE,SPLIT_STRING,CAMELCASE \
		-f "$@"
}

lint_sparse() {
	echo "lint: W=1 build under sparse (C=2)"
	command -v sparse >/dev/null || { echo "lint: sparse missing (make deps)" >&2; return 1; }
	log=$(mktemp)
	ret=0
	make -C "$top" -s modules KDIR="$kdir" W=1 C=2 CF="-D__CHECK_ENDIAN__" \
		>"$log" 2>&1 || ret=1
	grep -E "warning:|error:" "$log" && ret=1
	rm -f "$log"
	return $ret
}

# Off everywhere: SC2016, because the scripts hand $-expressions in single
# quotes to the guest's shell, to eval'd checks and to sed on purpose;
# SC2317, because shellcheck 0.9 takes trap handlers and functions called
# through eval for dead code.
lint_shellcheck() {
	# shellcheck disable=SC2046
	set -- $(shell_scripts)
	echo "lint: shellcheck on $# shell scripts"
	command -v shellcheck >/dev/null || { echo "lint: shellcheck missing (make deps)" >&2; return 1; }
	shellcheck -x -P SCRIPTDIR -f gcc -e SC2016,SC2317 "$@"
}

lint_python() {
	# shellcheck disable=SC2046
	set -- tools/testvm/testvm tools/vmd-qemu/vmctl $(files '*.py')
	echo "lint: flake8 on $# Python files"
	# Debian's flake8 is a module of Debian's python3, not of another one
	# first in PATH.
	/usr/bin/python3 -m flake8 --version >/dev/null 2>&1 ||
		{ echo "lint: flake8 missing (make deps)" >&2; return 1; }
	/usr/bin/python3 -m flake8 "$@"
}

# The host model (tools/vmd-qemu): its C and its hooks into QEMU, with
# QEMU's own checkpatch from the source that build.sh unpacks.
lint_qemu_model() {
	qsrc=
	for d in "${PVKIT_CACHE:-/var/cache/pvkit}"/vmd-qemu/src/qemu-*/; do
		[ -f "$d/scripts/checkpatch.pl" ] && qsrc=$d && break
	done
	[ -n "$qsrc" ] || { echo "lint: QEMU source missing (tools/vmd-qemu/build.sh fetches it)" >&2; return 1; }
	# shellcheck disable=SC2046 # paths without blanks, one word each
	set -- $(files 'tools/vmd-qemu/src/*.[ch]')
	echo "lint: QEMU checkpatch on $# model files and the hooks"
	ret=0
	for f in "$@"; do
		perl "$qsrc/scripts/checkpatch.pl" --no-tree -q -f "$f" || ret=1
	done
	perl "$qsrc/scripts/checkpatch.pl" --no-tree -q --no-signoff \
		tools/vmd-qemu/patches/*.patch || ret=1
	return $ret
}

cd "$top" || exit 1
checkpatch_setup || exit 1
lint_checkpatch_kernel || status=1
lint_checkpatch_selftests || status=1
lint_sparse || status=1
lint_shellcheck || status=1
lint_python || status=1
lint_qemu_model || status=1
[ $status -eq 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $status
