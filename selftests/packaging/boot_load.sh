#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Claim: what systemd-modules-load does at boot with the kit's
# /etc/modules-load.d/pvkit.conf (modprobe every listed name) loads
# vmm_clock on a vmd host and registers its clocksource, and on any other
# host fails harmlessly: ENODEV, nothing left loaded.
#
#   boot_load.sh vmd|std     which host the VM is
# TAP; exit 0 pass, 1 fail, 4 skip.
host=${1:-vmd}
conf=/etc/modules-load.d/pvkit.conf
echo "TAP version 13"
[ -r "$conf" ] || { echo "1..0 # SKIP no $conf (not a packaged install)"; exit 4; }
echo "1..2"
mods=$(sed 's/#.*//' "$conf" | tr -s ' \n' ' ')
echo "# $conf lists: $mods"
case " $mods " in
*" vmm_clock "*) echo "ok 1 $conf lists vmm_clock" ;;
*) echo "not ok 1 $conf lists vmm_clock"; exit 1 ;;
esac
# systemd-modules-load loads each name on its own and reports failures;
# ENODEV and ENOENT (a module that does not apply here says so) do not
# fail the unit, anything else does.
out=
nodev=
for m in $mods; do
	if ! o=$(modprobe "$m" 2>&1); then
		case $o in
		*"No such device"* | *"not found"*) nodev="$nodev $m: $o;" ;;
		*) out="$out $m: ${o:-failed};" ;;
		esac
	fi
done
echo "# modprobe errors:${out:- none}; harmless:${nodev:- none}"
cs=/sys/devices/system/clocksource/clocksource0
if [ "$host" = vmd ]; then
	avail=$(cat $cs/available_clocksource 2>/dev/null)
	echo "# available: $avail; current: $(cat $cs/current_clocksource)"
	if [ -z "$out" ] && [ -d /sys/module/vmm_clock ] &&
	   echo " $avail " | grep -q ' vmm-clock '; then
		echo "ok 2 vmm_clock loaded at boot and registered vmm-clock"
		exit 0
	fi
	echo "not ok 2 vmm_clock loaded at boot and registered vmm-clock"
	exit 1
fi
# Elsewhere: the load must fail with ENODEV and leave nothing behind.
if [ -d /sys/module/vmm_clock ]; then
	echo "not ok 2 vmm_clock stays out on a non-vmd host (it loaded)"
	exit 1
fi
case "$out $nodev" in
*"vmm_clock: "*"No such device"*) [ -z "$out" ] &&
	echo "ok 2 vmm_clock fails with ENODEV on a non-vmd host, nothing else fails" ;;
*) false ;;
esac || { echo "not ok 2 vmm_clock fails with ENODEV on a non-vmd host (got '$out$nodev')"; exit 1; }
dmesg | grep 'vmm_clock' | tail -n 3 | sed 's/^/# /'
exit 0
