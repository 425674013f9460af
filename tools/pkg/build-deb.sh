#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian package pvkit-dkms_<ver>_all.deb into build/pkg/
# (`make deb`). dpkg-buildpackage runs in a staged copy of exactly what the
# package needs (the source list, debian/, packaging/), so the tree stays
# clean and the .deb lands in build/pkg/ rather than in the tree's parent.
#
#   build-deb.sh          build, print the .deb's path
#   build-deb.sh --test   build, then check its file list (dpkg-deb -c) and
#                         its maintainer scripts; host test packaging/deb.
#                         Installing it for real is debian-image.sh's job.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
ver=$(cat VERSION)
out=$top/build/pkg
stage=$out/src/pvkit-$ver
# One run at a time: make check and a developer may start this together,
# and the runs share build/ paths.
mkdir -p "$top/build/pkg"
exec 8>"$top/build/pkg/.lock-build-deb"
flock 8

tools/pkg/check-version.sh >/dev/null || { tools/pkg/check-version.sh; exit 1; }
{ command -v dpkg-buildpackage && command -v dh_dkms; } >/dev/null || {
	echo "SKIP: needs dpkg-dev, debhelper and dh-dkms (apt-get install debhelper dh-dkms)"
	exit 4
}
rm -rf "$out/src"
mkdir -p "$stage"
tools/pkg/srcfiles.sh copy "$stage"
cp -a debian packaging "$stage/"
mkdir -p "$stage/tools/pkg"
cp -a tools/pkg/srcfiles.sh "$stage/tools/pkg/"
(cd "$stage" && dpkg-buildpackage -us -uc -b >"$out/dpkg-buildpackage.log" 2>&1) || {
	tail -n 30 "$out/dpkg-buildpackage.log"
	echo "FAIL: dpkg-buildpackage (see $out/dpkg-buildpackage.log)"
	exit 1
}
deb=$out/pvkit-dkms_${ver}_all.deb
mv "$out/src/pvkit-dkms_${ver}_all.deb" "$deb"
mv "$out/src/pvkit_${ver}"_*.buildinfo "$out/src/pvkit_${ver}"_*.changes "$out/" 2>/dev/null || true
rm -rf "$out/src"

[ "${1:-}" = --test ] || { echo "$deb"; exit 0; }

rc=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; rc=1; fi; }
list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
echo "$list" | sed 's/^/# /'
for f in $(tools/pkg/srcfiles.sh); do
	check "ships /usr/src/pvkit-$ver/$f" 'echo "$list" | grep -qx "/usr/src/pvkit-$ver/$f"'
done
check "ships /etc/modules-load.d/pvkit.conf" 'echo "$list" | grep -qx /etc/modules-load.d/pvkit.conf'
check "ships /etc/modprobe.d/pvkit.conf" 'echo "$list" | grep -qx /etc/modprobe.d/pvkit.conf'
check "ships /usr/sbin/pvkit-status" 'echo "$list" | grep -qx /usr/sbin/pvkit-status'
check "nothing but the source, /etc, pvkit-status, the udev rule, the initramfs hook and docs" \
	'[ -z "$(echo "$list" | grep -v -e "^/usr/src/pvkit-$ver/" -e "^/etc/" -e "^/usr/share/doc/pvkit-dkms/" \
		-e "^/usr/sbin/pvkit-status$" -e "^/lib/udev/rules.d/60-pvkit-virtio-ports.rules$" \
		-e "^/usr/share/initramfs-tools/hooks/pvkit$" -e "/$")" ]'
check "no build outputs" '! echo "$list" | grep -q -e "\.ko$" -e "\.o$" -e "\.cmd$"'
ctl=$(mktemp -d)
dpkg-deb -e "$deb" "$ctl"
check "depends on dkms" 'dpkg-deb -f "$deb" Depends | grep -q dkms'
check "postinst runs DKMS's common postinst" 'grep -q "common.postinst" "$ctl/postinst" && grep -qx "DKMS_VERSION=$ver" "$ctl/postinst"'
check "prerm removes the module from DKMS" 'grep -q "dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all" "$ctl/prerm"'
check "conffiles list /etc/modules-load.d/pvkit.conf" 'grep -qx /etc/modules-load.d/pvkit.conf "$ctl/conffiles"'
rm -rf "$ctl"
check "dkms.conf in the package is the tree's" \
	'dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/src/pvkit-$ver/dkms.conf | cmp -s - dkms.conf'
exit $rc
