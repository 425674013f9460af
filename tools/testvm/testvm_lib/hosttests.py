# SPDX-License-Identifier: GPL-2.0
"""The host-side tests of selftests/*/host.list."""

import fnmatch
import os
import subprocess
import time

from .common import TOP, LOGS, Result, say


def host_tests(which):
    out = []
    for area in sorted(os.listdir(os.path.join(TOP, "selftests"))):
        p = os.path.join(TOP, "selftests", area, "host.list")
        if not os.path.isfile(p):
            continue
        for line in open(p):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, cmd = line.partition(" ")
            kind = "check"
            if ":" in name:
                kind, name = name.split(":", 1)
            if kind == which:
                out.append(("%s/%s" % (area, name), cmd.strip()))
    return out


def run_host_tests(which, pattern, results):
    d = os.path.join(LOGS, "host")
    os.makedirs(d, exist_ok=True)
    for name, cmd in host_tests(which):
        if pattern and not fnmatch.fnmatch(name, pattern):
            continue
        say("host %s ..." % name)
        t = time.monotonic()
        log = os.path.join(d, name.replace("/", "_") + ".log")
        with open(log, "w") as f:
            rc = subprocess.run(["sh", "-c", cmd], cwd=TOP, stdout=f,
                                stderr=subprocess.STDOUT).returncode
        v = "PASS" if rc == 0 else "SKIP" if rc == 4 else "FAIL"
        why = "" if rc in (0, 4) else \
            "exit %d, see %s" % (rc, os.path.relpath(log, TOP))
        if rc == 4:
            why = open(log).read().strip().splitlines()[-1:] or [""]
            why = why[0]
        results.append(Result(v, "host", "-", name, time.monotonic() - t, why))
        say("host %s: %s" % (name, v))
