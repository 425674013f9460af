#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the Debian test guest when the kernel command line has
# pvkit.test=dkms-remove (pvkit-dkms-remove.service): removes the kit with
# DKMS as a user would (dkms remove, then update-initramfs, so the next
# boot's initramfs no longer loads virtio_console_fix), reports to the
# port named by $1 and powers off. The package itself stays installed,
# as after a user's "dkms remove": the host side
# (tools/guest/debian-guest.sh) boots the disk again and checks that the
# kernel's own drivers took over.
out=${1:-/dev/ttyS1}
exec >"$out" 2>&1
kver=$(uname -r)
echo "@@ remove $kver"
# Before: the kit at work (the host checks it is ours that is bound).
pvkit-status > /run/pvkit-status.txt 2>&1
echo "before.status.rc=$?"
sed 's/^/before.status.out=/' /run/pvkit-status.txt
ver=$(dkms status pvkit 2>/dev/null | sed -n 's|^pvkit/\([^,]*\),.*|\1|p' | head -n1)
echo "remove.version=$ver"
dkms remove "pvkit/$ver" --all > /run/dkms-remove.txt 2>&1
echo "remove.rc=$?"
sed 's/^/remove.out=/' /run/dkms-remove.txt
update-initramfs -u -k "$kver" > /run/update-initramfs.txt 2>&1
echo "initramfs.rc=$?"
sed 's/^/initramfs.out=/' /run/update-initramfs.txt
echo "initrd.fix=$(lsinitramfs "/boot/initrd.img-$kver" | grep -c '/virtio_console_fix\.ko')"
echo "dkms.status=$(dkms status pvkit 2>/dev/null | tr '\n' ';')"
for m in vmm_clock vmmci virtio_console virtio_console_fix; do
	echo "after.module.$m.path=$(modinfo -n $m 2>/dev/null)"
done
sync
echo "@@ removed"
# Not interactive, though stdout is a serial port: no inhibitor check,
# which would need logind over D-Bus (the image has neither).
exec systemctl --check-inhibitors=no poweroff
