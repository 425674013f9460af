#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The README on a fresh machine: a minimal Debian bookworm root made by
# debootstrap (minbase, plus git and make, the two things the README
# assumes), a clean clone of the committed tree in it, and the README's
# commands run inside as root. Whatever those commands need and the
# project does not install fails here, however complete this machine is.
#
#   pristine.sh [TARGET...]     default: demo check (the README's two)
#
# Shared from this machine's cache into the root, as build outputs keyed by
# their inputs: the host model, guest kernels and headers, suite roots and
# guest images ($PVKIT_CACHE, bind-mounted at the same path), and the
# downloaded .debs (not installed ones) so a second run does not download
# again. The root lives in a private mount namespace and is removed after
# the run; the output of the last target comes last, so `pristine.sh check`
# ends with check's "N passed, N failed" line and exits with its status.
#
# Environment: PVKIT_CACHE (default /var/cache/pvkit), PVKIT_PRISTINE_KEEP=1
# keeps the root (its path is printed to stderr).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PVKIT_CACHE:-/var/cache/pvkit}
[ $# -gt 0 ] || set -- demo check

log() { echo "pristine: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot, mounts)"; exit 1; }

# The one tool this script needs from the outer machine.
if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2 || {
		apt-get update -q >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
	}
fi

. "$top/tools/lib/debian-apt.sh"
mirror=$(debian_mirror)
debs=$cache/pristine/debs
mkdir -p "$debs/partial" "$cache/pristine"
root=$(mktemp -d /var/tmp/pvkit-pristine.XXXXXX)
cleanup() {
	if [ -n "${PVKIT_PRISTINE_KEEP:-}" ]; then
		log "kept $root"
	else
		rm -rf "$root"
	fi
}
trap cleanup EXIT

t0=$(date +%s)
log "debootstrap bookworm (minbase, git, make) into $root"
debootstrap --variant=minbase --include=git,make,ca-certificates \
	--cache-dir="$debs" bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
	tail -n 20 "$root.debootstrap.log" >&2
	rm -f "$root.debootstrap.log"
	exit 1
}
rm -f "$root.debootstrap.log"
# What Debian's installer writes: the release, its updates and security,
# in the classic one-line format.
cat > "$root/etc/apt/sources.list" <<EOT
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOT
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-hardlinks "$top" "$root/pvkit"
log "root ready in $(( $(date +%s) - t0 ))s; running: make $*"

# Each target in turn, as the README gives them; the first failure stops.
# The chroot's root is bind-mounted onto itself so it is a mount point:
# the guest-image tools inside unshare and chroot again, which needs that.
unshare -m --propagation private sh -c '
	root=$1 cache=$2 debs=$3; shift 3
	mount --bind "$root" "$root"
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mount -t tmpfs tmpfs "$root/run"
	mkdir -p "$root$cache" "$root/var/cache/apt/archives"
	mount --bind "$cache" "$root$cache"
	mount --bind "$debs" "$root/var/cache/apt/archives"
	rc=0
	for t in "$@"; do
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
			PVKIT_CACHE="$cache" \
			chroot "$root" sh -c "cd /pvkit && exec make $t" </dev/null || {
			rc=$?
			break
		}
	done
	exit $rc' sh "$root" "$cache" "$debs" "$@"
