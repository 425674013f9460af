#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a real Debian guest (systemd + udev, the kit installed with the
# pvkit-dkms package: tools/guest/debian-image.sh) on the vmd host model
# and check the boot-time integration end to end (host tests
# packaging/debian-guest*):
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
# On a kernel with virtio_console built in (trixie's 6.12) the guest boots
# with the initramfs the package's trigger made in the image, and instead
# of the drop-in:
#
#   - virtio_console_fix was loaded from the initramfs (its takeover line
#     comes before the kernel runs the root file system's init) and owns
#     every console device, which pvkit-status confirms (exit 0);
#   - a named port (virtserialport name=org.pvkit.test0) has its
#     /dev/virtio-ports link, and a line written through it reaches the
#     host;
#   - hvc0 (console=hvc0 console=ttyS0, a virtconsole on a file) carries
#     kernel lines printed before the takeover and after it, and the
#     getty systemd starts on hvc0 prints its login prompt there.
#
# With "dkms-remove" (trixie and later; a stress test, three boots' worth
# of TCG time): a writable copy of the image boots with
# pvkit.test=dkms-remove, whose unit runs `dkms remove pvkit/VER --all`
# and update-initramfs and powers off; the copy's new initramfs is taken
# out of the disk and the copy boots again: the built-in virtio_console
# drives the console devices, pvkit-status reports no kit console driver
# (exit 0), hvc0 and the port links work, the boot is not degraded.
#
# On every host the boot must end "running" (not "degraded": no failed
# unit, systemd-modules-load included) with the expected clocksource.
#
#   debian-guest.sh [KVER|SUITE] [HOST] [dkms-remove]
#   KVER or SUITE: the guest kernel (default: bookworm's), or the suite
#         whose kernel of the matrix to boot (trixie: tools/testvm/kernels.sh
#         resolves it, never pinned)
#   HOST: old-vmm (default; vmm before the KVM leaf: vmm-clock current),
#         vmm-1.64 (KVM leaf: kvm-clock attaches at boot, vmm_clock loads
#         next to it and is current), std (not vmm: vmm_clock stays out
#         with one ENODEV line, no vmmci device)
#
# PVKIT_DEBIAN_APPEND: more kernel arguments for every boot (to see the
# checks fail: module_blacklist=virtio_console_fix makes the kernel refuse
# the module, so the built-in driver keeps the console devices).
#
# Exit 0 pass, 1 fail, 4 skip (host model not built, no debootstrap).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
arg=${1:-}
case $arg in
"") kver=$(tools/testvm/kernels.sh default) ;;
[0-9]*) kver=$arg ;;
*)	kver=$(PVKIT_MATRIX="$arg:check" tools/testvm/kernels.sh list | awk 'NR == 1 { print $1 }')
	[ -n "$kver" ] || { echo "FAIL: no kernel of suite '$arg' in the archive"; exit 1; } ;;
esac
host=${2:-old-vmm}
mode=${3:-boot}
# Each host is a platform of the runner (tools/testvm/testvm qemu-argv):
# the vmd profile (1 vCPU, no ACPI, no HPET, PIC, vmmci, the host model),
# with vmm 1.64's KVM leaf, or Debian's usual QEMU guest.
case $host in
old-vmm) profile=vmd props= ;;
vmm-1.64) profile=vmd props=openbsd-vmm-kvm-leaf=on ;;
std)	 profile=std props= ;;
*)	 echo "debian-guest: unknown host '$host' (old-vmm, vmm-1.64, std)" >&2; exit 1 ;;
esac
case $mode in
boot | dkms-remove) ;;
*) echo "debian-guest: unknown mode '$mode' (boot, dkms-remove)" >&2; exit 1 ;;
esac
ver=$(cat VERSION)
logs=$top/build/test-logs/host/debian-guest${arg:+-$arg}${2:+-$host}
[ "$mode" = boot ] || logs=$logs-$mode
boot_timeout=${PVKIT_DEBIAN_BOOT_TIMEOUT:-600}
stop_timeout=${PVKIT_DEBIAN_STOP_TIMEOUT:-300}
append="root=/dev/nvme0n1 rw console=ttyS0,115200 panic=-1 oops=panic no_timer_check systemd.show_status=1"
port=org.pvkit.test0

skip() { echo "SKIP: $*"; exit 4; }
# The platform for kernel arguments $1, into ${platform[@]}.
# PVKIT_VMD_QEMU overrides the host model's binary there too.
platform_for() {
	local out rc=0
	out=$(tools/testvm/testvm qemu-argv --profile "$profile" --cpu-props "$props" \
		-k "$kver" --mem 768 --append "$1") || rc=$?
	[ $rc -eq 4 ] && skip "host model not built (tools/vmd-qemu/build.sh)"
	[ $rc -eq 0 ] || { echo "FAIL: testvm qemu-argv"; exit 1; }
	mapfile -t platform <<<"$out"
}
platform_for "$append"
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
kdir=$(tools/testvm/kernels.sh path "$kver")
kimg=$kdir/boot/vmlinuz-$kver
# virtio_console built in (6.12 and later): the kit's console driver is
# virtio_console_fix, loaded from the image's initramfs, and hvc0 carries
# a console too; ttyS0 stays the last console=, so it is /dev/console.
builtin=
if grep -q '/virtio_console\.ko$' "$kdir/lib/modules/$kver/modules.builtin"; then
	builtin=yes
	append="root=/dev/nvme0n1 rw console=hvc0 console=ttyS0,115200 panic=-1 oops=panic systemd.show_status=1"
	[ -f "${img%.img}.initrd" ] || { echo "FAIL: no initramfs next to $img"; exit 1; }
fi
if [ "$mode" = dkms-remove ] && [ "$host" = std ]; then
	echo "debian-guest: dkms-remove runs on the vmd hosts" >&2; exit 1
fi

rm -rf "$logs"
mkdir -p "$logs"
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid"; wait "$qpid" 2>/dev/null || true
	fi
	rm -f "$logs/disk.img"
}
trap cleanup EXIT

# boot DIR DISK SNAPSHOT INITRD [KERNEL ARGS]: start the guest in the
# background (its pid in $qpid), its logs in DIR.
# On the platform: COM1 console, the report port, QMP for vmctl, and a
# virtio console for udev to bind to the kit's virtio_console (vmd has
# none: its console is COM1). The disk is NVMe because Debian's cloud
# kernel has it built in (no initramfs needed); snapshot=on keeps the
# cached image clean. Where virtio_console is built in, the virtio
# console is a file (hvc.log: hvc0) and a named port (port.log) joins it.
boot() {
	local dir=$1 disk=$2 snap=$3 initrd=$4 args=${5:-}
	mkdir -p "$dir"
	args="$args ${PVKIT_DEBIAN_APPEND:-}"
	platform_for "$(echo "$append $args" | tr -s ' ' | sed 's/ $//')"
	# shellcheck disable=SC2054 # the commas are inside QEMU's option values
	argv=("${platform[@]}"
		-chardev file,id=con,path="$dir/console.log" -serial chardev:con
		-chardev file,id=res,path="$dir/results.log" -serial chardev:res
		-qmp unix:"$dir/qmp.sock",server=on,wait=off
		-drive file="$disk",if=none,id=d0,format=raw,snapshot="$snap"
		-device nvme,drive=d0,serial=pvkit
		-device virtio-serial-pci,id=vs0)
	if [ -n "$builtin" ]; then
		# shellcheck disable=SC2054
		argv+=(-chardev file,id=vc0,path="$dir/hvc.log"
			-device virtconsole,chardev=vc0,bus=vs0.0
			-chardev file,id=vp0,path="$dir/port.log"
			-device virtserialport,chardev=vp0,bus=vs0.0,name="$port"
			-kernel "$kimg" -initrd "$initrd")
	else
		# shellcheck disable=SC2054
		argv+=(-chardev null,id=vc0
			-device virtconsole,chardev=vc0,bus=vs0.0
			-kernel "$kimg")
	fi
	printf '%q ' "${argv[@]}" > "$dir/qemu.cmd"
	echo >> "$dir/qemu.cmd"
	"${argv[@]}" 2>"$dir/qemu.stderr" &
	qpid=$!
}

# wait_for DIR WHAT: until the report's "@@ ready" (WHAT=report) or the
# guest's own end (WHAT=end); fail on the other or on the timeout.
wait_for() {
	local dir=$1 what=$2 tb
	tb=$(date +%s)
	while :; do
		if [ "$what" = report ] && grep -q '^@@ ready' "$dir/results.log" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$qpid" 2>/dev/null; then
			wait "$qpid" 2>/dev/null || true
			qpid=
			[ "$what" = end ] && break
			tail -n 30 "$dir/console.log"; cat "$dir/qemu.stderr"
			echo "FAIL: the guest ended before reporting"; exit 1
		fi
		if [ $(( $(date +%s) - tb )) -gt "$boot_timeout" ]; then
			tail -n 30 "$dir/console.log"
			echo "FAIL: no ${what} within ${boot_timeout}s"; exit 1
		fi
		sleep 1
	done
	t_boot=$(( $(date +%s) - tb ))
	# The serial ports turn \n into \r\n: drop the \r once, here.
	tr -d '\r' < "$dir/results.log" > "$dir/report.txt"
	tr -d '\r' < "$dir/console.log" > "$dir/console.txt"
	[ ! -f "$dir/hvc.log" ] || tr -d '\r' < "$dir/hvc.log" > "$dir/hvc.txt"
}

rc=0
rep=$logs/report.txt
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; rc=1; fi; }
val() { sed -n "s/^$1=//p" "$rep" | head -n1; }
# shellcheck disable=SC2034 # used in check's eval
splat='WARNING: CPU: [0-9]|BUG: |Oops: |Kernel panic|Call Trace:'

# The named port's link, and a line written through it by the report.
check_port() {	# DIR
	local dir=$1
	check "/dev/virtio-ports/$port exists ($(sed -n "s/^port.link=$port //p" "$rep"))" \
		'grep -q "^port.link=$port \.\./vport[0-9]*p[0-9]*$" "$rep"'
	check "a line written to /dev/virtio-ports/$port reached the host" \
		'[ "$(val "port.write.$port")" = 0 ] && grep -q "^pvkit-port $port $kver" "$dir/port.log"'
}
# hvc0 around the takeover: kernel lines printed before the kit's
# virtio_console_fix took the devices over and after it (by the console
# log's order, which has every kernel line), and the getty's prompt.
# Without a takeover (the built-in driver throughout): kernel lines.
check_hvc() {	# DIR TAKEOVER-LINE (0: none)
	local dir=$1 n=$2 pre post
	grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$dir/console.txt" > "$dir/kernel.lines" || true
	echo "# hvc0: $(wc -l < "$dir/hvc.txt") lines, first: $(head -n1 "$dir/hvc.txt")"
	echo "# hvc0 prompt: $(grep -a 'login:' "$dir/hvc.txt" | tail -n1 || true)"
	if [ "$n" -gt 0 ]; then
		head -n "$(( n - 1 ))" "$dir/console.txt" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' > "$dir/pre.lines" || true
		tail -n "+$(( n + 1 ))" "$dir/console.txt" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' > "$dir/post.lines" || true
		pre=$(grep -cFx -f "$dir/pre.lines" "$dir/hvc.txt" || true)
		post=$(grep -cFx -f "$dir/post.lines" "$dir/hvc.txt" || true)
		echo "# hvc0: kernel lines before the takeover: $pre, after: $post"
		echo "# hvc0 last before: $(grep -Fx -f "$dir/pre.lines" "$dir/hvc.txt" | tail -n1 || true)"
		echo "# hvc0 first after: $(grep -Fx -f "$dir/post.lines" "$dir/hvc.txt" | head -n1 || true)"
		check "hvc0: a kernel line printed before the takeover reached the host" '[ "$pre" -gt 0 ]'
		check "hvc0: kernel lines printed after the takeover reached the host" '[ "$post" -gt 0 ]'
	else
		post=$(grep -cFx -f "$dir/kernel.lines" "$dir/hvc.txt" || true)
		check "hvc0: the kernel's lines reached the host ($post)" '[ "$post" -gt 0 ]'
	fi
	check "hvc0: the getty systemd started there prints its login prompt (serial-getty@hvc0 $(val getty.hvc0))" \
		'[ "$(val getty.hvc0)" = active ] && grep -aq "login:" "$dir/hvc.txt"'
}

if [ "$mode" = dkms-remove ]; then
	# Boot a writable copy with the removal unit, then boot it again.
	cp --sparse=always "$img" "$logs/disk.img"
	initrd=
	[ -z "$builtin" ] || initrd=${img%.img}.initrd
	boot "$logs/remove" "$logs/disk.img" off "$initrd" pvkit.test=dkms-remove
	wait_for "$logs/remove" end
	t_remove=$t_boot
	rep=$logs/remove/report.txt
	echo "# removal boot ended after ${t_remove}s"
	sed 's/^/# /' "$rep"
	reason=$(sed -n 's/.*vmd-qemu: vm-end reason=\([^ ]*\).*/\1/p' "$logs/remove/qemu.stderr" | head -n1)
	check "the removal ran and the guest powered off (vm-end reason=$reason)" \
		'grep -q "^@@ removed" "$rep" && [ "$reason" = guest-poweroff ]'
	check "before: pvkit-status: the kit at work (exit 0)" '[ "$(val before.status.rc)" = 0 ]'
	kit=virtio_console
	[ -z "$builtin" ] || kit=virtio_console_fix
	check "before: the console is the kit's $kit" \
		'grep -qE "^before.status.out=console +virtio[0-9]+: $kit \(module $kit\)" "$rep"'
	check "dkms remove pvkit/$(val remove.version) --all (exit $(val remove.rc))" \
		'[ "$(val remove.version)" = "$ver" ] && [ "$(val remove.rc)" = 0 ] && [ -z "$(val dkms.status)" ]'
	for m in vmm_clock vmmci virtio_console_fix; do
		check "$m is gone from updates/dkms ($(val "after.module.$m.path"))" \
			'case $(val "after.module.$m.path") in */updates/*) false ;; *) true ;; esac'
	done
	if [ -n "$builtin" ]; then
		check "update-initramfs -u (exit $(val initramfs.rc)): no virtio_console_fix in the initramfs" \
			'[ "$(val initramfs.rc)" = 0 ] && [ "$(val initrd.fix)" = 0 ]'
		# The next boot takes the initramfs the guest made, as a boot
		# loader would.
		initrd=$logs/initrd.img
		debugfs -R "dump /boot/initrd.img-$kver $initrd" "$logs/disk.img" 2>/dev/null
		[ -s "$initrd" ] || { echo "FAIL: no /boot/initrd.img-$kver in the disk"; exit 1; }
	fi
	check "no kernel splat" '! grep -qE "$splat" "$logs/remove/console.txt"'
	boot "$logs/after" "$logs/disk.img" on "$initrd"
	wait_for "$logs/after" report
	t_after=$t_boot
	rep=$logs/after/report.txt
	echo "# next boot reported in ${t_after}s"
	sed 's/^/# /' "$rep"
	check "boot not degraded (system.state=$(val system.state), modules-load $(val modules-load.result))" \
		'[ "$(val system.state)" = running ] && [ "$(val modules-load.result)" = success ]'
	check "every console device has the kernel's virtio_console ($(grep '^console.driver=' "$rep" | tr '\n' ' '))" \
		'grep -q "^console.driver=" "$rep" && ! grep "^console.driver=" "$rep" | grep -qv " virtio_console$"'
	check "no kit console driver loaded (virtio_console_fix $(val module.virtio_console_fix.loaded), virtio_console version '$(val module.virtio_console.version)')" \
		'[ "$(val module.virtio_console_fix.loaded)" = no ] && [ -z "$(val module.virtio_console.version)" ]'
	# shellcheck disable=SC2034 # used in check's eval
	want="virtio_console \((module virtio_console|built in)\)"
	check "pvkit-status: the console is the kernel's, nothing amiss (exit $(val status.rc))" \
		'[ "$(val status.rc)" = 0 ] && grep -qE "^status.out=console +virtio[0-9]+: $want" "$rep" &&
		 ! grep -qE "^status.out=module +virtio_console(_fix)? $ver" "$rep"'
	if [ -n "$builtin" ]; then
		check_port "$logs/after"
		check_hvc "$logs/after" 0
	fi
	check "no kernel splat" '! grep -qE "$splat" "$logs/after/console.txt"'
	echo "# timings: image ${t_img}s, removal boot ${t_remove}s, next boot-to-report ${t_after}s"
	exit $rc
fi

boot "$logs" "$img" on "${img%.img}.initrd"
wait_for "$logs" report
echo "# booted and reported in ${t_boot}s"
sed 's/^/# /' "$logs/report.txt"

check "boot not degraded (system.state=$(val system.state), modules-load $(val modules-load.result))" \
	'[ "$(val system.state)" = running ] && [ "$(val modules-load.result)" = success ]'
con=virtio_console
[ -z "$builtin" ] || con=virtio_console_fix
if [ "$host" = std ]; then
	check "not vmm: vmm_clock stayed out, current $(val clocksource.current)" \
		'[ "$(val module.vmm_clock.loaded)" = no ] && [ "$(val clocksource.current)" != vmm-clock ]'
	mods=$con
else
	check "systemd-modules-load inserted vmm_clock" \
		'grep -q "^modules-load.log=Inserted module .vmm_clock." "$logs/report.txt"'
	check "vmm-clock current, no boot parameter ($(val clocksource.current))" \
		'[ "$(val clocksource.current)" = vmm-clock ]'
	check "udev bound 0b5d:0777 to vmmci (alias load; not in modules-load.d)" \
		'[ "$(val vmmci.driver)" = vmmci ] && ! grep -q vmmci <<<"$(val modules-load.conf)"'
	mods="vmm_clock vmmci $con"
fi
for m in vmm_clock vmmci $con; do
	check "$m resolves to updates/dkms" \
		'case $(val module.$m.path) in "/lib/modules/$kver/updates/dkms/$m".ko | "/lib/modules/$kver/updates/dkms/$m".ko.[xg]z | "/lib/modules/$kver/updates/dkms/$m".ko.zst) true ;; *) false ;; esac'
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
if [ -n "$builtin" ]; then
	n=$(grep -n 'virtio_console_fix: took the console devices over from the built-in driver' \
		"$logs/console.txt" | head -n1 | cut -d: -f1 || true)
	init=$(grep -n 'systemd\[1\]: systemd .* running in system mode' "$logs/console.txt" |
		head -n1 | cut -d: -f1 || true)
	echo "# takeover: console line ${n:-none}, root's init: line ${init:-none}; $(grep -E 'virtio_console_fix: ' "$logs/console.txt" | tr '\n' ' ')"
	check "the initramfs has virtio_console_fix (lsinitramfs: $(val initrd.fix))" \
		'[ "$(val initrd.fix)" -ge 1 ]'
	check "virtio_console_fix took the devices over from the initramfs, before the root's init" \
		'[ -n "$n" ] && [ -n "$init" ] && [ "$n" -lt "$init" ]'
	check "nothing was open at the takeover (no refusal, no hung-up hvc)" \
		'! grep -qE "virtio_console_fix: .*(not taking over|was hung up)" "$logs/console.txt"'
	check "every console device has virtio_console_fix ($(grep '^console.driver=' "$logs/report.txt" | tr '\n' ' '))" \
		'grep -q "^console.driver=" "$logs/report.txt" && ! grep "^console.driver=" "$logs/report.txt" | grep -qv " virtio_console_fix$"'
	check "pvkit-status: the console is the kit's virtio_console_fix" \
		'grep -qE "^status.out=console +virtio[0-9]+: virtio_console_fix \(module virtio_console_fix\)" "$logs/report.txt"'
	check "pvkit-status: the kit's drop-in virtio_console does not apply here" \
		'grep -E "^status.out=module +virtio_console is built into " "$logs/report.txt" | grep -qF "$kver;"'
	check_port "$logs"
	check_hvc "$logs" "${n:-0}"
fi

if [ "$host" = std ]; then
	# No vmmci on a non-vmm host, so no vmctl stop: the report is all.
	check "no kernel splat" '! grep -qE "$splat" "$logs/console.log"'
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
check "no kernel splat" '! grep -qE "$splat" "$logs/console.log"'
echo "# timings: image ${t_img}s, boot-to-report ${t_boot}s, stop ${t_stop}s"
exit $rc
