# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# Sourced (by sh and bash scripts; its functions use dash's and bash's
# "local") by the scripts that download from Debian's archive. Nothing is
# ever installed from it: apt runs with a private state (its own sources,
# lists and caches under $PVKIT_CACHE/apt/NAME), so the machine's apt never
# sees other suites or source lists and cannot upgrade its own packages
# from them.
#
#   debian_mirror                 the machine's Debian mirror
#   debian_apt NAME TYPES SUITES [ARCHS]
#                                 point APT_CONFIG at a private state with
#                                 those types (deb, deb-src) and suites
#                                 (a "-security" suite is taken from the
#                                 security archive; ARCHS, e.g. "amd64 i386",
#                                 adds foreign architectures)

# The first non-security URI of the machine's sources, in either format:
# deb822 (/etc/apt/sources.list.d/*.sources, Debian's cloud images) or the
# classic one-line sources.list (debootstrap, Debian's installer).
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n 's/^URIs: *\([^ ]*\).*/\1/p' | grep -v security | head -n1)
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed -n 's/^deb\(-src\)\? \+\(\[[^]]*\] \+\)\?\([^ ]*\) .*/\3/p' |
		grep -v security | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

debian_apt() {
	local name="$1" types="$2" suites="$3" archs="${4:-}" dir mirror main sec s src a
	dir=${PVKIT_CACHE:-/var/cache/pvkit}/apt/$name
	mirror=$(debian_mirror)
	main="" sec=""
	for s in $suites; do
		case $s in
		*-security) sec="$sec $s" ;;
		*) main="$main $s" ;;
		esac
	done
	mkdir -p "$dir/etc/sources.list.d" "$dir/lists/partial" \
		"$dir/cache" "$dir/archives/partial"
	src=$dir/etc/sources.list.d/pvkit.sources
	{
		printf 'Types: %s\nURIs: %s\nSuites:%s\nComponents: main\n' \
			"$types" "$mirror" "$main"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		[ -z "$sec" ] || printf '\nTypes: %s\nURIs: %s\nSuites:%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$types" "${mirror%/debian}/debian-security" "$sec"
	} > "$src.new"
	cat > "$dir/apt.conf" <<EOT
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$dir/etc/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "/dev/null";
Dir::State::Lists "$dir/lists";
Dir::State::Status "/dev/null";
Dir::Cache "$dir/cache";
Dir::Cache::archives "$dir/archives";
APT::Sandbox::User "root";
EOT
	if [ -n "$archs" ]; then
		printf 'APT::Architectures {' >> "$dir/apt.conf"
		for a in $archs; do printf ' "%s";' "$a" >> "$dir/apt.conf"; done
		printf ' };\n' >> "$dir/apt.conf"
	fi
	export APT_CONFIG="$dir/apt.conf"
	# Refresh at most once a day: the archive moves slowly.
	echo "# architectures: ${archs:-default}" >> "$src.new"
	if ! cmp -s "$src.new" "$src" ||
	   [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_InRelease' -mtime -1 2>/dev/null)" ]; then
		mv "$src.new" "$src"
		apt-get -q update >&2
	else
		rm -f "$src.new"
	fi
}
