#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real DKMS round trip, entirely inside a throwaway tree (host test
# packaging/dkms-roundtrip):
#
#   1. copy the kit's source list to <tmp>/usr/src/pvkit-<ver>;
#   2. dkms add/build/install -k KVER with --sourcetree, --dkmstree and
#      --installtree pointing into <tmp>, the installtree holding a copy of
#      the guest kernel's /lib/modules/KVER (so dkms's version check sees the
#      in-tree virtio_console, as on a real guest); depmod -b on that root;
#   3. check modinfo -b resolves all three modules to updates/dkms with the
#      kit's version, and that dkms signed them;
#   4. boot a guest whose /lib/modules/KVER is that root's
#      (testvm --modroot) and run selftests/packaging/testvm.list there;
#   5. dkms uninstall + remove, depmod -b: virtio_console resolves to
#      kernel/drivers/char/ again and updates/dkms is empty;
#   6. check nothing outside <tmp> changed: /lib/modules, /var/lib/dkms,
#      /usr/src and /etc/dkms are fingerprinted before and after.
#
# Usage: dkms-roundtrip.sh [--no-vm] [--keep] [KVER]
# Exit 0 pass, 1 fail, 4 skip (no dkms, no headers, no guest kernel).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
novm='' keep=
while [ $# -gt 0 ]; do
	case $1 in
	--no-vm) novm=1 ;;
	--keep) keep=1 ;;
	-*) echo "usage: $0 [--no-vm] [--keep] [KVER]" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
kver=${1:-$(tools/testvm/kernels.sh default)}
ver=$(cat VERSION)
kdir=/usr/src/linux-headers-$kver
kimg=${PVKIT_CACHE:-/var/cache/pvkit}/kernels/$kver
testvm=${PVKIT_TESTVM:-$top/tools/testvm/testvm}

skip() { echo "SKIP: $*"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $* ($(( $(date +%s) - t0 ))s)"; }

command -v dkms >/dev/null || skip "dkms is not installed (apt-get install dkms)"
[ -d "$kdir" ] || skip "no headers in $kdir"
[ -d "$kimg/lib/modules/$kver" ] || tools/testvm/kernels.sh fetch "$kver" >&2 ||
	skip "no guest kernel $kver"
[ "$(id -u)" = 0 ] || skip "needs root (dkms writes its trees as root)"

# One run at a time: make check and a developer may start this together,
# and the runs share build/ paths.
mkdir -p "$top/build/pkg"
exec 8>"$top/build/pkg/.lock-dkms-roundtrip"
flock 8
t0=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/pvkit-dkms.XXXXXX")
cleanup() {
	if [ -n "$keep" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
root=$work/root
src=$work/usr/src
dtree=$work/var/lib/dkms
mdir=$root/lib/modules/$kver

# What must not change on the build machine.
fingerprint() {
	find /lib/modules /var/lib/dkms /usr/src /etc/dkms -xdev \
	     -path /usr/src/linux-source-\* -prune -o \
	     -printf '%p %y %s %T@ %l\n' 2>/dev/null | sort | sha256sum
}
# shellcheck disable=SC2034 # read by the check below, through eval
before=$(fingerprint)

step "source tree $src/pvkit-$ver"
tools/pkg/srcfiles.sh copy "$src/pvkit-$ver"
# The guest kernel's modules (hard links: cheap, and depmod replaces its
# index files by rename, never in place; a copy where the cache is on
# another file system or mount), headers linked as on a guest.
mkdir -p "$root/lib/modules" "$dtree"
cp -al "$kimg/lib/modules/$kver" "$mdir" 2>/dev/null || {
	rm -rf "$mdir"
	cp -a "$kimg/lib/modules/$kver" "$mdir"
}
for f in "$mdir"/modules.*; do cp --remove-destination "$f" "$f.tmp" && mv "$f.tmp" "$f"; done
ln -sfn "$kdir" "$mdir/build"

# dkms signs what it builds (CONFIG_MODULE_SIG) with /var/lib/dkms/mok.*,
# generating them if missing: point it at keys in the throwaway tree.
export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
dk() {
	dkms --dkmstree "$dtree" --sourcetree "$src" \
	     --installtree "$root/lib/modules" --no-depmod "$@"
}

step "dkms add"
dk add "pvkit/$ver"
step "dkms build -k $kver"
tb=$(date +%s)
dk build "pvkit/$ver" -k "$kver" --kernelsourcedir "$kdir" -j 2 ||
	{ tail -40 "$dtree/pvkit/$ver/build/make.log" 2>/dev/null; fail "dkms build"; }
echo "dkms build took $(( $(date +%s) - tb ))s"
step "dkms install -k $kver"
out=$(dk install "pvkit/$ver" -k "$kver" --kernelsourcedir "$kdir" 2>&1) || { echo "$out"; fail "dkms install"; }
echo "$out"
# dkms 3.0.10 "installs" a module it refused on its version check and
# still exits 0: catch that by its message and by the file.
if echo "$out" | grep -q "will not replace\|is not newer"; then
	fail "dkms skipped a module on its version check"
fi
depmod -b "$root" "$kver"
# What the Debian package ships next to the dkms source (debian/install).
install -D -m 0644 packaging/modules-load.d/pvkit.conf "$root/etc/modules-load.d/pvkit.conf"
install -D -m 0644 packaging/modprobe.d/pvkit.conf "$root/etc/modprobe.d/pvkit.conf"
dk status

rc=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; rc=1; fi; }
step "host-side checks"
for m in vmm_clock vmmci virtio_console; do
	p=$(modinfo -b "$root" -k "$kver" -n "$m" 2>/dev/null || true)
	v=$(modinfo -b "$root" -k "$kver" -F version "$m" 2>/dev/null || true)
	s=$(modinfo -b "$root" -k "$kver" -F signer "$m" 2>/dev/null || true)
	echo "# $m: $p version=$v signer=$s"
	check "$m resolves to updates/dkms" '[ "$p" = "$mdir/updates/dkms/$m.ko" ]'
	check "$m version is $ver" '[ "$v" = "$ver" ]'
	check "$m signed by DKMS's key" '[ -n "$s" ]'
done
# shellcheck disable=SC2034 # read by the checks, through eval
intree=$(find "$mdir/kernel" -name 'virtio_console.ko*' | head -n1)
check "in-tree virtio_console still present" '[ -n "$intree" ]'

if [ -n "$novm" ]; then
	echo "# guest part skipped (--no-vm)"
elif ! "$testvm" --help 2>/dev/null | grep -q -- --modroot; then
	echo "# guest part skipped: $testvm has no --modroot option yet"
	guest_skipped=1
else
	step "guest boot from the DKMS install tree"
	# Never start a host-model build from here (make check builds it
	# first); without it only the std guest runs.
	vms=()
	if ! tools/vmd-qemu/build.sh --path >/dev/null 2>&1; then
		echo "# host model not built: std guest only"
		vms=(--vm 'packaging/dkms-std')
	fi
	if "$testvm" run selftests/packaging/testvm.list --set dkms --no-build \
		--kernel "$kver" --modroot "$root" "${vms[@]}"; then
		echo "ok   guest checks (see build/test-logs/$kver/packaging/)"
	else
		echo "FAIL guest checks (see build/test-logs/$kver/packaging/)"
		rc=1
	fi
fi

step "dkms uninstall + remove"
dk uninstall "pvkit/$ver" -k "$kver"
dk remove "pvkit/$ver" --all
depmod -b "$root" "$kver"
p=$(modinfo -b "$root" -k "$kver" -n virtio_console)
echo "# virtio_console: $p"
check "virtio_console back to the in-tree copy" '[ "$p" = "$intree" ]'
check "updates/dkms is empty" '[ -z "$(ls -A "$mdir/updates/dkms" 2>/dev/null)" ]'
check "dkms status is empty" '[ -z "$(dk status 2>/dev/null)" ]'
check "no pvkit in the dkms tree" '[ ! -e "$dtree/pvkit" ]'

# shellcheck disable=SC2034
after=$(fingerprint)
check "nothing outside the throwaway tree changed" '[ "$before" = "$after" ]'
step "done"
[ $rc -eq 0 ] && [ -n "${guest_skipped:-}" ] && skip "host part passed; guest part needs testvm --modroot"
exit $rc
