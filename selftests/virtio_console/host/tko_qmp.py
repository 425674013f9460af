#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""QMP hotplug for the takeover selftest: devices and ports that appear
after virtio_console_fix took the console devices over.

  add-bus ID          device_add virtio-serial-pci,id=ID (PCI hotplug)
  add-port BUS NAME   chardev-add a null backend, device_add a
                      virtserialport named NAME on BUS.0
"""
import json
import os
import socket
import sys


def qmp(*cmds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["PVKIT_QMP"])
    s.settimeout(20)
    f = s.makefile("rw")
    f.readline()
    for c, args in (("qmp_capabilities", {}),) + cmds:
        f.write(json.dumps({"execute": c, "arguments": args}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "error" in r:
                sys.exit("%s: %s" % (c, r["error"]))
            if "return" in r:
                break
    print("ok")


def add_bus(dev_id):
    qmp(("device_add", {"driver": "virtio-serial-pci", "id": dev_id}))


def add_port(bus, name):
    cid = "tko-" + name.replace(".", "-")
    backend = {"type": "null", "data": {}}
    qmp(("chardev-add", {"id": cid, "backend": backend}),
        ("device_add", {"driver": "virtserialport", "bus": bus + ".0",
                        "chardev": cid, "name": name, "id": cid}))


CMDS = {"add-bus": add_bus, "add-port": add_port}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        sys.exit(__doc__)
    CMDS[sys.argv[1]](*sys.argv[2:])
