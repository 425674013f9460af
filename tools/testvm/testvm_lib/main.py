# SPDX-License-Identifier: GPL-2.0
"""The command line: what to run, on which kernels, and the summary."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

from . import common
from .common import TOP, BUILD, LOGS, PROFILES, Result, say, die
from .plan import find_lists, select_vms
from .report import print_table
from .initramfs import build_base_initramfs, vm_initramfs
from .vm import Run, platform_argv
from .judge import judge
from .hosttests import run_host_tests

DESCRIPTION = """pvkit's VM test runner.

Boots Debian guest kernels under QEMU TCG with a busybox initramfs that holds
our modules and static selftests, runs the plans in selftests/*/testvm.list,
and judges each test from its exit code, the kernel log and how the VM ended.
Also runs the host-side tests of selftests/*/host.list.
Documentation/testing.md is the contract with the tests."""


def qemu_binaries(need_host_model, build_host_model):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        die("qemu-system-x86_64 not found (run: make deps)")
    hostqemu = os.environ.get("PVKIT_VMD_QEMU")
    if need_host_model and not hostqemu:
        script = os.path.join(TOP, "tools", "vmd-qemu", "build.sh")
        if os.path.exists(script):
            r = subprocess.run([script, "--path"], capture_output=True,
                               text=True)
            if r.returncode != 0 and build_host_model:
                say("building the host model (tools/vmd-qemu/build.sh)")
                r = subprocess.run([script], stdout=subprocess.PIPE,
                                   text=True)
            out = r.stdout.strip().splitlines()
            if r.returncode == 0 and out and os.path.exists(out[-1]):
                hostqemu = out[-1]
    return qemu, hostqemu


def run_vms(plan, args, results, host_tests=None):
    """Every VM of @plan (kernel, VMs, modules directory) in one pool of
    --jobs workers, so that no kernel waits for the last VM of the one
    before it. With @host_tests (a function), the first worker runs them
    before it takes VMs: they run one at a time (they share build/
    paths), next to the VMs rather than before them, and the machine
    still runs --jobs things at once."""
    need_hm = any(PROFILES[v.profile]["host_model"]
                  for _, vms, _ in plan for v in vms)
    qemu, hostqemu = qemu_binaries(need_hm, not args.no_build)
    os.makedirs(os.path.join(BUILD, "testvm"), exist_ok=True)
    queue, bases = [], []
    for kver, vms, moddir in plan:
        programs = {t.argv[0] for v in vms for t in v.tests}
        base = build_base_initramfs(kver, moddir, programs)
        bases.append(base)
        queue += [(kver, base, vm) for vm in vms]
    cond = threading.Condition()
    busy = {"running": 1 if host_tests else 0, "alone": False,
            "host": bool(host_tests)}

    def is_alone(item):
        keys = item[2].keys
        return keys.get("pin") == "1" or keys.get("alone") == "1"

    # A pinned VM (pin=1) runs alone: it owns host CPU 0 for its timing,
    # and it would starve a VM next to it of half the machine. So does a
    # VM with alone=1 (benchmarks). The VMs behind it in the plan wait
    # for it, so it cannot be put off forever; only while the host tests
    # run (they end) do others go ahead of it.
    def take():
        with cond:
            while True:
                if not queue:
                    return None
                pick = None
                if not busy["alone"]:
                    if not (is_alone(queue[0]) and busy["running"]):
                        pick = 0
                    elif busy["host"]:
                        pick = next((i for i, it in enumerate(queue)
                                     if not is_alone(it)), None)
                if pick is not None:
                    busy["running"] += 1
                    busy["alone"] = is_alone(queue[pick])
                    return queue.pop(pick)
                cond.wait()

    def done(host=False):
        with cond:
            busy["running"] -= 1
            busy["alone"] = False
            if host:
                busy["host"] = False
            cond.notify_all()

    def worker(first):
        if first and host_tests:
            try:
                host_tests()
            finally:
                done(host=True)
        while True:
            item = take()
            if item is None:
                return
            kver, base, vm = item
            try:
                run_one(vm, kver, base, qemu, hostqemu, results)
            finally:
                done()

    jobs = max(1, args.jobs)
    threads = [threading.Thread(target=worker, args=(i == 0,))
               for i in range(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for base in bases:
        shutil.rmtree(os.path.dirname(base), ignore_errors=True)


def tcg_int3_at_boot(logdir):
    """Did the VM die of QEMU 7.2's multi-threaded TCG rather than of
    anything it ran? Now and then a vCPU executes a breakpoint that the
    kernel's live patching of a static key has already removed, and the
    boot dies with "Oops: int3" in the patched function (seen on 6.12 and
    7.3 with 2 vCPUs, at "sched_clock: Marking stable" and in the
    scheduler). Only such an oops before init started, with no module
    loaded, counts: nothing of ours had run."""
    try:
        with open(os.path.join(logdir, "console.log"),
                  errors="replace") as f:
            log = f.read()
    except OSError:
        return False
    i = log.find("Oops: int3")
    if i < 0 or "pvkit-testvm: init started" in log[:i]:
        return False
    m = re.search(r"Modules linked in:(.*)", log[i:])
    return bool(m) and not m.group(1).strip()


def run_one(vm, kver, base, qemu, hostqemu, results):
    logdir = os.path.join(LOGS, kver, vm.area, vm.name)
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    short = re.sub(r"-cloud-amd64$|-amd64$", "", kver)
    if PROFILES[vm.profile]["host_model"] and not hostqemu:
        for t in vm.tests:
            results.append(Result("FAIL", short, vm.profile,
                                  "%s:%s" % (vm.id, t.name), 0,
                                  "host model not built "
                                  "(tools/vmd-qemu/build.sh)"))
        return
    scale = common.DEBUG_SLOWDOWN if common.debug_kernel(kver) else 1.0
    t0 = time.monotonic()
    for boot in (1, 2):
        initrd = vm_initramfs(base, vm, logdir, scale)
        run = Run(vm, kver, initrd, qemu, hostqemu, logdir)
        say("%s %s: boot (profile %s, %d tests)" % (
            kver, vm.id, vm.profile, len(vm.tests)))
        err = run.run()
        vm_ok, vm_why = judge(run, err)
        if vm_ok or boot == 2 or not tcg_int3_at_boot(logdir):
            break
        # Once, and said in the summary: the first boot's log is kept.
        with open(os.path.join(logdir, "console.log"), "rb") as f:
            first = f.read()
        shutil.rmtree(logdir, ignore_errors=True)
        os.makedirs(logdir)
        with open(os.path.join(logdir, "console.boot1.log"), "wb") as f:
            f.write(first)
        common.REBOOTED.append("%s %s" % (short, vm.id))
        say("%s %s: QEMU's TCG broke the boot (Oops: int3 before init, "
            "no module loaded): booting it again" % (kver, vm.id))
        for t in vm.tests:
            t.reset()
    for t in vm.tests:
        results.append(Result(t.verdict, short, vm.profile,
                              "%s:%s" % (vm.id, t.name if len(t.argv) == 1
                                         else " ".join(t.argv)),
                              t.time, t.why))
        say("%s %s: %s %s%s" % (kver, vm.id, t.name, t.verdict,
                                " (%s)" % t.why if t.why else ""))
    if not vm_ok:
        results.append(Result("FAIL", short, vm.profile, "%s:(vm)" % vm.id,
                              time.monotonic() - t0, vm_why))
    say("%s %s: done in %.1fs%s%s" % (
        kver, vm.id, time.monotonic() - t0,
        ", host model: vm-end reason=" + run.end_reason if run.end_reason
        else "", "" if vm_ok else ": " + vm_why))


def print_qemu_argv(args, kver):
    """The platform of --profile for a harness that boots its own guest:
    one argument per line, the QEMU binary first (the host model for the
    vmd profiles), then -append with --append's text and the profile's
    kernel arguments. Exit 4 (skip) when the host model is not built."""
    if args.profile not in PROFILES:
        die("unknown profile %r (%s)" % (args.profile,
                                         ", ".join(sorted(PROFILES))))
    need_hm = PROFILES[args.profile]["host_model"]
    qemu, hostqemu = qemu_binaries(need_hm, False)
    if need_hm and not hostqemu:
        print("testvm: host model not built (tools/vmd-qemu/build.sh)",
              file=sys.stderr)
        return 4
    argv = platform_argv(args.profile, kver, hostqemu if need_hm else qemu,
                         args.mem, args.cpu_props)
    append = " ".join(a for a in (args.append,
                                  PROFILES[args.profile]["append"]) if a)
    if append:
        argv += ["-append", append]
    print("\n".join(argv))
    return 0


def default_kver():
    r = subprocess.run([os.path.join(TOP, "tools", "testvm", "kernels.sh"),
                        "default"], capture_output=True, text=True)
    return r.stdout.strip()


def main():
    ap = argparse.ArgumentParser(prog="testvm", description=DESCRIPTION)
    ap.add_argument("command",
                    choices=["run", "check", "host", "list", "qemu-argv"],
                    help="run: VM tests only; host: host tests only; "
                    "check: both, with the summary line; list: the plan; "
                    "qemu-argv: print a profile's QEMU platform")
    ap.add_argument("lists", nargs="*", help="testvm.list files "
                    "(default: every selftests/*/testvm.list)")
    ap.add_argument("--kernel", "-k", action="append",
                    help="kernel version (repeatable; default: %s)" %
                    "the bookworm cloud kernel")
    ap.add_argument("--set", default="check",
                    help="check, smoke, stress or bench")
    ap.add_argument("--smoke-kernels", default="",
                    help="more kernels that run only set=smoke VMs")
    ap.add_argument("--debug-kernel", default="",
                    help="a debug kernel (tools/debugk) that runs the VMs "
                    "of --debug-set")
    ap.add_argument("--debug-set", default="debug",
                    help="the set the debug kernel runs (default: debug, "
                    "the short one make check runs; check is every test)")
    ap.add_argument("--vm", help="only VMs whose AREA/NAME matches (glob)")
    ap.add_argument("--host-filter", help="only host tests matching (glob)")
    ap.add_argument("--modules", help="directory of our .ko files "
                    "(default: build/KVER/modules)")
    ap.add_argument("--modroot", help="take lib/modules/KVER (updates/ "
                    "and the in-tree modules) and etc/modules-load.d, "
                    "etc/modprobe.d from this install root instead of the "
                    "kernel package and build/KVER/modules")
    ap.add_argument("--profile", default="vmd",
                    help="qemu-argv: the VM profile (default vmd)")
    ap.add_argument("--append", default="",
                    help="qemu-argv: kernel arguments before the profile's")
    ap.add_argument("--mem", default="512",
                    help="qemu-argv: guest memory (QEMU -m, default 512)")
    ap.add_argument("--cpu-props", default="",
                    help="qemu-argv: more CPU properties (comma list, "
                    "e.g. openbsd-vmm-kvm-leaf=on)")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--no-build", action="store_true",
                    help="do not build the host model if it is missing")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="show each test's output as it runs")
    args = ap.parse_args()
    common.VERBOSE = args.verbose
    common.MODROOT = args.modroot and os.path.abspath(args.modroot)

    lists = [os.path.abspath(p) for p in args.lists] or find_lists()
    kvers = args.kernel or [default_kver()]
    smoke = [k for k in args.smoke_kernels.split() if k not in kvers]
    results = []

    if args.command == "qemu-argv":
        return print_qemu_argv(args, kvers[0])

    if args.command == "list":
        for k in kvers:
            for vm in select_vms(lists, [args.set], args.vm):
                print("%s %s profile=%s: %s" % (k, vm.id, vm.profile,
                                                ", ".join(t.name for t in
                                                          vm.tests)))
        return 0

    def host_tests():
        run_host_tests(args.set, args.host_filter, results)

    if args.command == "host":
        host_tests()
    if args.command in ("check", "run"):
        sets = [(k, [args.set]) for k in kvers] + \
               [(k, ["smoke"]) for k in smoke]
        if args.debug_kernel:
            sets.append((args.debug_kernel, [args.debug_set]))
        plan = []
        for k, s in sets:
            vms = select_vms(lists, s, args.vm)
            if vms:
                plan.append((k, vms, args.modules or
                             os.path.join(BUILD, k, "modules")))
        run_vms(plan, args, results,
                host_tests if args.command == "check" else None)
    if not results:
        print("testvm: nothing ran")
    return 1 if print_table(results) else 0
