# SPDX-License-Identifier: GPL-2.0
"""Verdicts: exit codes, the kernel log and how the VM ended."""

import os
import re

from . import common
from .common import SPLAT


# A frame in a module, as stack traces and lockdep print it:
# "pvkit_warn_init+0x4c/0x1000 [pvkit_warn]".
MODULE_FRAME = re.compile(r"([\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[\w+\])")

# The checker behind a report, named in the verdict.
CHECKERS = [
    (re.compile(r"KASAN: "), "KASAN"),
    (re.compile(r"KFENCE: "), "KFENCE"),
    (re.compile(r"unreferenced object|kmemleak: "), "kmemleak"),
    (re.compile(r"UBSAN: "), "UBSAN"),
    (re.compile(r"ODEBUG: "), "debug objects"),
    (re.compile(r"sleeping function called from invalid context|"
                r"scheduling while atomic"), "atomic sleep"),
    (re.compile(r"WARNING: (?!CPU: ).*(lock|RCU usage|chain_key)|"
                r"circular locking"), "lockdep"),
]


def name_report(lines, i):
    """Line i of the console log as a verdict: the checker, the line, and
    the first frame in a module if the report has one (the driver)."""
    line = re.sub(r"^\[ *[\d.]+\] ", "", lines[i].strip())
    kind = next((k for rx, k in CHECKERS if rx.search(line)), None)
    text = "%s: %s" % (kind, line) if kind and \
        not line.startswith(kind + ":") else line
    if not MODULE_FRAME.search(line):
        for nxt in lines[i + 1:i + 40]:
            m = MODULE_FRAME.search(nxt)
            if m:
                text += " (at %s)" % m.group(1)
                break
            if re.search(r"pvkit-testvm: (begin|end) ", nxt):
                break
    return text


def splats_by_test(console_path):
    """Map test name (or None for outside any test) to named reports."""
    out = {}
    cur = None
    try:
        lines = open(console_path, errors="replace").read().splitlines()
    except FileNotFoundError:
        return out
    for i, line in enumerate(lines):
        m = re.search(r"pvkit-testvm: (begin|end) (\S+)", line)
        if m:
            cur = m.group(2) if m.group(1) == "begin" else None
            continue
        if SPLAT.search(line):
            out.setdefault(cur, []).append(name_report(lines, i))
    return out


def first_failure(tap):
    """The first 'not ok' line and the evidence lines after it, so that a
    failure in a CI log says what failed without the per-test logs."""
    for i, line in enumerate(tap):
        if line.startswith("not ok") or line.startswith("Bail out!"):
            more = [m.lstrip("# ").strip() for m in tap[i + 1:i + 4]
                    if m.startswith("#")]
            return ": " + " | ".join([line] + more)
    return ""


def judge(run, err):
    vm = run.vm
    splats = splats_by_test(os.path.join(run.rundir, "console.log"))
    ended_by = None
    for t in vm.tests:
        with open(os.path.join(run.rundir, t.name.replace("/", "_") +
                               ".tap"), "w") as f:
            f.write("\n".join(t.tap) + "\n")
        if t.expect_end and t.rc is None:
            ended_by = t
            ok = run.end_reason == t.expect_end
            if ok and t.expect_end.startswith("guest-") and \
                    t.expect_hook and not run.shutdown_hook:
                ok = False
                t.why = "VM ended (%s) without the guest shutdown hook" % \
                    run.end_reason
            elif not ok:
                t.why = "VM ended with %s, expected %s" % (
                    run.end_reason or "no host-model reason", t.expect_end)
            # The claims it made before it ended the VM count too.
            failed = first_failure(t.tap)
            if ok and failed:
                ok = False
                t.why = "VM ended as expected (%s), but%s" % (
                    run.end_reason, failed)
            t.verdict = "PASS" if ok else "FAIL"
        elif t.rc is None:
            t.verdict = "FAIL"
            t.why = "no result" + (" (%s)" % err if err else
                                   " (VM ended: %s)" % (run.end_reason or
                                                        "crash or hang"))
            if ended_by:
                t.verdict = "FAIL"
                t.why = "not run: %s ended the VM" % ended_by.name
        elif t.rc == 0:
            t.verdict = "PASS"
        elif t.rc == 4:
            t.verdict = "SKIP"
            t.why = next((line.split("SKIP", 1)[1].strip()
                          for line in t.tap if "# SKIP" in line), "")
        else:
            t.verdict = "FAIL"
            t.why = "timed out in the guest" if t.rc == 124 else \
                "exit %d" % t.rc
            t.why += first_failure(t.tap)
        if splats.get(t.name):
            t.verdict = "FAIL"
            t.why = "kernel: " + splats[t.name][0]
        if t.argv[0] in common.MISSING:
            t.verdict = "FAIL"
            t.why = "program not built: selftests/" + t.argv[0]
    vm_ok = (run.success or ended_by is not None) and not err and \
        not splats.get(None)
    vm_why = ""
    if not vm_ok:
        vm_why = err or ("kernel: " + splats[None][0] if splats.get(None)
                         else "no success token (crash or hang)")
    return vm_ok, vm_why
