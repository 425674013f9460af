#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs what a fresh Debian bookworm machine lacks for building and
# testing pvkit, with apt-get, idempotently, saying what it does.
#   deps.sh          install what is missing
#   deps.sh --check  exit 1 (and name them) if anything is missing
set -eu

pkgs="git make build-essential bc bison flex libelf-dev libssl-dev kmod cpio rsync
busybox-static qemu-system-x86 qemu-system-data seabios ipxe-qemu
sparse spin socat dkms python3 linux-headers-cloud-amd64 linux-source-6.1
clang libclang-rt-14-dev
ninja-build meson libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev
pkg-config zlib1g-dev python3-venv dpkg-dev
debhelper dh-dkms debootstrap dwarves e2fsprogs gcc-multilib xz-utils zstd lz4
shellcheck python3-flake8"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ "${1:-}" = "--check" ]; then
	[ -z "$missing" ] && exit 0
	echo "deps: missing:$missing" >&2
	exit 1
fi

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	[ "$(id -u)" = 0 ] || { echo "deps: run as root (apt-get)" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
else
	echo "deps: all Debian packages present"
fi

# The default guest kernel's image, unpacked into the cache (not installed).
kver=$("$(dirname "$0")/testvm/kernels.sh" default)
"$(dirname "$0")/testvm/kernels.sh" fetch "$kver"
echo "deps: guest kernel $kver ready"
