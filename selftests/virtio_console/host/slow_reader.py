#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host peer of a virtio port: connect to SOCK in $PVKIT_RUN and read at
RATE bytes/s (default 100000), forever; testvm kills it when the VM ends.
A slow reader keeps the guest's out queue full, so every slot the host
frees races with the guest's poll() (selftests/virtio_console/race.c)."""
import os
import socket
import sys
import time

sock_name = sys.argv[1] if len(sys.argv) > 1 else "p0.sock"
rate = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
path = os.path.join(os.environ.get("PVKIT_RUN", "."), sock_name)

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(200):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("slow_reader: cannot connect to " + path)
# A small receive buffer keeps QEMU's side of the socket full as well.
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
tick = 0.01
chunk = max(1, int(rate * tick))
total = 0
start = time.monotonic()
while True:
    data = s.recv(chunk)
    if not data:
        break
    total += len(data)
    ahead = total / rate - (time.monotonic() - start)
    if ahead > 0:
        time.sleep(ahead)
print("slow_reader: %d bytes" % total)
