#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate tools/vmd-qemu/patches/ from a git checkout of the QEMU source
# whose first commit is the pristine Debian tree and whose later commits
# are our changes (see Documentation/host-model.md, "Changing the model").
#
# Usage: refresh-patches.sh QEMU_GIT_TREE
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: $0 QEMU_GIT_TREE}
base=$(git -C "$tree" rev-list --max-parents=0 HEAD)

rm -f "$here"/patches/*.patch
git -C "$tree" format-patch -q --no-signature -o "$here/patches" "$base"..HEAD
for p in "$here"/patches/*.patch; do
	# patch(1) and git apply skip text before the first diff
	sed -i '1i # SPDX-License-Identifier: GPL-2.0-or-later' "$p"
done
ls "$here"/patches
