#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, part 1: vmm_clock turns vmm's pvclock into the guest's clocksource.
cs=/sys/devices/system/clocksource/clocksource0
echo "== vmm_clock: the paravirtual clock of OpenBSD's vmm(4)"
echo "before: current_clocksource=$(cat $cs/current_clocksource)" \
	"(available: $(cat $cs/available_clocksource))"
modprobe vmm_clock || { echo "modprobe vmm_clock failed"; exit 1; }
echo "after:  current_clocksource=$(cat $cs/current_clocksource)"
dmesg | grep -i 'vmm_clock' | tail -n 3
echo "-- /sys/kernel/debug/vmm_clock/status"
head -n 12 /sys/kernel/debug/vmm_clock/status 2>/dev/null
[ "$(cat $cs/current_clocksource)" = vmm-clock ]
