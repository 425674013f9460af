# SPDX-License-Identifier: GPL-2.0
"""The guest's initramfs: busybox, init, modules, selftests, the plan."""

import os
import shlex
import shutil
import subprocess

from . import common
from .common import TOP, CACHE, BUILD, die


def kernel_dir(kver):
    d = os.path.join(CACHE, "kernels", kver)
    if not os.path.isfile(os.path.join(d, "boot", "vmlinuz-" + kver)):
        die("kernel %s is not in %s (run: make deps)" % (kver, d))
    return d


def module_closure(kver, names, mdir=None):
    """In-tree modules named in modules.list plus everything they need."""
    mdir = mdir or os.path.join(kernel_dir(kver), "lib", "modules", kver)
    deps = {}
    with open(os.path.join(mdir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    by_name = {}
    for mod in deps:
        base = os.path.basename(mod).split(".ko")[0].replace("-", "_")
        by_name[base] = mod
    want, todo = set(), [by_name[n] for n in names if n in by_name]
    while todo:
        m = todo.pop()
        if m not in want:
            want.add(m)
            todo.extend(deps.get(m, []))
    return mdir, sorted(want)


def build_init():
    src = os.path.join(TOP, "tools", "testvm", "init.c")
    out = os.path.join(BUILD, "testvm", "init")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if not os.path.exists(out) or \
            os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra",
                        "-Werror", "-o", out, src], check=True)


def build_base_initramfs(kver, moddir, programs):
    """Everything but the plan: busybox, init, modules, selftests."""
    build_init()
    # Per invocation, so concurrent runs never swap each other's image.
    work = os.path.join(BUILD, "testvm", "%s-%d" % (kver, os.getpid()))
    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys",
              "tmp", "run", "pvkit", "etc", "selftests", "root"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(os.path.join(BUILD, "testvm", "init"),
                os.path.join(root, "init"))
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([busybox, "--list-full"], capture_output=True,
                             text=True, check=True).stdout.split()
    for a in applets:
        dst = os.path.join(root, a)
        if not os.path.lexists(dst):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink("/bin/busybox", dst)
    with open(os.path.join(root, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")

    names = [n for n in open(os.path.join(TOP, "tools", "testvm",
                                          "modules.list")).read().split()
             if not n.startswith("#")]
    dst_mdir = os.path.join(root, "lib", "modules", kver)
    if common.MODROOT:
        # A DKMS (or make install) tree: its updates/ plus the in-tree
        # modules the tests need, exactly as that install laid them out.
        src_mdir = os.path.join(common.MODROOT, "lib", "modules", kver)
        mdir, mods = module_closure(kver, names, src_mdir)
        upd = os.path.join(src_mdir, "updates")
        if os.path.isdir(upd):
            shutil.copytree(upd, os.path.join(dst_mdir, "updates"),
                            symlinks=True)
        for conf in ("etc/modules-load.d", "etc/modprobe.d"):
            if os.path.isdir(os.path.join(common.MODROOT, conf)):
                shutil.copytree(os.path.join(common.MODROOT, conf),
                                os.path.join(root, conf))
    else:
        mdir, mods = module_closure(kver, names)
    for m in mods:
        os.makedirs(os.path.join(dst_mdir, os.path.dirname(m)),
                    exist_ok=True)
        shutil.copy(os.path.join(mdir, m), os.path.join(dst_mdir, m))
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        if os.path.exists(os.path.join(mdir, f)):
            shutil.copy(os.path.join(mdir, f), os.path.join(dst_mdir, f))
    if not common.MODROOT:
        ours = os.path.join(dst_mdir, "updates", "pvkit")
        os.makedirs(ours, exist_ok=True)
        if moddir and os.path.isdir(moddir):
            for ko in sorted(os.listdir(moddir)):
                if ko.endswith(".ko"):
                    shutil.copy(os.path.join(moddir, ko),
                                os.path.join(ours, ko))
    subprocess.run(["depmod", "-b", root, kver], check=True)

    for prog in sorted(programs):
        src = os.path.join(TOP, "selftests", prog)
        dst = os.path.join(root, "selftests", prog)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.exists(src):
            shutil.copy(src, dst)
        else:
            common.MISSING.add(prog)
    # Scripts reach the host with the hostctl command.
    cli = os.path.join(TOP, "selftests", "testvm", "hostctl")
    if os.path.exists(cli):
        shutil.copy(cli, os.path.join(root, "usr", "bin", "hostctl"))
    # Area extras a test may need in the guest (kmods, data).
    for area in os.listdir(os.path.join(TOP, "selftests")):
        extra = os.path.join(TOP, "selftests", area, "guest-files")
        if os.path.isdir(extra):
            shutil.copytree(extra, os.path.join(root, "selftests", area),
                            dirs_exist_ok=True)

    cpio = os.path.join(work, "base.cpio")
    make_cpio(root, cpio)
    shutil.rmtree(root)
    return cpio


def make_cpio(root, out):
    files = subprocess.run("cd %s && find . -print0 | sort -z" %
                           shlex.quote(root), shell=True, check=True,
                           capture_output=True).stdout
    with open(out, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-0", "-H", "newc",
                        "-R", "0:0"], input=files, stdout=f, cwd=root,
                       check=True)


def vm_initramfs(base, vm, rundir, scale=1.0):
    """The base image plus the VM's plan; guest timeouts times scale."""
    root = os.path.join(rundir, "plan-root")
    os.makedirs(os.path.join(root, "pvkit"), exist_ok=True)
    with open(os.path.join(root, "pvkit", "plan"), "w") as f:
        for t in vm.tests:
            prog = "/selftests/" + t.argv[0]
            f.write("%d %s %s\n" % (int(t.timeout * scale), t.name,
                                    " ".join([prog] + t.argv[1:])))
    plan = os.path.join(rundir, "plan.cpio")
    make_cpio(root, plan)
    out = os.path.join(rundir, "initramfs.cpio")
    with open(out, "wb") as o:
        for p in (base, plan):
            with open(p, "rb") as i:
                shutil.copyfileobj(i, o)
    return out
