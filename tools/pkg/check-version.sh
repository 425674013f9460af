#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One kit version: ./VERSION is the source of truth; dkms.conf needs it as
# a literal and debian/changelog names it too. Exit 0 when they agree, 1
# (with the mismatch) when not. `--fix` rewrites dkms.conf from VERSION.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=$(cat "$top/VERSION")
if [ "${1:-}" = "--fix" ]; then
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$ver\"/" "$top/dkms.conf"
fi
rc=0
dkms=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
if [ "$dkms" != "$ver" ]; then
	echo "dkms.conf PACKAGE_VERSION=$dkms but VERSION=$ver (tools/pkg/check-version.sh --fix)"
	rc=1
fi
if [ -f "$top/debian/changelog" ]; then
	deb=$(sed -n '1s/^[^(]*(\([^)-]*\).*/\1/p' "$top/debian/changelog")
	if [ "$deb" != "$ver" ]; then
		echo "debian/changelog has $deb but VERSION=$ver"
		rc=1
	fi
fi
# Each driver takes its MODULE_VERSION from compat/Kbuild.include.
for d in "$top"/drivers/*/; do
	if ! grep -qs 'MODULE_VERSION(KBUILD_PVKIT_VERSION)' "$d"*.c; then
		echo "$(basename "$d"): no MODULE_VERSION(KBUILD_PVKIT_VERSION)"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "version $ver: dkms.conf, debian/changelog and drivers agree"
exit $rc
