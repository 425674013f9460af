#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kit's source files, one path a line, relative to the top of the tree:
# exactly what DKMS, the Debian package and the build matrix get. An
# explicit list rather than a copy of the tree, so build outputs, selftests
# and tools never end up in /usr/src/pvkit-<ver>.
#
#   srcfiles.sh            print the list
#   srcfiles.sh copy DIR   copy the listed files into DIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

list() {
	echo VERSION
	echo Kbuild
	echo dkms.conf
	for f in compat/*.h compat/Kbuild.include; do
		[ -f "$f" ] && echo "$f"
	done
	for d in vmm_clock vmmci virtio_console_fix; do
		echo "drivers/$d/Kbuild"
		for f in "drivers/$d"/*.c "drivers/$d"/*.h; do
			# Kbuild's generated *.mod.c is not a source file.
			case $f in *.mod.c) continue ;; esac
			[ -f "$f" ] && echo "$f"
		done
	done
}

case ${1:-} in
"") list ;;
copy)
	dst=$2
	mkdir -p "$dst"
	list | while read -r f; do
		mkdir -p "$dst/$(dirname "$f")"
		cp -p "$f" "$dst/$f"
	done
	;;
*) echo "usage: $0 [copy DIR]" >&2; exit 2 ;;
esac
