#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the vmd host model: Debian's QEMU 7.2 source package, the model's
# own files from tools/vmd-qemu/src copied in (they mirror QEMU's layout
# and must not exist in it), then the small hooks in
# tools/vmd-qemu/patches/*.patch; x86_64-softmmu only (TCG; KVM still
# compiles).  The binary lands in a cache directory named after a hash of
# this script, the source files and the patches, so a second run with the
# same inputs only prints the path.  The last stdout line is always the
# binary's path.
#
# Usage: build.sh          build if needed, print the binary path
#        build.sh --path   print the path; exit 0 if built, 1 if not
#
# Environment: PVKIT_CACHE (default /var/cache/pvkit), JOBS (default 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${PVKIT_CACHE:-/var/cache/pvkit}/vmd-qemu
jobs=${JOBS:-2}

# The key covers everything that changes the binary we produce: this script
# (configure flags), each source file with its path, and each patch, in
# apply order.
srcfiles=$(cd "$here/src" && find . -type f | LC_ALL=C sort)
key=$( { cat "$here/build.sh"
	for f in $srcfiles; do echo "$f"; cat "$here/src/$f"; done
	for p in "$here"/patches/*.patch; do
		[ -e "$p" ] || continue; basename "$p"; cat "$p"; done; } |
	sha256sum | cut -c1-12)
out_dir=$cache_root/$key
out=$out_dir/qemu-system-x86_64

if [ "${1:-}" = "--path" ]; then
	echo "$out"
	[ -x "$out" ]
	exit
fi
if [ $# -gt 0 ]; then
	echo "usage: $0 [--path]" >&2
	exit 2
fi
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

log() { echo "build.sh: $*" >&2; }

mkdir -p "$cache_root"
# One build at a time: several engineers share the machine and the cache.
exec 9>"$cache_root/.lock"
flock 9
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

srcdir=$cache_root/src
# The unpacked source's directory (qemu-<version>).
qemu_src() {
	find "$srcdir" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' 2>/dev/null |
		LC_ALL=C sort | head -n1
}
pristine=$(qemu_src || true)
if [ -z "$pristine" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends ninja-build meson libglib2.0-dev \
		libpixman-1-dev libfdt-dev libslirp-dev pkg-config flex bison \
		zlib1g-dev python3-venv dpkg-dev qemu-system-data seabios \
		rsync >&2
	# The source from a private apt state: the machine's own sources
	# (deb822 or classic, with or without deb-src) are left alone.
	(
		. "$here/../lib/debian-apt.sh"
		debian_apt qemu-src deb-src "bookworm bookworm-updates bookworm-security"
		mkdir -p "$srcdir"
		cd "$srcdir" && apt-get source -q qemu
	) >&2
	pristine=$(qemu_src)
fi
pristine=${pristine%/}

# Copy the model's files and apply the hooks to a fresh copy of the pristine
# tree, then sync only the files whose content differs into a long-lived
# build tree, so ninja rebuilds just what changed (a full build is ~4 min
# on 2 cores).
stage=$cache_root/stage
work=$cache_root/work/$(basename "$pristine")
rm -rf "$stage"
mkdir -p "$stage"
log "copying $pristine"
cp -a "$pristine" "$stage/tree"
for f in $srcfiles; do
	if [ -e "$stage/tree/$f" ]; then
		log "src/$f would replace QEMU's own file; make that a patch"
		exit 1
	fi
	mkdir -p "$stage/tree/$(dirname "$f")"
	cp "$here/src/$f" "$stage/tree/$f"
done
for p in "$here"/patches/*.patch; do
	[ -e "$p" ] || continue
	log "applying $(basename "$p")"
	patch -d "$stage/tree" -p1 -s --no-backup-if-mismatch <"$p" >&2
done
mkdir -p "$work"
rsync -a --checksum --delete --exclude=/build "$stage/tree/" "$work/" >&2
rm -rf "$stage"

cd "$work"
if [ ! -f build/build.ninja ]; then
	log "configuring"
	mkdir -p build
	(cd build && ../configure --target-list=x86_64-softmmu \
		--without-default-features --disable-docs --disable-werror \
		--enable-slirp --enable-tcg --enable-kvm \
		--meson=/usr/bin/meson) >&2
fi
log "building with ninja -j$jobs"
start=$(date +%s)
ninja -C build -j"$jobs" qemu-system-x86_64 >&2
log "built in $(( $(date +%s) - start ))s"

mkdir -p "$out_dir"
install -m 0755 build/qemu-system-x86_64 "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
