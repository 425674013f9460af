#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the Debian test guest (pvkit-report.service, after
# systemd-modules-load and udev's coldplug): writes the kit's state as
# key=value lines to the port named by $1, then "@@ ready". The host side
# (tools/guest/debian-guest.sh) judges it; this script only reports.
out=${1:-/dev/ttyS1}
exec >"$out" 2>&1
kver=$(uname -r)
echo "@@ report $kver"
# udev loads vmmci asynchronously after the coldplug trigger: give the
# alias load a moment to land before reporting it missing.
i=0
while [ $i -lt 30 ] && [ ! -e /sys/module/vmmci ]; do sleep 1; i=$((i + 1)); done
udevadm settle -t 30 2>/dev/null || true

for m in vmm_clock vmmci virtio_console virtio_console_fix; do
	echo "module.$m.loaded=$([ -d /sys/module/$m ] && echo yes || echo no)"
	echo "module.$m.path=$(modinfo -n $m 2>/dev/null)"
	echo "module.$m.version=$(cat /sys/module/$m/version 2>/dev/null)"
done
# The console: built into this kernel or a module, which driver each
# console device has, the named ports' links, and one line written
# through each link (the host reads it back from the port's chardev).
grep -q '/virtio_console\.ko$' "/lib/modules/$kver/modules.builtin" &&
	echo "console.builtin=yes" || echo "console.builtin=no"
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device" 2>/dev/null)" = 0x0003 ] || continue
	echo "console.driver=${d##*/} $(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
done
for l in /dev/virtio-ports/*; do
	[ -e "$l" ] || continue
	echo "port.link=${l##*/} $(readlink "$l")"
	w=0
	printf 'pvkit-port %s %s\n' "${l##*/}" "$kver" > "$l" || w=1
	echo "port.write.${l##*/}=$w"
done
echo "console.kmsg=$(dmesg | grep -E 'virtio_console(_fix)?:' | tr '\n' ';')"
if [ -f "/boot/initrd.img-$kver" ]; then
	echo "initrd.fix=$(lsinitramfs "/boot/initrd.img-$kver" | grep -c '/virtio_console_fix\.ko')"
fi
echo "getty.hvc0=$(systemctl is-active serial-getty@hvc0.service)"
cs=/sys/devices/system/clocksource/clocksource0
echo "clocksource.current=$(cat $cs/current_clocksource)"
echo "clocksource.available=$(cat $cs/available_clocksource)"
for d in /sys/bus/pci/devices/*; do
	{ [ "$(cat "$d/vendor")" = 0x0b5d ] && [ "$(cat "$d/device")" = 0x0777 ]; } || continue
	echo "vmmci.device=$(basename "$d")"
	echo "vmmci.driver=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
done
# Who loaded what: systemd-modules-load logs each module it inserts.
echo "modules-load.result=$(systemctl show -p Result --value systemd-modules-load.service)"
journalctl -b -o cat --no-pager SYSLOG_IDENTIFIER=systemd-modules-load |
	sed 's/^/modules-load.log=/'
echo "journal.lines=$(journalctl -b --no-pager -o cat | wc -l)"
journalctl -b --no-pager -o cat | grep -i -E 'vmm_clock|modules-load' | sed 's/^/journal.grep=/'
echo "modules-load.conf=$(sed 's/#.*//' /etc/modules-load.d/pvkit.conf | tr -s ' \n' ' ')"
echo "dkms.status=$(dkms status 2>/dev/null | tr '\n' ';')"
# The final state once the boot's jobs are done (this unit is Type=simple,
# so it is not one of them), as a user's "systemctl is-system-running" sees it.
echo "system.state=$(timeout 300 systemctl is-system-running --wait 2>/dev/null)"
# What a user sees: the package's own status command, and its verdict.
pvkit-status > /run/pvkit-status.txt 2>&1
echo "status.rc=$?"
sed 's/^/status.out=/' /run/pvkit-status.txt
systemctl --failed --no-legend --plain 2>/dev/null | sed 's/^/system.failed=/'
echo "@@ ready"
