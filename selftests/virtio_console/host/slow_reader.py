#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host peer of a virtio port: connect to SOCK in $PVKIT_RUN and read at
RATE bytes/s (default 100000) in CHUNK-byte gulps (default 16384), forever;
testvm kills it when the VM ends. A slow reader keeps the guest's out
queue full, so every slot the host frees races with the guest's poll()
(selftests/virtio_console/race.c). Gulps larger than what the guest's
queue holds let QEMU empty the whole queue at once: one swallowed
interrupt is then enough for the in-tree driver to lose the writer.

  slow_reader.py [SOCK [RATE [CHUNK]]]

The rate is strict: a reader that fell behind (host busy, guest slower
than RATE) does not catch up in a burst, which would empty the queue. A
new reader replaces the previous one of the same VM (pid file), since
QEMU serves one connection per socket chardev."""
import os
import signal
import socket
import sys
import time

sock_name = sys.argv[1] if len(sys.argv) > 1 else "p0.sock"
rate = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
chunk = int(sys.argv[3]) if len(sys.argv) > 3 else 16384
run = os.environ.get("PVKIT_RUN", ".")
path = os.path.join(run, sock_name)
pidfile = os.path.join(run, "slow_reader-%s.pid" % sock_name)

try:
    old = int(open(pidfile).read())
    os.kill(old, signal.SIGTERM)
    for _ in range(100):
        os.kill(old, 0)
        time.sleep(0.05)
except (OSError, ValueError):
    pass
with open(pidfile, "w") as f:
    f.write("%d\n" % os.getpid())

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
total = 0
start = time.monotonic()
while True:
    data = s.recv(chunk, socket.MSG_WAITALL)
    if not data:
        break
    total += len(data)
    now = time.monotonic()
    ahead = total / rate - (now - start)
    if ahead > 0:
        time.sleep(ahead)
    elif ahead < -0.05:
        # behind schedule: restart the clock instead of bursting
        start, total = now, 0
print("slow_reader: %d bytes" % total)
