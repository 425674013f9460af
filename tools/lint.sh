#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make lint: checkpatch --strict on every kernel source of the kit, then a
# W=1 build under sparse (C=2, endian checks). Any finding fails.
# checkpatch comes from Debian's linux-source-6.1 tarball: only the files it
# needs are extracted, once, into the cache.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-/usr/src/linux-headers-$("$top/tools/testvm/kernels.sh" default)}
cache=${PVKIT_CACHE:-/var/cache/pvkit}/checkpatch
status=0

if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || { echo "lint: linux-source-6.1 missing (make deps)" >&2; exit 1; }
	echo "lint: extracting checkpatch from $tarball"
	mkdir -p "$cache"
	tar -xf "$tarball" -C "$cache" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' || exit 1
fi

cd "$top" || exit 1
files=$(git ls-files 'drivers/*.[ch]' 'selftests/*/kmod/*.[ch]' 2>/dev/null ||
	find drivers selftests/*/kmod -name '*.[ch]')
echo "lint: checkpatch --strict on $(echo "$files" | wc -w) files"
# shellcheck disable=SC2086
"$cache/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $files || status=1
"$cache/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON -f compat/compat.h || status=1

# The host model (tools/vmd-qemu): its C and its hooks into QEMU, with
# QEMU's own checkpatch from the source that build.sh unpacks.
qsrc=
for d in "${PVKIT_CACHE:-/var/cache/pvkit}"/vmd-qemu/src/qemu-*/; do
	[ -f "$d/scripts/checkpatch.pl" ] && qsrc=$d && break
done
if [ -z "$qsrc" ]; then
	echo "lint: QEMU source missing (tools/vmd-qemu/build.sh fetches it)" >&2
	status=1
else
	qfiles=$(git ls-files 'tools/vmd-qemu/src/*.[ch]' 2>/dev/null ||
		find tools/vmd-qemu/src -name '*.[ch]')
	echo "lint: QEMU checkpatch on $(echo "$qfiles" | wc -w) model files and the hooks"
	for f in $qfiles; do
		perl "$qsrc/scripts/checkpatch.pl" --no-tree -q -f "$f" || status=1
	done
	perl "$qsrc/scripts/checkpatch.pl" --no-tree -q --no-signoff \
		tools/vmd-qemu/patches/*.patch || status=1
fi

echo "lint: W=1 build under sparse (C=2)"
command -v sparse >/dev/null || { echo "lint: sparse missing (make deps)" >&2; exit 1; }
log=$(mktemp)
make -C "$top" -s modules KDIR="$kdir" W=1 KMAKE_EXTRA= \
	C=2 CF="-D__CHECK_ENDIAN__" >"$log" 2>&1 || status=1
if grep -E "warning:|error:" "$log"; then
	status=1
fi
rm -f "$log"
[ $status -eq 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $status
