#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Debian bookworm guest disk with the kit installed the way users
# install it: the pvkit-dkms .deb, dpkg -i'd in a chroot that has dkms and
# the guest kernel's headers, so DKMS's own postinst builds and installs the
# modules for that kernel. Prints the image path (last stdout line).
#
#   debian-image.sh [KVER]      default: bookworm's cloud kernel
#
# Why the .deb and not copied .ko files: this is what a user runs, it
# exercises the package's maintainer scripts, AUTOINSTALL and dkms's
# version check against the in-tree virtio_console, and leaves DKMS's
# state in the image consistent (dkms status works in the guest). The cost
# is a compiler in the image (~300 MB more) and a slower cold build; both
# are paid once, as the images are cached.
#
# Layers, each cached under $PVKIT_CACHE/images/ by a hash of its inputs:
#   base-<key>.tar   debootstrap --variant=minbase + systemd-sysv udev kmod,
#                    then dkms and linux-headers-KVER from bookworm(-security)
#   pvkit-<key>.img  base + the guest kernel's modules (from
#                    tools/testvm/kernels.sh) + dpkg -i pvkit-dkms + a
#                    report unit, as ext4 made by mkfs.ext4 -d (no loop mount)
# The kernel boots with -kernel and root=/dev/nvme0n1: Debian's cloud kernel
# has NVMe and ext4 built in (virtio_blk and ata_piix are modules), so no
# initramfs is needed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
kver=${1:-$(tools/testvm/kernels.sh default)}
cache=${PVKIT_CACHE:-/var/cache/pvkit}
images=$cache/images
suite=bookworm
# shellcheck source=../lib/debian-apt.sh
. "$top/tools/lib/debian-apt.sh"
mirror=$(debian_mirror)
secmirror=${mirror%/debian}/debian-security
include=systemd-sysv,udev,kmod
extra="dkms linux-headers-$kver"

log() { echo "debian-image: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 1; }
command -v debootstrap >/dev/null || { log "needs debootstrap (apt-get install debootstrap)"; exit 1; }
mkdir -p "$images"
exec 9>"$images/.lock"
flock 9

# Run a command chrooted into $1 with /proc, /sys and /dev mounted in a
# private mount namespace: the mounts vanish with the command.
in_root() {
	local r=$1; shift
	unshare -m --fork sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" &&
		mount --rbind /sys "$r/sys" &&
		mount --rbind /dev "$r/dev" &&
		exec chroot "$r" "$@"' sh "$r" "$@"
}

t0=$(date +%s)
base_key=$(echo "base-v1 $suite $mirror $include $extra" | sha256sum | cut -c1-12)
base=$images/base-$base_key.tar
if [ ! -f "$base" ]; then
	log "building $base (debootstrap, a few minutes)"
	r=$images/base-$base_key.tmp
	rm -rf "$r"
	debootstrap --variant=minbase --include="$include" "$suite" "$r" "$mirror" >&2
	cat > "$r/etc/apt/sources.list" <<EOT
deb $mirror $suite main
deb $mirror $suite-updates main
deb $secmirror $suite-security main
EOT
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	in_root "$r" sh -c "apt-get -q update && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $extra && apt-get clean" >&2
	rm -f "$r/etc/resolv.conf"
	tar -C "$r" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
	rm -rf "$r"
	log "base built in $(( $(date +%s) - t0 ))s"
fi

deb=$(tools/pkg/build-deb.sh | tail -n1)
kdir=$(tools/testvm/kernels.sh path "$kver" || { tools/testvm/kernels.sh fetch "$kver" >&2; tools/testvm/kernels.sh path "$kver"; })
key=$( { echo "img-v1 $base_key $kver"; sha256sum "$deb" "$0" tools/guest/guest-report.sh | cut -d' ' -f1;
	 ls -l "$kdir/boot/vmlinuz-$kver"; } | sha256sum | cut -c1-12)
img=$images/pvkit-$key.img
if [ -f "$img" ]; then
	log "cached: $img"
	echo "$img"
	exit 0
fi
t1=$(date +%s)
r=$images/pvkit-$key.tmp
rm -rf "$r"
mkdir -p "$r"
tar -C "$r" -xf "$base"
# The kernel's own modules, as linux-image would have put them (its
# initramfs and postinst are not needed: the kernel boots with -kernel).
cp -a "$kdir/lib/modules/$kver/." "$r/lib/modules/$kver/"
depmod -b "$r" "$kver"
cp "$deb" "$r/tmp/"
in_root "$r" dpkg -i "/tmp/$(basename "$deb")" >&2
rm -f "$r/tmp/$(basename "$deb")"
in_root "$r" dkms status >&2

# Boot-time configuration of the test guest.
echo pvkit-guest > "$r/etc/hostname"
echo "/dev/nvme0n1 / ext4 rw,errors=remount-ro 0 1" > "$r/etc/fstab"
# No password prompts on the console; the test never logs in.
sed -i 's/^root:[^:]*:/root::/' "$r/etc/shadow"
install -m 0755 tools/guest/guest-report.sh "$r/usr/local/sbin/pvkit-report"
cat > "$r/etc/systemd/system/pvkit-report.service" <<'EOT'
# SPDX-License-Identifier: GPL-2.0
[Unit]
Description=pvkit: report the kit's state to the host (ttyS1)
After=systemd-modules-load.service systemd-udev-trigger.service multi-user.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/pvkit-report /dev/ttyS1
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOT
ln -sf /etc/systemd/system/pvkit-report.service \
	"$r/etc/systemd/system/multi-user.target.wants/pvkit-report.service"
# Nothing in the guest needs these, and they slow a TCG boot.
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	 e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done

size=$(( $(du -sm "$r" | cut -f1) * 13 / 10 + 256 ))
mkfs.ext4 -q -F -L pvkit-root -d "$r" "$img.tmp" "${size}M" >&2
mv "$img.tmp" "$img"
rm -rf "$r"
# Keep the two newest images (one per kit change): each is ~1 GB.
# shellcheck disable=SC2012 # our own image names, newest first by mtime
ls -t "$images"/pvkit-*.img | tail -n +3 | xargs -r rm -f
log "image built in $(( $(date +%s) - t1 ))s (base excluded): $img (${size} MB)"
echo "$img"
