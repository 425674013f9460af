# SPDX-License-Identifier: GPL-2.0
"""The summary table and CI's closing line."""

import os
import time

from . import common
from .common import LOGS, T0


def print_table(results):
    print()
    print("%-5s %-14s %-9s %-52s %7s  %s" % ("", "kernel", "profile",
                                             "test", "time", "note"))
    # Host tests first; the VMs in the order they ended.
    results = sorted(results, key=lambda r: r.kernel != "host")
    for r in results:
        print("%-5s %-14s %-9s %-52s %6.1fs  %s" % (r.verdict, r.kernel,
                                                    r.profile, r.name[:52],
                                                    r.time, r.why[:100]))
    failed = [r for r in results if r.verdict == "FAIL"]
    if failed:
        print()
        print("Failures (logs under %s):" % os.path.relpath(LOGS))
        for r in failed:
            print("  %s %s: %s" % (r.kernel, r.name, r.why[:400]))
    npass = sum(1 for r in results if r.verdict == "PASS")
    nfail = sum(1 for r in results if r.verdict == "FAIL")
    nskip = sum(1 for r in results if r.verdict == "SKIP")
    if common.REBOOTED:
        print()
        print("Booted again after QEMU's TCG broke the first boot (Oops: "
              "int3 before init, no module loaded; Documentation/"
              "testing.md): %s" % ", ".join(common.REBOOTED))
    print()
    print("%d skipped (not counted), wall time %.0f s" %
          (nskip, time.monotonic() - T0))
    print("%d passed, %d failed" % (npass, nfail))
    return nfail
