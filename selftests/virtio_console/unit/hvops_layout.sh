#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vcon_hvc.h declares struct hv_ops itself (hvc_console.h is not in the
# headers packages) and its static_asserts hold it to a kernel layout of
# VCON_HV_OPS_KERNEL_PTRS pointers. Check that claim against the BTF of
# every test kernel: get_chars, put_chars and flush first, at pointer
# offsets 0, 1, 2; no more pointers than the header says; the character
# callbacks' types as COMPAT_HVC_U8_SIZE_T in compat/compat.h assumes
# (u8/size_t/ssize_t from 6.8). Exit 4 (skip) without pahole or kernels.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
hdr=$top/drivers/virtio_console_fix/vcon_hvc.h
kernels=${PVKIT_KERNELS:-/var/cache/pvkit/kernels}
command -v pahole >/dev/null 2>&1 || { echo "pahole not installed"; exit 4; }
ptrs=$(sed -n 's/^#define VCON_HV_OPS_KERNEL_PTRS[[:space:]]*\([0-9]*\).*/\1/p' "$hdr")
[ -n "$ptrs" ] || { echo "FAIL: no VCON_HV_OPS_KERNEL_PTRS in $hdr"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The ELF image inside a bzImage: try each compressor at each of its
# magic numbers until one yields an ELF file. Returns 2 when no
# decompressor we have fits.
unpack() {
	tried=0
	for c in "zstd 28b52ffd" "xz fd377a585a00" "lz4 02214c18" "gzip 1f8b08"; do
		prog=${c% *}
		command -v "$prog" >/dev/null 2>&1 || continue
		for off in $(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
m = bytes.fromhex(sys.argv[2])
i = d.find(m)
while i >= 0:
    print(i)
    i = d.find(m, i + 1)' "$1" "${c#* }"); do
			tried=1
			tail -c +$((off + 1)) "$1" | "$prog" -dc 2>/dev/null >"$2"
			[ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
				return 0
		done
	done
	[ "$tried" -eq 1 ] && return 1
	return 2
}

n=0
fail=0
for img in "$kernels"/*/boot/vmlinuz-*; do
	[ -f "$img" ] || continue
	kver=${img##*/vmlinuz-}
	unpack "$img" "$tmp/vmlinux"
	case $? in
	0) ;;
	2) echo "FAIL $kver: no decompressor for its image (tools/deps.sh installs xz-utils, zstd and lz4)"
		fail=1; continue ;;
	*) echo "FAIL $kver: cannot unpack $img (its compressor: $(grep -o '^CONFIG_KERNEL_[A-Z0-9]*=y' "${img%/vmlinuz-*}/config-$kver" 2>/dev/null))"
		fail=1; continue ;;
	esac
	pahole -C hv_ops "$tmp/vmlinux" 2>/dev/null >"$tmp/hv_ops"
	members=$(grep -c '(\*' "$tmp/hv_ops")
	first=$(grep '(\*' "$tmp/hv_ops" | head -3 |
		sed 's/.*(\*\([a-z_]*\)).*\/\*[[:space:]]*\([0-9]*\).*/\1@\2/' |
		tr '\n' ' ')
	major=${kver%%.*}
	minor=${kver#*.}
	minor=${minor%%[.-]*}
	if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 8 ]; }; then
		want='ssize_t *(\*get_chars)(uint32_t, u8 \*, size_t)'
	else
		want='int *(\*get_chars)(uint32_t, char \*, int)'
	fi
	echo "$kver: $members pointers, $first"
	if [ "$members" -eq 0 ] && ! readelf -S "$tmp/vmlinux" 2>/dev/null |
		grep -q '\.BTF'; then
		echo "$kver: skipped, built without BTF"
		continue
	elif [ "$members" -eq 0 ] && ! grep -qs '^CONFIG_HVC_DRIVER=y' \
		"${img%/vmlinuz-*}/config-$kver"; then
		echo "$kver: skipped, no hvc in this kernel (nor our console)"
		continue
	elif [ "$members" -eq 0 ]; then
		echo "FAIL $kver: no struct hv_ops in its BTF"
		fail=1
	elif [ "$members" -gt "$ptrs" ]; then
		echo "FAIL $kver: $members pointers, vcon_hvc.h covers $ptrs"
		fail=1
	elif [ "$first" != "get_chars@0 put_chars@8 flush@16 " ]; then
		echo "FAIL $kver: the first three members moved"
		fail=1
	elif ! grep -q "$want" "$tmp/hv_ops"; then
		echo "FAIL $kver: get_chars is not of the type compat.h assumes"
		grep get_chars "$tmp/hv_ops"
		fail=1
	fi
	n=$((n + 1))
done
[ "$fail" -eq 0 ] && [ "$n" -eq 0 ] && { echo "no kernels in $kernels"; exit 4; }
[ "$fail" -eq 0 ] && echo "PASS: struct hv_ops as vcon_hvc.h has it on $n kernels"
exit "$fail"
