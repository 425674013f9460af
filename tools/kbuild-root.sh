#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make -C KDIR ARGS... with the compiler the kernel was built with.
#
#   kbuild-root.sh KDIR ARGS...     run kbuild (native or in a suite root)
#   kbuild-root.sh --root SUITE     make that root if needed, print its path
#
# Debian's headers name that compiler (CONFIG_CC_VERSION_TEXT, e.g. gcc-14
# for trixie's 6.12 and trixie-backports' 7.x). Flags that compiler knows
# and an older one does not (-fmin-function-alignment) are in the kernel's
# Makefile, and DKMS in a guest of that suite uses that compiler too. When
# this machine has it, kbuild runs here; when not, it runs chrooted into a
# minimal root of the kernel's suite (debootstrap, cached under
# $PVKIT_CACHE/roots/ by a hash of its inputs), with the cache and the tree
# bind-mounted at the same paths, so every path stays valid inside.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PVKIT_CACHE:-/var/cache/pvkit}

log() { echo "kbuild-root: $*" >&2; }

make_root() {	# SUITE CC
	suite=$1 cc=$2
	pkgs="make,$cc,libc6-dev,libelf-dev,libssl-dev,dwarves,bc,kmod,perl,python3"
	. "$top/tools/lib/debian-apt.sh"
	mirror=$(debian_mirror)
	key=$(echo "root-v1 $suite $pkgs $mirror" | sha256sum | cut -c1-12)
	root=$cache/roots/$suite-$key
	mkdir -p "$cache/roots"
	exec 7>"$cache/roots/.lock"
	flock 7
	if [ ! -f "$root/.complete" ]; then
		command -v debootstrap >/dev/null ||
			{ log "needs debootstrap (make deps)"; exit 1; }
		log "making a $suite root with $cc in $root (a few minutes, once)"
		rm -rf "$root.tmp"
		debootstrap --variant=minbase --include="$pkgs" "$suite" \
			"$root.tmp" "$mirror" >&2 ||
			{ log "debootstrap $suite failed (see $root.tmp/debootstrap/debootstrap.log)"; exit 1; }
		rm -rf "$root.tmp/var/cache/apt/archives/"*.deb
		touch "$root.tmp/.complete"
		mv "$root.tmp" "$root"
	fi
	exec 7>&-
	echo "$root"
}

# bookworm-backports, trixie-security: the release they are built for.
base_suite() {
	s=${1%-backports}
	s=${s%-security}
	echo "${s%-updates}"
}

if [ "${1:-}" = --root ]; then
	make_root "$2" "${3:-gcc}"
	exit
fi

kdir=$1; shift
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$kdir/.config" 2>/dev/null)
case ${want#*-linux-gnu-} in
gcc-[0-9]*) ;;
*) exec make -C "$kdir" "$@" ;;	# plain "gcc": whatever is here
esac
if command -v "$want" >/dev/null; then
	exec make -C "$kdir" "$@"
fi
want=${want#*-linux-gnu-}
sfile=$(dirname "$(dirname "$(dirname "$kdir")")")/.suite
suite=$(cat "$sfile" 2>/dev/null || true)
[ -n "$suite" ] || { log "$kdir wants $want, which is not here, and names no suite"; exit 1; }
root=$(make_root "$(base_suite "$suite")" "$want")
# A private mount namespace: the bind mounts vanish with the command.
exec unshare -m --fork sh -c '
	root=$1 cache=$2 top=$3; shift 3
	mkdir -p "$root$cache" "$root$top" &&
	mount --rbind "$cache" "$root$cache" &&
	mount --rbind "$top" "$root$top" &&
	mount -t proc proc "$root/proc" &&
	exec chroot "$root" make "$@"' sh "$root" "$cache" "$top" -C "$kdir" "$@"
