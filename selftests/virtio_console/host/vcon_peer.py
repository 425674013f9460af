#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host peer of the virtio_console selftests. Sockets are QEMU chardevs in
$PVKIT_RUN; results that a spawned peer produces go to a file next to it,
which `result` waits for, so a guest test can `spawn` the peer, do its part
and then `run vcon_peer.py result NAME` for the verdict.

  sink SOCK N TAG          read N bytes, write "bytes crc32 secs" to TAG,
                           disconnect
  source SOCK N TAG        send N random bytes, write "bytes crc32 secs"
                           to TAG, disconnect once the guest acks a byte
  drain SOCK N TAG         sink without the CRC (crc32 reads 0), for the
                           bench: the host side costs as little as it can
  spray SOCK N TAG         source of one repeated buffer, no CRC, ditto
  hello SOCK TEXT [SECS]   wait for a byte, send TEXT, disconnect after
                           SECS (default 0.5; 0: at once)
  stall SOCK               connect and never read (until killed)
  echo SOCK N              send back what arrives, N bytes in all
  relay SRC DST N          send what arrives on SRC to DST, N bytes
  result TAG [SECS]        wait for TAG's result and print it
  file-has PATH TEXT [SECS] wait until PATH (in $PVKIT_RUN) contains TEXT
  device-del ID            QMP device_del on $PVKIT_QMP, wait for the event
  wakeup SECS              after SECS, QMP system_wakeup until it works
  device-add ARGS          QMP device_add of "driver,key=val,..." ARGS
  suspend-hup SOCK         connect; once the guest is suspended, hang up
                           and wake it with QMP system_wakeup
  kicks TRACE              count virtqueue notifications each device got
                           while its status lacked DRIVER_OK, from QEMU's
                           trace log TRACE (in $PVKIT_RUN)
  vserport ID TAG          write port ID's VSERPORT_CHANGE open values to
                           TAG once an open was followed by a close
                           (e.g. "0 1 0"), or after 30 s
  queues DEV Q[,Q...]      QEMU's view of virtio device DEV's queues Q
                           (avail, last_avail, used, in use), and which
                           chardevs have their frontend open
"""
import json
import os
import re
import socket
import sys
import time
import zlib

RUN = os.environ.get("PVKIT_RUN", ".")


def connect(name, tries=200):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(tries):
        try:
            s.connect(os.path.join(RUN, name))
            return s
        except OSError:
            time.sleep(0.05)
    sys.exit("cannot connect to " + name)


def put_result(tag, text):
    tmp = os.path.join(RUN, "vcon-%s.tmp" % tag)
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, os.path.join(RUN, "vcon-%s.result" % tag))


def sink(name, n, tag):
    s = connect(name)
    n, got, crc, t0 = int(n), 0, 0, None
    while got < n:
        d = s.recv(min(1 << 20, n - got))
        if not d:
            break
        if t0 is None:
            t0 = time.monotonic()
        crc = zlib.crc32(d, crc)
        got += len(d)
    secs = time.monotonic() - (t0 or time.monotonic())
    put_result(tag, "%d %08x %.3f" % (got, crc, secs))
    s.close()


def source(name, n, tag):
    s = connect(name)
    n, sent, crc = int(n), 0, 0
    t0 = time.monotonic()
    while sent < n:
        d = os.urandom(min(1 << 20, n - sent))
        s.sendall(d)
        crc = zlib.crc32(d, crc)
        sent += len(d)
    s.recv(1)               # the guest has everything: now hang up
    put_result(tag, "%d %08x %.3f" % (sent, crc, time.monotonic() - t0))
    s.close()


def drain(name, n, tag):
    s = connect(name)
    n, got, t0 = int(n), 0, None
    buf = memoryview(bytearray(1 << 20))
    while got < n:
        r = s.recv_into(buf, min(len(buf), n - got))
        if not r:
            break
        if t0 is None:
            t0 = time.monotonic()
        got += r
    secs = time.monotonic() - (t0 or time.monotonic())
    put_result(tag, "%d %08x %.3f" % (got, 0, secs))
    s.close()


def spray(name, n, tag):
    s = connect(name)
    n, sent = int(n), 0
    buf = memoryview(b"\xa5" * (1 << 20))
    t0 = time.monotonic()
    while sent < n:
        k = min(len(buf), n - sent)
        s.sendall(buf[:k])
        sent += k
    s.recv(1)               # the guest has everything: now hang up
    put_result(tag, "%d %08x %.3f" % (sent, 0, time.monotonic() - t0))
    s.close()


def hello(name, text, linger="0.5"):
    s = connect(name)
    s.recv(1)               # the guest is ready to read
    s.sendall(text.encode())
    time.sleep(float(linger))
    s.close()
    print("sent")


def stall(name):
    s = connect(name)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    time.sleep(3600)


def echo(name, n):
    relay(name, name, n)


def relay(src, dst, n):
    a = connect(src)
    b = a if dst == src else connect(dst)
    n, got = int(n), 0
    while got < n:
        d = a.recv(65536)
        if not d:
            break
        b.sendall(d)
        got += len(d)
    a.close()
    b.close()


def result(tag, secs="600"):
    path = os.path.join(RUN, "vcon-%s.result" % tag)
    end = time.monotonic() + float(secs)
    while time.monotonic() < end:
        if os.path.exists(path):
            print(open(path).read().strip())
            return
        time.sleep(0.1)
    sys.exit("no result for " + tag)


def file_has(path, text, secs="20"):
    path = os.path.join(RUN, path)
    end = time.monotonic() + float(secs)
    while time.monotonic() < end:
        try:
            if text.encode() in open(path, "rb").read():
                print("found")
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("%s not found in %s" % (text, path))


def qmp_session():
    """A QMP session on $PVKIT_QMP: (socket, file, cmd(name, **args))."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["PVKIT_QMP"])
    f = s.makefile("rw")
    f.readline()                                    # greeting

    def cmd(c, **args):
        f.write(json.dumps({"execute": c, "arguments": args}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                return r
    cmd("qmp_capabilities")
    return s, f, cmd


def qmp(dev_id):
    s, f, cmd = qmp_session()
    r = cmd("device_del", id=dev_id)
    if "error" in r:
        sys.exit("device_del: %s" % r["error"])
    # virtio-serial ports unplug at once; wait for QEMU to confirm.
    s.settimeout(20)
    while True:
        line = f.readline()
        if not line:
            sys.exit("QMP closed")
        ev = json.loads(line)
        if ev.get("event") == "DEVICE_DELETED" and \
                ev.get("data", {}).get("device") == dev_id:
            print("deleted")
            return


def wakeup(secs):
    time.sleep(float(secs))
    for _ in range(100):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.environ["PVKIT_QMP"])
        f = s.makefile("rw")
        f.readline()
        for c in ("qmp_capabilities", "query-status", "system_wakeup"):
            f.write(json.dumps({"execute": c}) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "return" in r or "error" in r:
                    break
            if c == "query-status":
                state = r.get("return", {}).get("status")
        s.close()
        if state == "suspended":
            print("woken")
            return
        time.sleep(0.2)
    sys.exit("guest never suspended")


def qmp_open():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["PVKIT_QMP"])
    f = s.makefile("rw")
    f.readline()

    def cmd(c, **args):
        f.write(json.dumps({"execute": c, "arguments": args}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                return r
    cmd("qmp_capabilities")
    return s, cmd


def device_add(spec):
    driver, _, rest = spec.partition(",")
    args = dict(kv.split("=", 1) for kv in rest.split(",") if kv)
    args = {k: int(v) if v.isdigit() else v for k, v in args.items()}
    s, cmd = qmp_open()
    r = cmd("device_add", driver=driver, **args)
    s.close()
    if "error" in r:
        sys.exit("device_add: %s" % r["error"])
    print("added")


def suspend_hup(name):
    conn = connect(name)
    s, cmd = qmp_open()
    end = time.monotonic() + 60
    while cmd("query-status").get("return", {}).get("status") != \
            "suspended":
        if time.monotonic() > end:
            sys.exit("guest never suspended")
        time.sleep(0.1)
    conn.close()
    time.sleep(0.5)                 # QEMU sees the hangup while asleep
    cmd("system_wakeup")
    s.close()
    print("woken")


def kicks(trace):
    status, early = {}, {}
    for line in open(os.path.join(RUN, trace), errors="replace"):
        m = re.search(r"virtio_set_status vdev (\S+) val (\d+)", line)
        if m:
            status[m.group(1)] = int(m.group(2))
            continue
        m = re.search(r"virtio_queue_notify vdev (\S+) n (\d+)", line)
        if m and not status.get(m.group(1), 0) & 4:
            key = "%s/q%s" % (m.group(1), m.group(2))
            early[key] = early.get(key, 0) + 1
    print("%d %s" % (sum(early.values()),
                     " ".join("%s:%d" % kv for kv in sorted(early.items()))
                     or "-"))


def vserport(dev_id, tag):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["PVKIT_QMP"])
    f = s.makefile("rw")
    f.readline()
    f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    f.flush()
    put_result(tag + "-ready", "ready")
    seen = []
    s.settimeout(30)
    try:
        while seen[-2:] != ["1", "0"]:
            ev = json.loads(f.readline())
            if ev.get("event") == "VSERPORT_CHANGE" and \
                    ev["data"].get("id") == dev_id:
                seen.append("1" if ev["data"].get("open") else "0")
    except (OSError, ValueError):
        pass
    put_result(tag, " ".join(seen) or "none")


def queues(dev_id, qs):
    s, f, cmd = qmp_session()
    path = "/machine/peripheral/%s/virtio-backend" % dev_id
    out = []
    for q in qs.split(","):
        r = cmd("x-query-virtio-queue-status", path=path, queue=int(q))
        r = r.get("return") or {}
        out.append("q%s avail=%s last_avail=%s used=%s inuse=%s" % (
            q, r.get("shadow-avail-idx"), r.get("last-avail-idx"),
            r.get("used-idx"), r.get("inuse")))
    r = cmd("query-chardev").get("return", [])
    out.append("open=" + ",".join(c["label"] for c in r
                                  if c.get("frontend-open")))
    print("; ".join(out))
    s.close()


CMDS = {"sink": sink, "source": source, "drain": drain, "spray": spray,
        "hello": hello, "stall": stall,
        "echo": echo, "relay": relay, "result": result,
        "file-has": file_has,
        "device-del": qmp, "wakeup": wakeup, "vserport": vserport,
        "device-add": device_add, "suspend-hup": suspend_hup,
        "kicks": kicks, "queues": queues}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        sys.exit(__doc__)
    CMDS[sys.argv[1]](*sys.argv[2:])
