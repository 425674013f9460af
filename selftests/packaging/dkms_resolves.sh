#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Claim: after a DKMS install, modprobe's view of the kit (depmod's search
# order) picks the DKMS copies in updates/dkms for all three modules, and
# all three carry one kit version. TAP; exit 0 pass, 1 fail.
kver=$(uname -r)
echo "TAP version 13"
echo "1..4"
rc=0 n=0 ver=
for m in vmm_clock vmmci virtio_console; do
	n=$((n + 1))
	p=$(modinfo -n "$m" 2>/dev/null)
	v=$(modinfo -F version "$m" 2>/dev/null)
	echo "# $m: $p version=$v"
	case $p in
	*/lib/modules/$kver/updates/dkms/$m.ko*) echo "ok $n $m resolves to updates/dkms" ;;
	*) echo "not ok $n $m resolves to updates/dkms (got '$p')"; rc=1 ;;
	esac
	[ -z "$ver" ] && ver=$v
	[ "$v" = "$ver" ] || { echo "# $m has version '$v', expected '$ver'"; ver=mismatch; }
done
if [ -n "$ver" ] && [ "$ver" != mismatch ]; then
	echo "ok 4 one kit version: $ver"
else
	echo "not ok 4 one kit version"
	rc=1
fi
exit $rc
