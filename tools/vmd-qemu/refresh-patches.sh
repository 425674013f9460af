#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate tools/vmd-qemu/patches/ (the hooks into QEMU's own files) from
# a git checkout of the QEMU source whose first commit is the pristine
# Debian tree and whose later commits are the hooks, one per feature (see
# Documentation/host-model.md, "Changing the model").  The model's own files
# live in tools/vmd-qemu/src and are not part of the patches.
#
# Each commit message carries its SPDX-License-Identifier line, so the
# patches stay plain git format-patch output that git am takes back.
#
# Usage: refresh-patches.sh QEMU_GIT_TREE
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: $0 QEMU_GIT_TREE}
base=$(git -C "$tree" rev-list --max-parents=0 HEAD)

# The overlay must not leak into the hooks.
overlay=$(cd "$here/src" && find . -type f | sed 's|^\./||')
# shellcheck disable=SC2086
if git -C "$tree" diff --name-only "$base" HEAD -- $overlay | grep .; then
	echo "refresh-patches.sh: these belong to tools/vmd-qemu/src, not to a hook" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q -N --no-signature --zero-commit -o "$tmp" \
	"$base"..HEAD
for p in "$tmp"/*.patch; do
	grep -q '^SPDX-License-Identifier: ' "$p" || {
		echo "refresh-patches.sh: $(basename "$p"): no SPDX line in its message" >&2
		exit 1
	}
done
rm -f "$here"/patches/*.patch
mkdir -p "$here/patches"
mv "$tmp"/*.patch "$here/patches/"
ls "$here"/patches
