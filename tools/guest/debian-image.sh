#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Debian guest disk of the guest kernel's release (bookworm for 6.1,
# trixie for 6.12, ...) with the kit installed the way users install it:
# the pvkit-dkms .deb, dpkg -i'd in a chroot that has dkms and the guest
# kernel's headers, so DKMS's own postinst builds and installs the modules
# for that kernel. Prints the image path (last stdout line).
#
#   debian-image.sh [KVER]      default: bookworm's cloud kernel
#
# The release is the kernel's: the suite tools/testvm/kernels.sh fetched
# its headers from (.suite; "trixie-security" means trixie), or the build
# machine's own release for the default kernel, whose headers are the
# machine's. The image's apt sources are that release, its -updates and
# -security suites (the newest kernel of a stable release is often only in
# -security) and a -backports suite if the kernel came from there.
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
#                    then dkms and linux-headers-KVER from the release
#                    (+ initramfs-tools where the image gets an initramfs)
#   pvkit-<release>-<key>.img
#                    base + the guest kernel's modules (from
#                    tools/testvm/kernels.sh) + dpkg -i pvkit-dkms + a
#                    report unit, as ext4 made by mkfs.ext4 -d (no loop
#                    mount); the two newest are kept per release
#   pvkit-<release>-<key>.initrd
#                    the image's /boot/initrd.img-KVER, where it has one
# The kernel boots with -kernel and root=/dev/nvme0n1: Debian's cloud kernel
# has NVMe and ext4 built in (virtio_blk and ata_piix are modules), so no
# initramfs is needed to mount the root. A kernel with virtio_console built
# in (6.12 and later) gets one anyway, made in the image the way the
# kernel's package makes it (update-initramfs -c, then the kit's package
# triggers update-initramfs -u), because that is where the kit's
# virtio_console_fix is loaded from there: the harness boots it with
# -initrd of the copy extracted here, so the initramfs path is what is
# tested.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
kver=${1:-$(tools/testvm/kernels.sh default)}
cache=${PVKIT_CACHE:-/var/cache/pvkit}
images=$cache/images

log() { echo "debian-image: $*" >&2; }
kdir=$(tools/testvm/kernels.sh path "$kver" || { tools/testvm/kernels.sh fetch "$kver" >&2; tools/testvm/kernels.sh path "$kver"; })
[ -n "$kdir" ] || { log "no kernel $kver (tools/testvm/kernels.sh fetch $kver)"; exit 1; }
# The suite of the kernel's package, and the release it belongs to.
from=$(cat "$cache/headers/$kver/.suite" 2>/dev/null || true)
[ -n "$from" ] || from=$(. /etc/os-release && echo "$VERSION_CODENAME")
suite=${from%%-*}
# shellcheck source=../lib/debian-apt.sh
. "$top/tools/lib/debian-apt.sh"
mirror=$(debian_mirror)
secmirror=${mirror%/debian}/debian-security
include=systemd-sysv,udev,kmod
extra="dkms linux-headers-$kver"
initrd=
if grep -q '/virtio_console\.ko$' "$kdir/lib/modules/$kver/modules.builtin"; then
	initrd=yes
	extra="$extra initramfs-tools"
fi
sources="deb $mirror $suite main
deb $mirror $suite-updates main
deb $secmirror $suite-security main"
backports=
case $from in
*-backports) backports=$from sources="$sources
deb $mirror $from main" ;;
esac
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
base_key=$(echo "base-v1 $suite $mirror $include $extra${backports:+ $backports}" | sha256sum | cut -c1-12)
base=$images/base-$base_key.tar
if [ ! -f "$base" ]; then
	log "building $base (debootstrap, a few minutes)"
	r=$images/base-$base_key.tmp
	rm -rf "$r"
	debootstrap --variant=minbase --include="$include" "$suite" "$r" "$mirror" >&2
	echo "$sources" > "$r/etc/apt/sources.list"
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
key=$( { echo "img-v1 $base_key $kver"; sha256sum "$deb" "$0" tools/guest/guest-report.sh tools/guest/guest-dkms-remove.sh | cut -d' ' -f1;
	 ls -l "$kdir/boot/vmlinuz-$kver"; } | sha256sum | cut -c1-12)
img=$images/pvkit-$suite-$key.img
if [ -f "$img" ] && { [ -z "$initrd" ] || [ -f "${img%.img}.initrd" ]; }; then
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
# postinst is not needed: the kernel boots with -kernel). $r/lib is a link
# to usr/lib in merged-/usr releases (trixie): cp follows it.
mkdir -p "$r/lib/modules/$kver"
cp -a "$kdir/lib/modules/$kver/." "$r/lib/modules/$kver/"
depmod -b "$r" "$kver"
if [ -n "$initrd" ]; then
	# What linux-image's postinst leaves behind: the kernel and its
	# config in /boot (mkinitramfs reads the config) and an initramfs
	# made by its kernel hook, before the kit is installed.
	for f in vmlinuz config System.map; do
		cp "$kdir/boot/$f-$kver" "$r/boot/"
	done
	in_root "$r" update-initramfs -c -k "$kver" >&2
fi
cp "$deb" "$r/tmp/"
in_root "$r" dpkg -i "/tmp/$(basename "$deb")" >&2
rm -f "$r/tmp/$(basename "$deb")"
in_root "$r" dkms status >&2
if [ -n "$initrd" ]; then
	# The package's trigger ran update-initramfs -u, with the kit's hook.
	in_root "$r" lsinitramfs "/boot/initrd.img-$kver" | grep -E 'virtio_console' >&2 ||
		log "warning: no virtio_console_fix in the image's initramfs"
	cp "$r/boot/initrd.img-$kver" "${img%.img}.initrd.tmp"
fi

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
ConditionKernelCommandLine=!pvkit.test=dkms-remove

[Service]
Type=simple
ExecStart=/usr/local/sbin/pvkit-report /dev/ttyS1
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOT
ln -sf /etc/systemd/system/pvkit-report.service \
	"$r/etc/systemd/system/multi-user.target.wants/pvkit-report.service"
# The kit's removal, on a boot that asks for it (the harness's round trip
# on a writable copy of the image).
install -m 0755 tools/guest/guest-dkms-remove.sh "$r/usr/local/sbin/pvkit-dkms-remove"
cat > "$r/etc/systemd/system/pvkit-dkms-remove.service" <<'EOT'
# SPDX-License-Identifier: GPL-2.0
[Unit]
Description=pvkit: dkms remove the kit, then power off (test boot)
After=systemd-modules-load.service systemd-udev-trigger.service multi-user.target
ConditionKernelCommandLine=pvkit.test=dkms-remove

[Service]
Type=simple
ExecStart=/usr/local/sbin/pvkit-dkms-remove /dev/ttyS1
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOT
ln -sf /etc/systemd/system/pvkit-dkms-remove.service \
	"$r/etc/systemd/system/multi-user.target.wants/pvkit-dkms-remove.service"
# Nothing in the guest needs these, and they slow a TCG boot.
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	 e2scrub_all.timer fstrim.timer; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done

size=$(( $(du -sm "$r" | cut -f1) * 13 / 10 + 256 ))
mkfs.ext4 -q -F -L pvkit-root -d "$r" "$img.tmp" "${size}M" >&2
[ -z "$initrd" ] || mv "${img%.img}.initrd.tmp" "${img%.img}.initrd"
mv "$img.tmp" "$img"
rm -rf "$r"
# Keep the two newest images of each release (one per kit change; the
# releases do not evict each other): each is ~1 GB. Images named before
# there was a release in the name go.
# shellcheck disable=SC2012 # our own image names, newest first by mtime
for old in $(ls -t "$images/pvkit-$suite"-*.img | tail -n +3) \
	   "$images"/pvkit-????????????.img; do
	if [ -e "$old" ]; then
		log "dropping $old"
		rm -f "$old" "${old%.img}.initrd"
	fi
done
log "image built in $(( $(date +%s) - t1 ))s (base excluded): $img (${size} MB)"
echo "$img"
