#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Claim: loading by device alias, as udev's coldplug does at boot
# (modprobe every modalias under /sys until nothing new appears), binds
# vmd's control device (PCI 0b5d:0777) to vmmci and a virtio console to
# the kit's virtio_console, not the in-tree one.
#
#   coldplug.sh vmd|std     vmd: the vmmci device must exist and bind
# TAP; exit 0 pass, 1 fail.
host=${1:-vmd}
echo "TAP version 13"
echo "1..2"
# virtio devices only appear once virtio_pci is bound: repeat until stable.
prev=
for _ in 1 2 3 4; do
	aliases=$(find /sys/devices -name modalias -exec cat {} + 2>/dev/null | sort -u)
	[ "$aliases" = "$prev" ] && break
	prev=$aliases
	echo "$aliases" | xargs modprobe -a -q 2>/dev/null
done
rc=0

vmmci=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x0b5d ] && [ "$(cat "$d/device")" = 0x0777 ] && vmmci=$d
done
if [ "$host" = vmd ]; then
	drv=$(basename "$(readlink "$vmmci/driver" 2>/dev/null)" 2>/dev/null)
	echo "# vmmci device: ${vmmci:-none}, driver: ${drv:-none}"
	if [ -n "$vmmci" ] && [ "$drv" = vmmci ]; then
		echo "ok 1 0b5d:0777 bound to vmmci through its PCI alias"
	else
		echo "not ok 1 0b5d:0777 bound to vmmci through its PCI alias"
		rc=1
	fi
else
	if [ -z "$vmmci" ] && [ ! -d /sys/module/vmmci ]; then
		echo "ok 1 no vmmci device, vmmci not loaded"
	else
		echo "not ok 1 no vmmci device, vmmci not loaded"
		rc=1
	fi
fi

con=
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device" 2>/dev/null)" = 0x0003 ] && con=$d
done
drv=$(basename "$(readlink "$con/driver" 2>/dev/null)" 2>/dev/null)
ver=$(cat /sys/module/virtio_console/version 2>/dev/null)
echo "# virtio console: ${con:-none}, driver: ${drv:-none}, module version: ${ver:-none (in-tree)}"
if [ -n "$con" ] && [ "$drv" = virtio_console ] &&
   [ -n "$ver" ] && [ "$ver" = "$(modinfo -F version virtio_console)" ]; then
	echo "ok 2 virtio console bound to the kit's virtio_console $ver"
else
	echo "not ok 2 virtio console bound to the kit's virtio_console"
	rc=1
fi
exit $rc
