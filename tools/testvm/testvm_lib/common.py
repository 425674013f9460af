# SPDX-License-Identifier: GPL-2.0
"""Paths, profiles, the splat patterns and the result type shared by
the runner's parts."""

import os
import re
import sys
import threading
import time
from dataclasses import dataclass

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                   "..", "..", ".."))
CACHE = os.environ.get("PVKIT_CACHE", "/var/cache/pvkit")
BUILD = os.path.join(TOP, "build")
LOGS = os.path.join(BUILD, "test-logs")
T0 = time.monotonic()
# VMs booted a second time after an emulator fault at boot (main.py).
REBOOTED = []
PRINT_LOCK = threading.Lock()
VERBOSE = False
MODROOT = None
MISSING = set()     # test programs that were not built

# Kernel log lines that fail a run: WARN, BUG, oops, lockdep (every one of
# its report titles has "lock" in it, or is an RCU or chain-key one),
# KASAN, KFENCE and DEBUG_ATOMIC_SLEEP ("BUG: "), debug objects, UBSAN,
# kmemleak's leaks (and kmemleak giving up), hung task, stalls.
SPLAT = re.compile(
    r"WARNING: CPU: \d+|WARNING: .*(lock|RCU usage|chain_key)|"
    r"\bBUG: |kernel BUG at|Oops: |general protection fault|"
    r"Kernel panic|INFO: task .* blocked for more than|"
    r"rcu: INFO: .*(stall|detected stalls)|self-detected stall|"
    r"possible circular locking dependency|UBSAN: |KASAN: |ODEBUG: |"
    r"Unable to handle kernel|unreferenced object|stack-protector|"
    r"kmemleak: .*(disabled|Cannot)")

PROFILES = {
    # Debian's usual QEMU guest, stock QEMU.
    "std": dict(host_model=False, smp=1,
                machine="pc", cpu="qemu64", append=""),
    "std-smp2": dict(host_model=False, smp=2,
                     machine="pc", cpu="qemu64", append=""),
    # The vmd platform: 1 vCPU, no ACPI, no HPET, legacy PIC, COM1, vmmci.
    "vmd": dict(host_model=True, smp=1, machine="pc,acpi=off,hpet=off",
                cpu="qemu64,openbsd-vmm=on", append="noapic",
                devices=["-device", "vmmci,id=vmmci0"]),
    # The same host with more vCPUs (SMP needs ACPI/APIC tables).
    "vmd-smp2": dict(host_model=True, smp=2, machine="pc,hpet=off",
                     cpu="qemu64,openbsd-vmm=on", append="",
                     devices=["-device", "vmmci,id=vmmci0"]),
    "vmd-smp4": dict(host_model=True, smp=4, machine="pc,hpet=off",
                     cpu="qemu64,openbsd-vmm=on", append="",
                     devices=["-device", "vmmci,id=vmmci0"]),
}


def kernel_config(kver):
    """The CONFIG_ lines of a cached kernel's boot/config-KVER."""
    path = os.path.join(CACHE, "kernels", kver, "boot", "config-" + kver)
    try:
        with open(path) as f:
            return {k: v for k, _, v in (line.strip().partition("=")
                                         for line in f) if v}
    except OSError:
        return {}


def debug_kernel(kver):
    """A kernel with the checkers of tools/debugk/debug.config (any kernel
    built with KASAN, lockdep or kmemleak): its tests run slower."""
    c = kernel_config(kver)
    return any(c.get(k) == "y" for k in (
        "CONFIG_KASAN", "CONFIG_PROVE_LOCKING", "CONFIG_DEBUG_KMEMLEAK"))


# How much longer everything takes on a debug kernel under TCG than on
# Debian's (inline KASAN, lockdep on every lock, kmemleak's bookkeeping on
# every allocation): guest timeouts and the VM's own deadline are scaled.
DEBUG_SLOWDOWN = float(os.environ.get("PVKIT_DEBUG_SLOWDOWN", "3"))
# Per test on a kmemleak kernel: init's wait before the scan
# (tools/testvm/init.c) and the scan itself.
KMEMLEAK_SCAN_ALLOWANCE = 20


def say(msg):
    with PRINT_LOCK:
        print("[%7.1fs] %s" % (time.monotonic() - T0, msg), flush=True)


def die(msg):
    print("testvm: " + msg, file=sys.stderr)
    sys.exit(2)


@dataclass
class Result:
    """One line of the summary table."""
    verdict: str        # PASS FAIL SKIP
    kernel: str         # short kernel name, or "host"
    profile: str        # VM profile, or "-"
    name: str           # AREA/VM:TEST or AREA/NAME
    time: float
    why: str = ""
