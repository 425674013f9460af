#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host side of demo/console.sh: what reached the pvkit.demo port's file.
sleep 1
tail -n 1 "$PVKIT_RUN/demo-port.out"
