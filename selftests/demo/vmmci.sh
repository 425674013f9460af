#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, part 2: vmmci binds vmd's control device and keeps the clock
# in step when the host's clock jumps (host suspend/resume).
echo "== vmmci: vmd's VMM control interface (PCI 0b5d:0777)"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x0b5d ] && dev=$d
done
[ -n "${dev:-}" ] || { echo "no vmmci device"; exit 1; }
modprobe "$(cat "$dev/modalias")" || exit 1
echo "bound: $(basename "$dev") -> $(basename "$(readlink "$dev/driver")")"
echo "host sees: $(hostctl vmctl status | tr ';' ' ')"
echo "guest time before the host clock jumps: $(date -u)"
hostctl vmctl clock +3600 >/dev/null
sleep 3
echo "guest time after 'vmctl clock +3600':   $(date -u)"
dmesg | grep -i vmmci | tail -n 3
for f in cmds_seen cmds_acked syncs last_step_ns samples offset_ns; do
	echo "  vmmci/$f = $(cat "$dev/vmmci/$f" 2>/dev/null)"
done
