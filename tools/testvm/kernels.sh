#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest kernels from Debian's archive: the image (to boot) and the headers
# (to build against), downloaded with a private apt state and unpacked into
# the cache, never installed on the build machine.
#
#   kernels.sh default          bookworm's cloud kernel (the default guest)
#   kernels.sh matrix           fetch the matrix; print "KVER SET" lines
#   kernels.sh list             the same without fetching
#   kernels.sh fetch KVER...    image and headers of each (idempotent)
#   kernels.sh path KVER        the unpacked image tree, if present
#   kernels.sh headers KVER     the KDIR to build against
#   kernels.sh build-only       fetch the headers of the kernels that are
#                               only built against; print their KVERs
#   kernels.sh make KVER ARGS   make -C KDIR ARGS with the compiler the
#                               kernel was built with (tools/kbuild-root.sh)
#
# The matrix: the kernels people run now. bookworm's 6.1 and trixie's 6.12
# (Debian's stable release) run the whole suite (SET "check"); bullseye's
# 5.10 and the newest 7.x of trixie-backports run the smoke set. Versions
# are resolved from the archive at fetch time, never pinned.
#
# Built against but not booted: bookworm's 32-bit 686-pae kernel, the
# architecture dkms.conf allows besides amd64 (vmd runs i386 guests).
#
# Layout: $PVKIT_CACHE/kernels/<kver>/{boot,lib/modules/<kver>} and
# $PVKIT_CACHE/headers/<kver>/ (the arch package, -common and linux-kbuild
# unpacked into one root, the absolute paths between them rewritten into it,
# and the suite it came from in .suite).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${PVKIT_CACHE:-/var/cache/pvkit}
matrix=${PVKIT_MATRIX:-"bookworm:check trixie:check bullseye:smoke trixie-backports:smoke"}
# Every suite a kernel of the matrix may come from; the security and
# point-release suites carry the newest builds of the stable releases.
suites="bullseye bullseye-security bookworm bookworm-updates bookworm-security
bookworm-backports trixie trixie-updates trixie-security trixie-backports"

log() { echo "kernels: $*" >&2; }

apt_setup() {
	[ -n "${PVKIT_KERNELS_APT:-}" ] && return 0
	. "$top/tools/lib/debian-apt.sh"
	# i386 too: the 686-pae headers of the 32-bit build check.
	debian_apt kernels deb "$suites" "amd64 i386"
	PVKIT_KERNELS_APT=1
}

# The default guest: what the machine's linux-headers-cloud-amd64 points
# at (its headers are then in /usr/src), else what the archive has.
default_kver() {
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-cloud-amd64 2>/dev/null ||
	      apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	      sed -n 's/.*Depends: linux-image-//p' | head -n1)
	echo "$dep" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64' | head -n1
}

# The ABI name behind a suite's linux-headers-cloud-amd64: the newest
# version in the suite or its security and update suites.
suite_kver() {
	case $1 in
	bookworm) default_kver; return ;;
	esac
	ver=$(apt-cache madison linux-headers-cloud-amd64 |
	      awk -F'|' -v s="$1" '{ split($3, a, " "); sub("/.*", "", a[2]) }
		a[2] == s || a[2] == s "-security" || a[2] == s "-updates" {
		gsub(/ /, "", $2); print $2; exit }')
	[ -n "$ver" ] || { log "no linux-headers-cloud-amd64 in $1"; return 1; }
	apt-cache depends "linux-headers-cloud-amd64=$ver" |
		sed -n 's/^ *Depends: linux-headers-\(.*\)$/\1/p' | head -n1
}

# The suite a version's package comes from (for the build root).
kver_suite() {
	apt-cache madison "linux-headers-$1" |
		awk -F"|" '{ split($3, a, " "); sub("/.*", "", a[2]); print a[2]; exit }'
}

# The packages of the same kernel build that PKG depends on: -common,
# linux-kbuild-*, and 7.x's linux-base-/linux-binary-/linux-modules-KVER.
own_deps() {
	apt-cache depends "$1" | sed -n 's/^ *Depends: <\?\(linux-[a-z]*-[^:>]*\).*$/\1/p' |
		sort -u | while read -r d; do
		case $d in
		linux-image-*) ;;
		*-"$kver" | linux-headers-*-common | linux-kbuild-*) printf '%s ' "$d" ;;
		esac
	done
}

unpack() {	# DIR DEB...
	d=$1; shift
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$d"
	done
}

# trixie and newer ship modules under usr/lib (merged /usr), 7.x the
# kernel and its config there too (its postinst links them into /boot):
# the runner and depmod -b want lib/modules and boot/.
normalize() {
	r=$1
	if [ -d "$r/usr/lib/modules" ] && [ ! -d "$r/lib/modules" ]; then
		mkdir -p "$r/lib"
		mv "$r/usr/lib/modules" "$r/lib/modules"
	fi
	m=$r/lib/modules/$kver
	mkdir -p "$r/boot"
	for f in vmlinuz config System.map; do
		[ -f "$m/$f" ] && [ ! -e "$r/boot/$f-$kver" ] && mv "$m/$f" "$r/boot/$f-$kver"
	done
	return 0
}

image_fetch() {
	kver=$1
	dir=$cache/kernels/$kver
	[ -f "$dir/boot/vmlinuz-$kver" ] && return 0
	apt_setup
	log "fetching linux-image-$kver into $dir"
	debs=$cache/kernels/debs
	mkdir -p "$debs"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	# The signed image where it holds one (the archive may lack an
	# -unsigned build it lists), else the unsigned one (7.x's signed
	# package is only a dependency on it).
	# 7.x splits the image into linux-binary- and linux-modules- packages.
	for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		parts="$pkg $(own_deps "$pkg")"
		# shellcheck disable=SC2086
		(cd "$debs" && apt-get download -q $parts >&2) || continue
		for p in $parts; do
			unpack "$dir.tmp" "$debs/${p}_"*.deb
		done
		normalize "$dir.tmp"
		[ -f "$dir.tmp/boot/vmlinuz-$kver" ] && break
	done
	[ -f "$dir.tmp/boot/vmlinuz-$kver" ] || { log "no vmlinuz in linux-image-$kver"; exit 1; }
	# The package leaves modules.dep to its postinst: make it here.
	depmod -b "$dir.tmp" "$kver"
	mv "$dir.tmp" "$dir"
}

headers_fetch() {
	kver=$1
	dir=$cache/headers/$kver
	[ -f "$dir/.complete" ] && return 0
	apt_setup
	debs=$cache/headers/debs
	mkdir -p "$debs"
	# The arch package names -common and linux-kbuild-* in its Depends.
	# A 32-bit kernel's arch package is i386; its -common is "all" and
	# its linux-kbuild the machine's own (the tools run here).
	arch=
	case $kver in *-686 | *-686-pae) arch=:i386 ;; esac
	pkgs="linux-headers-$kver$arch $(own_deps "linux-headers-$kver$arch")"
	log "fetching $pkgs"
	# shellcheck disable=SC2086
	(cd "$debs" && apt-get download -q $pkgs >&2)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for p in $pkgs; do
		case $p in
		*:i386) unpack "$dir.tmp" "$debs/${p%:i386}_"*_i386.deb ;;
		*) for d in "$debs/${p}_"*.deb; do
			case $d in *_i386.deb) ;; *) unpack "$dir.tmp" "$d" ;; esac
		done ;;
		esac
	done
	# Debian's arch headers reach -common and the kbuild tools by absolute
	# /usr/src and /usr/lib paths (Makefile, symlinks): point them into
	# this root, so make -C KDIR works without installing anything.
	find "$dir.tmp" -type l | while read -r l; do
		t=$(readlink "$l")
		case $t in
		/usr/*) ln -sfn "$dir$t" "$l" ;;
		esac
	done
	find "$dir.tmp/usr/src" -maxdepth 2 -name Makefile -print0 |
		xargs -0 sed -i "s|\([ =]\)/usr/src/|\1$dir/usr/src/|g; s|\([ =]\)/usr/lib/linux-kbuild|\1$dir/usr/lib/linux-kbuild|g"
	kver_suite "$kver" > "$dir.tmp/.suite"
	# The symlinks above were rewritten to the final name: move into place.
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/.complete"
}

kdir_of() {
	if [ -d "/usr/src/linux-headers-$1" ]; then
		echo "/usr/src/linux-headers-$1"
	else
		echo "$cache/headers/$1/usr/src/linux-headers-$1"
	fi
}

case ${1:-} in
default) default_kver ;;
list | matrix)
	apt_setup
	for e in $matrix; do
		kver=$(suite_kver "${e%%:*}")
		[ "$1" = list ] || "$0" fetch "$kver"
		echo "$kver ${e#*:}"
	done
	;;
fetch)
	shift
	for k in "$@"; do
		image_fetch "$k"
		[ -d "/usr/src/linux-headers-$k" ] || headers_fetch "$k"
	done
	;;
build-only)
	k=$(default_kver)
	k=${k%-cloud-amd64}-686-pae
	headers_fetch "$k"
	echo "$k"
	;;
path) [ -d "$cache/kernels/$2" ] && echo "$cache/kernels/$2" ;;
headers) kdir_of "$2" ;;
make)
	kver=$2; shift 2
	exec "$top/tools/kbuild-root.sh" "$(kdir_of "$kver")" "$@"
	;;
*) echo "usage: $0 default|matrix|list|fetch KVER...|path KVER|headers KVER|make KVER ARGS" >&2; exit 2 ;;
esac
