#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug guest kernel: Debian's linux-source-6.1 configured from
# allnoconfig plus tools/debugk/debug.config (only what the test VMs boot
# on, and lockdep, KASAN, kmemleak, debug objects, UBSAN and KFENCE).
# The result goes into the cache in the layout of the kernels the runner
# fetches from Debian's archive, so the runner and `make modules` use it
# like any other:
#
#   $PVKIT_CACHE/kernels/KVER/boot/{vmlinuz,config,System.map}-KVER
#   $PVKIT_CACHE/kernels/KVER/lib/modules/KVER     (depmod run)
#   $PVKIT_CACHE/headers/KVER/usr/src/linux-headers-KVER   (the KDIR)
#
# KVER is the source's version with -pvkit-debug appended. The tree is
# stamped with a hash of this script, the fragment and the source package
# version; a stamp that does not match is rebuilt (incrementally: the
# build tree stays in $PVKIT_CACHE/debugk/).
#
# Usage: build.sh          build if needed; the last stdout line is KVER
#        build.sh --kver   print KVER; exit 0 if built and current, 1 if not
#
# Environment: PVKIT_CACHE (default /var/cache/pvkit), JOBS (default 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${PVKIT_CACHE:-/var/cache/pvkit}
jobs=${JOBS:-2}
tarball=/usr/src/linux-source-6.1.tar.xz
frag=$here/debug.config

log() { echo "debugk: $*" >&2; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ -z "$srcver" ] || [ ! -f "$tarball" ]; then
	if [ "${1:-}" = "--kver" ]; then
		exit 1
	fi
	log "installing linux-source-6.1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends linux-source-6.1 >&2
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
fi
kver=${srcver%%-*}-pvkit-debug
key=$( { cat "$here/build.sh" "$frag"; echo "$srcver"; } |
	sha256sum | cut -c1-12)
kdir=$cache/kernels/$kver
hdir=$cache/headers/$kver

current() {
	[ -f "$kdir/boot/vmlinuz-$kver" ] &&
		[ "$(cat "$kdir/.pvkit-key" 2>/dev/null)" = "$key" ] &&
		[ -f "$hdir/.complete" ]
}

if [ "${1:-}" = "--kver" ]; then
	echo "$kver"
	current
	exit
fi
if [ $# -gt 0 ]; then
	echo "usage: $0 [--kver]" >&2
	exit 2
fi
if current; then
	echo "$kver"
	exit 0
fi

work=$cache/debugk
mkdir -p "$work"
# One build at a time: the engineers share the machine and the cache.
exec 9>"$work/.lock"
flock 9
if current; then
	echo "$kver"
	exit 0
fi

# The unpacked tree is kept between builds; a new source package starts
# a new one.
tree=$work/linux-source-6.1
if [ "$(cat "$work/.srcver" 2>/dev/null)" != "$srcver" ]; then
	log "unpacking $tarball ($srcver)"
	rm -rf "$tree" "$work/.srcver"
	tar -C "$work" -xJf "$tarball"
	echo "$srcver" >"$work/.srcver"
fi

cd "$tree"
kmake() { nice make ARCH=x86_64 -j"$jobs" "$@"; }

log "configuring: allnoconfig + $(basename "$frag")"
# merge_config.sh names every requested value the final .config lacks (a
# misspelt symbol, an unmet dependency): that fails the build, so the
# fragment says exactly what the kernel has.
out=$(ARCH=x86_64 scripts/kconfig/merge_config.sh -n "$frag" 2>&1) ||
	{ echo "$out" >&2; exit 1; }
if echo "$out" | grep -A2 "Value requested for" >&2; then
	log "$(basename "$frag") asks for values the kernel does not take"
	exit 1
fi
built=$(kmake -s kernelrelease)
if [ "$built" != "$kver" ]; then
	log "the tree says $built, expected $kver"
	exit 1
fi

# Objects that export symbols but have no symbol versions in their .cmd
# file. A build cut short between compiling an object and appending its
# versions leaves such an object, and make takes it as up to date; every
# module that uses one of its symbols then fails to load ("no symbol
# version for ..."), as the tree's own virtio_ring did for vmalloc's.
unversioned() {
	find . -name '*.o' ! -name vmlinux.o ! -name '*.mod.o' | while read -r o; do
		c=${o%/*}/.${o##*/}.cmd
		[ -f "$c" ] && ! grep -q '^#SYMVER' "$c" &&
			nm --defined-only "$o" 2>/dev/null | grep ' __ksymtab_' >/dev/null &&
			echo "$o"
	done || true
}

log "building $kver with make -j$jobs (nice)"
start=$(date +%s)
stale=$(unversioned)
if [ -n "$stale" ]; then
	log "rebuilding objects without symbol versions: $(echo "$stale" | tr '\n' ' ')"
	echo "$stale" | xargs rm -f
fi
kmake bzImage modules >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; log "build failed: $work/build.log"; exit 1; }
if awk '$1 == "0x00000000" { bad = 1 } END { exit !bad }' Module.symvers; then
	log "Module.symvers has exports without a version: $(awk '$1 == "0x00000000" { print $2 }' Module.symvers | tr '\n' ' ')"
	exit 1
fi
secs=$(( $(date +%s) - start ))
log "built in ${secs}s"

rm -rf "$kdir.tmp" "$hdir.tmp"
mkdir -p "$kdir.tmp/boot"
cp arch/x86/boot/bzImage "$kdir.tmp/boot/vmlinuz-$kver"
cp .config "$kdir.tmp/boot/config-$kver"
cp System.map "$kdir.tmp/boot/System.map-$kver"
kmake -s INSTALL_MOD_PATH="$kdir.tmp" DEPMOD=/bin/true modules_install >&2

# The headers an out-of-tree build needs: the top Makefile and .config,
# the Makefiles of the architecture, include/ and scripts/ of the source
# and of the build (generated headers, modpost, fixdep), objtool and
# Module.symvers.
h=$hdir.tmp/usr/src/linux-headers-$kver
mkdir -p "$h"
{
	echo Makefile; echo .config; echo Module.symvers
	find arch/x86 -maxdepth 1 -name 'Makefile*'
	find include scripts arch/x86/include -type f -o -type l
	echo tools/objtool/objtool
} | grep -v '\.o$' | cpio -pdm --quiet "$h"
touch "$hdir.tmp/.complete"
echo bookworm >"$hdir.tmp/.suite"
rm -f "$kdir.tmp/lib/modules/$kver/build" "$kdir.tmp/lib/modules/$kver/source"
ln -s "$hdir/usr/src/linux-headers-$kver" "$kdir.tmp/lib/modules/$kver/build"
depmod -b "$kdir.tmp" "$kver"
echo "$key" >"$kdir.tmp/.pvkit-key"
echo "$secs" >"$kdir.tmp/.build-seconds"

rm -rf "$kdir" "$hdir"
mv "$hdir.tmp" "$hdir"
mv "$kdir.tmp" "$kdir"
echo "$kver"
