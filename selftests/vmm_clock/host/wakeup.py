#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Host side of selftests/vmm_clock/suspend: after DELAY seconds, send QMP
# system_wakeup to this VM (PVKIT_QMP) until QEMU accepts it (it refuses
# while the guest is not yet suspended), for at most 30 s.
# Usage: wakeup.py [DELAY]
import json
import os
import socket
import sys
import time


def qmp(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    f = s.makefile("rw")
    json.loads(f.readline())  # greeting
    for c in ({"execute": "qmp_capabilities"}, {"execute": cmd}):
        f.write(json.dumps(c) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                break
    s.close()
    return "return" in r


def main():
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 3
    time.sleep(delay)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            if qmp(os.environ["PVKIT_QMP"], "system_wakeup"):
                print("woken")
                return 0
        except OSError:
            pass
        time.sleep(0.5)
    print("wakeup refused")
    return 1


sys.exit(main())
