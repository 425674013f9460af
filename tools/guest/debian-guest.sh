#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a real Debian bookworm guest (systemd + udev, the kit installed with
# the pvkit-dkms package: tools/guest/debian-image.sh) on the vmd host model
# and check the boot-time integration end to end (host test
# packaging/debian-guest):
#
#   - systemd-modules-load inserted vmm_clock (modules-load.d/pvkit.conf)
#     and the vmm-clock clocksource registered;
#   - udev loaded vmmci through its PCI alias and it bound 0b5d:0777, and
#     loaded the kit's virtio_console (not the in-tree one) for a virtio
#     console;
#   - all three modules resolve to updates/dkms with the kit's version;
#   - `vmctl stop` then ends the VM through a clean systemd shutdown: the
#     console shows systemd's final shutdown target and the kernel's
#     restart/power-down line, and the host model names a guest-initiated
#     end (vm-end reason=guest-poweroff or guest-reboot).
#
# On every host the boot must end "running" (not "degraded": no failed
# unit, systemd-modules-load included) with the expected clocksource.
#
#   debian-guest.sh [KVER] [HOST]
#   HOST: old-vmm (default; vmm before the KVM leaf: vmm-clock current),
#         vmm-1.64 (KVM leaf: kvm-clock attaches at boot, vmm_clock loads
#         next to it and is current), std (not vmm: vmm_clock stays out
#         with one ENODEV line, no vmmci device)
#
# Exit 0 pass, 1 fail, 4 skip (host model not built, no debootstrap).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
kver=${1:-$(tools/testvm/kernels.sh default)}
host=${2:-old-vmm}
# Each host is a platform of the runner (tools/testvm/testvm qemu-argv):
# the vmd profile (1 vCPU, no ACPI, no HPET, PIC, vmmci, the host model),
# with vmm 1.64's KVM leaf, or Debian's usual QEMU guest.
case $host in
old-vmm) profile=vmd props= ;;
vmm-1.64) profile=vmd props=openbsd-vmm-kvm-leaf=on ;;
std)	 profile=std props= ;;
*)	 echo "debian-guest: unknown host '$host' (old-vmm, vmm-1.64, std)" >&2; exit 1 ;;
esac
ver=$(cat VERSION)
logs=$top/build/test-logs/host/debian-guest${2:+-$host}
boot_timeout=${PVKIT_DEBIAN_BOOT_TIMEOUT:-600}
stop_timeout=${PVKIT_DEBIAN_STOP_TIMEOUT:-300}

skip() { echo "SKIP: $*"; exit 4; }
# PVKIT_VMD_QEMU overrides the host model's binary there too.
platform=$(tools/testvm/testvm qemu-argv --profile "$profile" --cpu-props "$props" \
	-k "$kver" --mem 768 --append "root=/dev/nvme0n1 rw console=ttyS0,115200 panic=-1 oops=panic no_timer_check systemd.show_status=1") || {
	[ $? -eq 4 ] && skip "host model not built (tools/vmd-qemu/build.sh)"
	echo "FAIL: testvm qemu-argv"; exit 1
}
mapfile -t platform <<<"$platform"
command -v debootstrap >/dev/null || skip "no debootstrap (apt-get install debootstrap)"
# One run at a time: make check and a developer may start this together,
# and the runs share build/ paths.
mkdir -p "$top/build/pkg"
exec 8>"$top/build/pkg/.lock-debian-guest"
flock 8
t0=$(date +%s)
img=$(tools/guest/debian-image.sh "$kver" | tail -n1)
t_img=$(( $(date +%s) - t0 ))
echo "# image $img ready in ${t_img}s"
kimg=$(tools/testvm/kernels.sh path "$kver")/boot/vmlinuz-$kver

rm -rf "$logs"
mkdir -p "$logs"
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid"; wait "$qpid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
# On the platform: COM1 console, the report port, QMP for vmctl, and a
# virtio console for udev to bind to the kit's virtio_console (vmd has
# none: its console is COM1). The disk is NVMe because Debian's cloud
# kernel has it built in (no initramfs); snapshot=on keeps the cached
# image clean.
# shellcheck disable=SC2054 # the commas are inside QEMU's option values
argv=("${platform[@]}"
	-chardev file,id=con,path="$logs/console.log" -serial chardev:con
	-chardev file,id=res,path="$logs/results.log" -serial chardev:res
	-qmp unix:"$logs/qmp.sock",server=on,wait=off
	-drive file="$img",if=none,id=d0,format=raw,snapshot=on
	-device nvme,drive=d0,serial=pvkit
	-device virtio-serial-pci,id=vs0 -chardev null,id=vc0
	-device virtconsole,chardev=vc0,bus=vs0.0
	-kernel "$kimg")
printf '%q ' "${argv[@]}" > "$logs/qemu.cmd"
echo >> "$logs/qemu.cmd"
"${argv[@]}" 2>"$logs/qemu.stderr" &
qpid=$!
tb=$(date +%s)
until grep -q '^@@ ready' "$logs/results.log" 2>/dev/null; do
	if ! kill -0 "$qpid" 2>/dev/null; then
		tail -n 30 "$logs/console.log"; cat "$logs/qemu.stderr"
		echo "FAIL: the guest ended before reporting"; exit 1
	fi
	if [ $(( $(date +%s) - tb )) -gt "$boot_timeout" ]; then
		tail -n 30 "$logs/console.log"
		echo "FAIL: no report within ${boot_timeout}s"; exit 1
	fi
	sleep 1
done
t_boot=$(( $(date +%s) - tb ))
echo "# booted and reported in ${t_boot}s"
# The serial port turns \n into \r\n: drop the \r once, here.
tr -d '\r' < "$logs/results.log" > "$logs/report.txt"
sed 's/^/# /' "$logs/report.txt"

rc=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; rc=1; fi; }
val() { sed -n "s/^$1=//p" "$logs/report.txt" | head -n1; }
check "boot not degraded (system.state=$(val system.state), modules-load $(val modules-load.result))" \
	'[ "$(val system.state)" = running ] && [ "$(val modules-load.result)" = success ]'
if [ "$host" = std ]; then
	check "not vmm: vmm_clock stayed out, current $(val clocksource.current)" \
		'[ "$(val module.vmm_clock.loaded)" = no ] && [ "$(val clocksource.current)" != vmm-clock ]'
	mods="virtio_console"
else
	check "systemd-modules-load inserted vmm_clock" \
		'grep -q "^modules-load.log=Inserted module .vmm_clock." "$logs/report.txt"'
	check "vmm-clock current, no boot parameter ($(val clocksource.current))" \
		'[ "$(val clocksource.current)" = vmm-clock ]'
	check "udev bound 0b5d:0777 to vmmci (alias load; not in modules-load.d)" \
		'[ "$(val vmmci.driver)" = vmmci ] && ! grep -q vmmci <<<"$(val modules-load.conf)"'
	mods="vmm_clock vmmci virtio_console"
fi
for m in vmm_clock vmmci virtio_console; do
	check "$m resolves to updates/dkms" \
		'[ "$(val module.$m.path)" = "/lib/modules/$kver/updates/dkms/$m.ko" ]'
done
for m in $mods; do
	check "$m $ver loaded" '[ "$(val module.$m.version)" = "$ver" ]'
done
check "pvkit-status: the kit at work (exit 0)" '[ "$(val status.rc)" = 0 ]'
case $host in
old-vmm) want_host="OpenBSD vmm without the KVM leaf" ;;
vmm-1.64) want_host="OpenBSD vmm with the KVM leaf" ;;
std) want_host="KVM|no hypervisor|another hypervisor|a hypervisor without" ;;
esac
check "pvkit-status names the host: $want_host" \
	'grep -qE "^status.out=host  *($want_host)" "$logs/report.txt"'
if [ "$host" != std ]; then
	check "pvkit-status: vmm-clock current, the kit's choice" \
		'grep -q "^status.out=clocksource  *vmm-clock: the kit.s" "$logs/report.txt"'
fi
check "dkms status: pvkit installed for $kver" \
	'grep -q "pvkit/$ver, $kver, x86_64: installed" <<<"$(val dkms.status)"'

if [ "$host" = std ]; then
	# No vmmci on a non-vmm host, so no vmctl stop: the report is all.
	check "no kernel splat" \
		'! grep -qE "WARNING: CPU: [0-9]|BUG: |Oops: |Kernel panic|Call Trace:" "$logs/console.log"'
	echo "# timings: image ${t_img}s, boot-to-report ${t_boot}s"
	exit $rc
fi
# The host asks the guest to stop, as vmctl(8) stop does.
ts=$(date +%s)
stop_out=$(tools/vmd-qemu/vmctl -s "$logs/qmp.sock" stop 2>&1) || true
echo "# vmctl stop: $stop_out"
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(( $(date +%s) - ts )) -gt "$stop_timeout" ]; then
		echo "FAIL: the guest did not end within ${stop_timeout}s of vmctl stop"
		tail -n 20 "$logs/console.log"
		exit 1
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null || true
qpid=
t_stop=$(( $(date +%s) - ts ))
echo "# guest ended ${t_stop}s after vmctl stop"
reason=$(sed -n 's/.*vmd-qemu: vm-end reason=\([^ ]*\).*/\1/p' "$logs/qemu.stderr" | head -n1)
echo "# vm-end reason=$reason"
grep -E 'Reached target .*(Power-Off|Reboot|Halt|System Power Off|System Reboot)|systemd-shutdown|reboot: ' \
	"$logs/console.log" | tail -n 6 | sed 's/^/# /' || true
check "guest-initiated end (vm-end reason=$reason)" \
	'case $reason in guest-poweroff|guest-reboot) true ;; *) false ;; esac'
check "systemd reached its final shutdown target" \
	'grep -qE "Reached target .*(System Power Off|System Reboot|Power-Off|Reboot)" "$logs/console.log"'
check "systemd-shutdown finished (kernel restart/power-down line)" \
	'grep -qE "reboot: (Restarting system|Power down|System halted)" "$logs/console.log"'
check "no kernel splat" \
	'! grep -qE "WARNING: CPU: [0-9]|BUG: |Oops: |Kernel panic|Call Trace:" "$logs/console.log"'
echo "# timings: image ${t_img}s, boot-to-report ${t_boot}s, stop ${t_stop}s"
exit $rc
