#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernels of other Debian suites for the build matrix and the smoke runs:
# bullseye's 5.10 and bookworm-backports' 6.12 cloud kernels, next to
# bookworm's 6.1. Nothing is installed: apt runs with a private state under
# $PVKIT_CACHE/apt (its own sources and lists, so the build machine's apt
# never sees these suites and cannot upgrade its own kernel packages from
# them), packages are only downloaded and unpacked.
#
#   kernels-fetch.sh              fetch the default matrix, print the KVERs
#   kernels-fetch.sh list         print the matrix KVERs (resolves, no fetch)
#   kernels-fetch.sh headers KVER print the KDIR for KVER (after a fetch)
#
# Images go to $PVKIT_CACHE/kernels/<kver>/ through tools/testvm/kernels.sh
# fetch (boot/, lib/modules/, depmod run); headers to
# $PVKIT_CACHE/headers/<kver>/ as one unpacked root holding the arch
# package, -common and linux-kbuild, with the absolute paths between them
# rewritten into that root.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PVKIT_CACHE:-/var/cache/pvkit}
apt=$cache/apt
# suite:metapackage-version-prefix
suites=${PVKIT_KERNEL_SUITES:-"bullseye bookworm-backports"}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	 grep -v security | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

apt_setup() {
	mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" \
		 "$apt/cache" "$apt/archives/partial"
	src=$apt/etc/sources.list.d/pvkit-kernels.sources
	cat > "$src.new" <<EOT
Types: deb
URIs: $mirror
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	cat > "$apt/apt.conf" <<EOT
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/etc/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Cache::archives "$apt/archives";
APT::Sandbox::User "root";
EOT
	export APT_CONFIG=$apt/apt.conf
	# Refresh at most once a day: the archive moves slowly.
	if ! cmp -s "$src.new" "$src" ||
	   [ -z "$(find "$apt/lists" -maxdepth 1 -name '*Packages' -mtime -1 2>/dev/null)" ]; then
		mv "$src.new" "$src"
		apt-get -q update >&2
	else
		rm -f "$src.new"
	fi
}

# The ABI name behind a suite's linux-headers-cloud-amd64.
suite_kver() {
	ver=$(apt-cache madison linux-headers-cloud-amd64 |
	      awk -F'|' -v s=" $1/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$ver" ] || { echo "kernels-fetch: no linux-headers-cloud-amd64 in $1" >&2; return 1; }
	apt-cache depends "linux-headers-cloud-amd64=$ver" |
		sed -n 's/^ *Depends: linux-headers-\(.*\)$/\1/p' | head -n1
}

headers_fetch() {
	kver=$1
	dir=$cache/headers/$kver
	kdir=$dir/usr/src/linux-headers-$kver
	[ -f "$dir/.complete" ] && return 0
	debs=$cache/headers/debs
	mkdir -p "$debs"
	# The arch package names -common and linux-kbuild-* in its Depends.
	pkgs="linux-headers-$kver $(apt-cache depends "linux-headers-$kver" |
		sed -n 's/^ *Depends: \(linux-headers-.*-common\|linux-kbuild-.*\)$/\1/p' | sort -u)"
	echo "kernels-fetch: $pkgs" >&2
	(cd "$debs" && apt-get download -q $pkgs >&2)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	for p in $pkgs; do
		for deb in "$debs/${p}_"*.deb; do
			dpkg-deb -x "$deb" "$dir.tmp"
		done
	done
	# Debian's arch headers reach -common and the kbuild tools by absolute
	# /usr/src and /usr/lib paths (Makefile, symlinks): point them into
	# this root, so make -C $kdir works without installing anything.
	find "$dir.tmp" -type l | while read -r l; do
		t=$(readlink "$l")
		case $t in
		/usr/*) ln -sfn "$dir${t}" "$l" ;;
		esac
	done
	find "$dir.tmp/usr/src" -maxdepth 2 -name Makefile |
		xargs sed -i "s|\([ =]\)/usr/src/|\1$dir/usr/src/|g; s|\([ =]\)/usr/lib/linux-kbuild|\1$dir/usr/lib/linux-kbuild|g"
	# .kernelvariables names the suite's compiler (gcc-10 for bullseye),
	# which bookworm lacks: fall back to this machine's gcc, so a plain
	# make -C $kdir works. Module code does not depend on the gcc version;
	# the kit is W=1 clean with bookworm's gcc-12 on 5.10 too.
	kv=$dir.tmp/usr/src/linux-headers-$kver/.kernelvariables
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$kv" 2>/dev/null)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null &&
	   ! command -v "x86_64-linux-gnu-$cc" >/dev/null; then
		echo "kernels-fetch: $kver wants $cc, not installed: using gcc" >&2
		sed -i "s/^\(CC = .*)\)$cc\$/\1gcc/" "$kv"
	fi
	# The symlinks above were rewritten to the final name: move into place.
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	# The host tools come from the suite's build: check they run here.
	"$kdir/scripts/basic/fixdep" 2>&1 | grep -q -i usage ||
		{ echo "kernels-fetch: $kdir/scripts/basic/fixdep does not run here" >&2; return 1; }
	touch "$dir/.complete"
}

case ${1:-fetch} in
list)
	apt_setup
	for s in $suites; do suite_kver "$s"; done
	;;
headers)
	echo "$cache/headers/$2/usr/src/linux-headers-$2"
	;;
fetch)
	apt_setup
	for s in $suites; do
		kver=$(suite_kver "$s")
		headers_fetch "$kver"
		"$top/tools/testvm/kernels.sh" fetch "$kver"
		echo "$kver"
	done
	;;
*)
	echo "usage: $0 [fetch|list|headers KVER]" >&2
	exit 2
	;;
esac
