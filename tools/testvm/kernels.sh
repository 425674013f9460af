#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest kernels for the test VMs, from Debian's archive, unpacked into
# $PVKIT_CACHE/kernels/<version>/ (never installed on the build machine).
#
#   kernels.sh default        the version of bookworm's cloud kernel
#   kernels.sh fetch KVER...  download and unpack each image (idempotent)
#   kernels.sh path KVER      the unpacked tree, if present
set -eu
cache=${PVKIT_CACHE:-/var/cache/pvkit}/kernels

default_kver() {
	# What linux-headers-cloud-amd64 points at; apt's view if not installed.
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-cloud-amd64 2>/dev/null ||
	      apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	      sed -n 's/.*Depends: linux-image-//p' | head -n1)
	echo "$dep" | grep -oE '[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64' | head -n1
}

fetch() {
	kver=$1
	dir=$cache/$kver
	[ -f "$dir/boot/vmlinuz-$kver" ] && return 0
	echo "kernels: fetching linux-image-$kver into $dir" >&2
	mkdir -p "$cache/debs"
	(cd "$cache/debs" && apt-get download -q "linux-image-$kver" >&2) ||
	(cd "$cache/debs" && apt-get download -q "linux-image-$kver-unsigned" >&2)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for deb in "$cache"/debs/linux-image-"$kver"_*.deb \
		   "$cache"/debs/linux-image-"$kver"-unsigned_*.deb; do
		[ -f "$deb" ] && dpkg-deb -x "$deb" "$dir.tmp"
	done
	[ -f "$dir.tmp/boot/vmlinuz-$kver" ] || { echo "kernels: no vmlinuz in linux-image-$kver" >&2; exit 1; }
	# The package leaves modules.dep to its postinst: make it here.
	depmod -b "$dir.tmp" "$kver"
	mv "$dir.tmp" "$dir"
}

case ${1:-} in
default) default_kver ;;
fetch) shift; for k in "$@"; do fetch "$k"; done ;;
path) [ -d "$cache/$2" ] && echo "$cache/$2" ;;
*) echo "usage: $0 default|fetch KVER...|path KVER" >&2; exit 2 ;;
esac
