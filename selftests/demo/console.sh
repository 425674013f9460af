#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, part 3: our virtio_console replaces the in-tree one.
echo "== virtio_console: the drop-in console whose wakeups survive poll()"
# No udev in the demo guest: load the PCI transport, then the console.
modprobe virtio_pci && modprobe virtio_console || exit 1
sleep 1
echo "loaded: $(modinfo -n virtio_console) version $(cat /sys/module/virtio_console/version 2>/dev/null)"
for p in /sys/class/virtio-ports/*; do
	echo "port $(basename "$p"): name=$(cat "$p/name" 2>/dev/null)"
done
for p in /sys/class/virtio-ports/*; do
	[ "$(cat "$p/name" 2>/dev/null)" = pvkit.demo ] && port=/dev/$(basename "$p")
done
[ -n "${port:-}" ] || { echo "no pvkit.demo port"; exit 1; }
echo "hello host, from the guest's $port" > "$port"
echo "host received: $(hostctl run show_port.sh)"
