#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, part 4: `vmctl stop` on the host becomes an orderly guest
# shutdown (the host model then reports how the VM ended).
echo "== vmctl stop: the host asks, the guest shuts down in order"
hostctl expect-end guest-reboot "vmctl stop ends the guest in order" >/dev/null
hostctl vmctl stop
sleep 60
echo "the guest did not shut down"
exit 1
