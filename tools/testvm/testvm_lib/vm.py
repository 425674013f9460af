# SPDX-License-Identifier: GPL-2.0
"""One boot of one VM: QEMU, its channels, the host side of hostctl."""

import os
import re
import select
import shlex
import socket
import subprocess
import threading
import time

from . import common
from .common import TOP, PROFILES, PRINT_LOCK, say
from .initramfs import kernel_dir


def cpu_model(cpu, kver):
    """QEMU 7.2's TCG mis-emulates the cmpxchg16b that SLUB's per-CPU
    fast path uses from 6.6 on (6.12 guests double-fault at random), so
    newer guests run without CX16, which makes SLUB take its other path."""
    if kver_at_least(kver, (6, 6)) and "cx16=" not in cpu:
        return cpu + ",cx16=off"
    return cpu


def kver_at_least(kver, want):
    m = re.match(r"(\d+)\.(\d+)", kver)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= want


def accel(smp, kver):
    """An SMP 7.x guest on QEMU 7.2's multi-threaded TCG dies now and then
    at boot with "Oops: int3" in code the kernel has just patched (a
    static key): a vCPU runs the breakpoint after the patch is done and
    synced. Measured with 2 vCPUs on 7.3.4: 3 boots in 80; on 6.12: 0 in
    80. With one host thread for all vCPUs, which keeps every vCPU
    coherent with code writes, 0 in 80. The vCPUs then run interleaved,
    not at once: still SMP to the guest (IPIs, per-CPU clocks, migration
    between CPUs), with less real parallelism for the race tests, which
    run on 6.1 and 6.12."""
    if smp > 1 and kver_at_least(kver, (7, 0)):
        return "tcg,thread=single"
    return "tcg"


def platform_argv(profile, kver, qemu, mem="512", cpu_props=""):
    """The platform of a profile as a QEMU command line: machine, CPU,
    vCPUs, memory and the profile's devices, without the runner's
    channels, kernel or initramfs. The runner starts from it, and
    `testvm qemu-argv` prints it for the harnesses that boot guests of
    their own (tools/guest/), so the platform is defined once."""
    p = PROFILES[profile]
    cpu = p["cpu"] + ("," + cpu_props if cpu_props else "")
    return [qemu, "-nodefaults", "-no-reboot", "-display", "none",
            "-L", "/usr/share/qemu", "-L", "/usr/share/seabios",
            "-machine", p["machine"], "-accel", accel(p["smp"], kver),
            "-cpu", cpu_model(cpu, kver), "-smp", str(p["smp"]),
            "-m", mem, "-nic", "none"] + p.get("devices", [])


class Run:
    """One boot of one VM: QEMU, its channels, the host side of hostctl."""

    def __init__(self, vm, kver, initrd, qemu, hostqemu, logdir):
        self.vm, self.kver, self.initrd = vm, kver, initrd
        self.rundir = logdir
        self.prof = PROFILES[vm.profile]
        self.qemu = hostqemu if self.prof["host_model"] else qemu
        self.sock = None
        self.conn = None
        self.spawned = []
        self.wlock = threading.Lock()
        self.current = None
        self.end_reason = None
        self.shutdown_hook = None
        self.success = False
        self.hostlog = open(os.path.join(logdir, "host.log"), "w")
        self.hlock = threading.Lock()
        self.debug = common.debug_kernel(kver)

    def log_host(self, text):
        """host.log, from the main loop and from request threads: a
        request's output may come after the VM ended and the log closed."""
        with self.hlock:
            if not self.hostlog.closed:
                self.hostlog.write(text)
                self.hostlog.flush()

    def qemu_argv(self):
        p, run = self.prof, self.rundir
        kdir = kernel_dir(self.kver)
        # no_timer_check: at boot Linux checks that the IO-APIC delivers
        # the PIT's ticks within a delay loop; under TCG on a loaded
        # machine the ticks come late and it panics ("IO-APIC + timer
        # doesn't work"). KVM guests skip the check for the same reason.
        append = ("console=ttyS0,115200 panic=-1 oops=panic no_timer_check "
                  "pvkit.hostctl=ttyS2 pvkit.kver=" + self.kver +
                  " rdinit=/init loglevel=7 "
                  "printk.devkmsg=on " + p["append"] + " " +
                  self.vm.keys.get("append", ""))
        if self.debug:
            # Every KASAN report, not only the first of the boot: each
            # test is judged on its own.
            append += " kasan_multi_shot"
        argv = []
        if self.vm.keys.get("pin") == "1":
            argv += ["taskset", "-c", "0"]
        argv += platform_argv(self.vm.profile, self.kver, self.qemu,
                              self.vm.keys.get("mem", "512"))
        argv += ["-chardev", "file,id=con,path=%s/console.log" % run,
                 "-serial", "chardev:con",
                 "-chardev", "file,id=res,path=%s/results.log" % run,
                 "-serial", "chardev:res",
                 "-chardev", "socket,id=hctl,path=%s/hostctl.sock" % run,
                 "-serial", "chardev:hctl",
                 "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % run,
                 "-kernel", os.path.join(kdir, "boot", "vmlinuz-" + self.kver),
                 "-initrd", self.initrd, "-append", append.strip()]
        extra = shlex.split(self.vm.keys.get("qemu", "").replace("{run}", run))
        # A VM's own -cpu (QEMU takes the last one) needs the same care.
        for i in range(1, len(extra)):
            if extra[i - 1] == "-cpu":
                extra[i] = cpu_model(extra[i], self.kver)
        return argv + extra

    # hostctl: one request line in, one reply line out.
    def reply(self, rid, rc, text):
        text = " ".join(text.split())[:900]
        with self.wlock:
            try:
                self.conn.sendall(("REP %s %d %s\n" % (rid, rc, text))
                                  .encode())
            except OSError:
                pass

    def host_env(self):
        env = dict(os.environ)
        env.update(PVKIT_RUN=self.rundir,
                   PVKIT_QMP=os.path.join(self.rundir, "qmp.sock"),
                   PVKIT_TOP=TOP, PVKIT_KVER=self.kver)
        return env

    def handle_request(self, rid, req):
        self.log_host("REQ %s %s\n" % (rid, req))
        words = req.split()
        if not words:
            return self.reply(rid, 1, "empty request")
        cmd, args = words[0], words[1:]
        if cmd == "time":
            t = time.clock_gettime_ns(time.CLOCK_REALTIME)
            return self.reply(rid, 0, "%d.%09d" % divmod(t, 10**9))
        if cmd == "log":
            return self.reply(rid, 0, "ok")
        if cmd == "expect-end":
            if not self.current or not args:
                return self.reply(rid, 1, "no test running or no reason")
            self.current.expect_end = args[0]
            self.current.expect_hook = "--no-hook" not in args[1:]
            return self.reply(rid, 0, "ok")
        if cmd in ("vmctl", "run"):
            if cmd == "vmctl":
                argv = [os.path.join(TOP, "tools", "vmd-qemu", "vmctl"),
                        "-s", os.path.join(self.rundir, "qmp.sock")] + args
            else:
                argv = [os.path.join(TOP, "selftests", self.vm.area,
                                     "host", args[0])] + args[1:]

            def work():
                try:
                    r = subprocess.run(argv, capture_output=True, text=True,
                                       timeout=600, env=self.host_env())
                    out, rc = r.stdout, r.returncode
                    self.log_host(r.stdout + r.stderr)
                except (OSError, subprocess.TimeoutExpired) as e:
                    out, rc = str(e), 127
                lines = out.strip().splitlines()
                text = ";".join(lines) if cmd == "vmctl" else \
                    (lines[-1] if lines else "")
                self.log_host("REP %s %d %s\n" % (rid, rc, text))
                self.reply(rid, rc, text)
            threading.Thread(target=work, daemon=True).start()
            return None
        if cmd == "spawn":
            argv = [os.path.join(TOP, "selftests", self.vm.area, "host",
                                 args[0])] + args[1:]
            try:
                p = subprocess.Popen(argv, stdout=self.hostlog,
                                     stderr=subprocess.STDOUT,
                                     env=self.host_env())
            except OSError as e:
                return self.reply(rid, 127, str(e))
            self.spawned.append(p)
            return self.reply(rid, 0, str(p.pid))
        return self.reply(rid, 1, "unknown request " + cmd)

    def run(self):
        vm = self.vm
        for t in vm.tests:
            t.rc, t.verdict, t.why, t.expect_end = None, None, "", None
        hpath = os.path.join(self.rundir, "hostctl.sock")
        for f in ("hostctl.sock", "qmp.sock", "console.log", "results.log"):
            try:
                os.unlink(os.path.join(self.rundir, f))
            except FileNotFoundError:
                pass
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(hpath)
        self.sock.listen(1)
        argv = self.qemu_argv()
        with open(os.path.join(self.rundir, "qemu.cmd"), "w") as f:
            f.write(" ".join(shlex.quote(a) for a in argv) + "\n")
        qerr = open(os.path.join(self.rundir, "qemu.stderr"), "w+")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=qerr, stderr=subprocess.STDOUT)
        vm_timeout = 90 + sum(t.timeout + 5 for t in vm.tests)
        if self.debug:
            vm_timeout = int(vm_timeout * common.DEBUG_SLOWDOWN) + \
                common.KMEMLEAK_SCAN_ALLOWANCE * (len(vm.tests) + 2)
        deadline = time.monotonic() + vm_timeout
        self.sock.settimeout(20)
        try:
            self.conn, _ = self.sock.accept()
        except socket.timeout:
            proc.kill()
            proc.wait()
            return "QEMU did not start (see %s/qemu.stderr)" % self.rundir
        self.conn.setblocking(False)
        buf = b""
        rpos = 0
        rpartial = ""
        timed_out = False
        eof = False
        started = time.monotonic()
        while True:
            # Host requests.
            if not eof:
                try:
                    data = self.conn.recv(4096)
                    buf += data
                    eof = not data
                except BlockingIOError:
                    pass
                except OSError:
                    eof = True
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                m = re.match(r"REQ (\S+) (.*)", line.decode(errors="replace")
                             .strip())
                if m:
                    # A request may follow its test's "@@ begin" closely:
                    # read the results first so it lands on that test.
                    rpos, rpartial = self.follow_results(rpos, rpartial,
                                                         started)
                    self.handle_request(m.group(1), m.group(2))
            # Results channel.
            rpos, rpartial = self.follow_results(rpos, rpartial, started)
            if proc.poll() is not None:
                rpos, rpartial = self.follow_results(rpos, rpartial, started)
                break
            if time.monotonic() > deadline:
                timed_out = True
                proc.kill()
                proc.wait()
                break
            # Wake at once on a host request: "time" answers must be fresh.
            if eof:
                time.sleep(0.05)
            else:
                select.select([self.conn], [], [], 0.05)
        for p in self.spawned:
            if p.poll() is None:
                p.kill()
            p.wait()
        self.conn.close()
        self.sock.close()
        qerr.seek(0)
        m = re.search(r"vmd-qemu: vm-end reason=(\S+)", qerr.read())
        self.end_reason = m.group(1) if m else None
        qerr.close()
        with self.hlock:
            self.hostlog.close()
        return "VM timed out after %d s" % vm_timeout if timed_out else None

    def follow_results(self, pos, partial, started):
        path = os.path.join(self.rundir, "results.log")
        try:
            with open(path, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            return pos, partial
        pos += len(data)
        text = partial + data.decode(errors="replace")
        lines = text.split("\n")
        partial = lines.pop()
        by_name = {t.name: t for t in self.vm.tests}
        for line in lines:
            line = line.rstrip("\r")
            m = re.match(r"@@ (\S+) ?(.*)", line)
            if not m:
                if self.current:
                    self.current.tap.append(line)
                if common.VERBOSE:
                    with PRINT_LOCK:
                        print("    | " + line, flush=True)
                continue
            what, rest = m.groups()
            if what == "boot":
                say("%s %s: booted (guest up %.1fs, host %.1fs)" %
                    (self.kver, self.vm.id, float(rest.split()[0]),
                     time.monotonic() - started))
            elif what == "begin":
                self.current = next((t for t in self.vm.tests
                                     if t.name == rest and t.rc is None),
                                    by_name.get(rest))
                say("%s %s: %s ..." % (self.kver, self.vm.id, rest))
            elif what == "end":
                mm = re.match(r"(\S+) rc=(-?\d+)(?: time=([\d.]+))?", rest)
                if mm and self.current:
                    self.current.rc = int(mm.group(2))
                    self.current.time = float(mm.group(3) or 0)
                self.current = None
            elif what == "shutdown-hook":
                self.shutdown_hook = rest
            elif what == "success":
                self.success = True
        return pos, partial
