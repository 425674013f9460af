#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every command the kit's scripts run comes from a package that
tools/deps.sh installs, or from Debian's base system.

Reads the tracked shell scripts, Makefiles and Python tools, takes the
words in command position (after a pipe, ;, &&, ||, $(, exec, then, do,
xargs, timeout, env, and Python's subprocess argv lists), resolves each on
PATH, and asks dpkg which package owns it. That package must be one that
tools/deps.sh names, one those pull in (their Depends, recursively), or of
priority required or important (what debootstrap's minbase and every
Debian install have). A command that resolves to no package (pip, a hand
install) fails too. Exit 0 clean, 1 with the offending commands named.

A fresh machine shows the same gaps (tools/pristine.sh), but only when it
runs the script that needs the command; this finds them by reading.
"""

import os
import re
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SHELL_WORDS = set("""
if then else elif fi for while until do done case esac in function select
return exit break continue local export readonly set unset shift eval exec
trap wait read echo printf test true false cd pwd type command hash umask
getopts alias source ulimit times kill let declare typeset builtin
""".split()) | {".", ":", "[", "[[", "]]", "{", "}", "!"}

# Words after which the next word is a command too.
PREFIXES = {"exec", "then", "do", "else", "xargs", "timeout", "env", "!",
            "nice", "taskset", "chroot", "unshare", "time", "sudo", "flock",
            "if", "while", "until", "command"}


def tracked():
    out = subprocess.run(["git", "-C", TOP, "ls-files"], capture_output=True,
                         text=True, check=True).stdout.split()
    return [f for f in out if os.path.isfile(os.path.join(TOP, f))]


def kind(path):
    base = os.path.basename(path)
    if base == "Makefile" or base.endswith(".mk"):
        return "make"
    try:
        with open(os.path.join(TOP, path), errors="replace") as f:
            first = f.readline()
    except OSError:
        return None
    if first.startswith("#!"):
        if "python" in first:
            return "py"
        if re.search(r"\b(ba|da)?sh\b", first):
            return "sh"
    if base.endswith(".sh"):
        return "sh"
    return None


def shell_commands(lines, functions):
    cmds = set()
    for line in lines:
        line = re.sub(r"(^|\s)#.*", "", line)
        # Quoted strings are data, except command substitutions in them.
        line = re.sub(r"'[^']*'", "''", line)
        for part in re.split(r"\|\|?|&&|;|\$\(|`|\(|\)", line):
            words = part.split()
            while words:
                w = words.pop(0)
                if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w):
                    continue            # VAR=value before a command
                if w.startswith("-") and words:
                    continue            # options of a prefix command
                if w in PREFIXES:
                    continue
                if re.match(r"^[a-z][a-z0-9_.+-]*$", w) and \
                        w not in SHELL_WORDS and w not in functions:
                    cmds.add(w)
                break
    return cmds


def file_commands(path, k):
    text = open(os.path.join(TOP, path), errors="replace").read()
    if k == "py":
        cmds = set(re.findall(r"(?:run|Popen|check_output|call)\(\s*\[\s*"
                              r"\"([a-z][a-z0-9_.+-]*)\"", text))
        cmds |= set(re.findall(r"shutil\.which\(\"([a-z][a-z0-9_.+-]*)\"",
                               text))
        return cmds
    functions = set(re.findall(r"^\s*([a-z_][a-z0-9_]*)\s*\(\)", text, re.M))
    lines = text.splitlines()
    if k == "make":
        lines = [ln[1:].lstrip("@-") for ln in lines if ln.startswith("\t")]
        lines = [re.sub(r"\$\([A-Za-z_]+\)", "", ln) for ln in lines]
    # Continuation lines are one command line.
    joined = "\n".join(lines).replace("\\\n", " ").splitlines()
    return shell_commands(joined, functions)


def deps_packages():
    text = open(os.path.join(TOP, "tools", "deps.sh")).read()
    m = re.search(r'^pkgs="([^"]*)"', text, re.M)
    return set(m.group(1).split()) if m else set()


def closure(pkgs):
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends",
                        "--no-suggests", "--no-conflicts", "--no-breaks",
                        "--no-replaces", "--no-enhances", "--installed"] +
                       sorted(pkgs), capture_output=True, text=True)
    out = set(pkgs)
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*(?:\|?(?:Pre)?Depends: )?<?([a-z0-9][a-z0-9.+-]*)",
                     line)
        if m:
            out.add(m.group(1).split(":")[0])
    return out


def owner(path):
    cands = [path, os.path.realpath(path)]
    # merged /usr: dpkg knows /bin/x as shipped, PATH finds /usr/bin/x
    cands += [re.sub(r"^/usr/", "/", p) for p in cands
              if p.startswith("/usr/")]
    for p in cands:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            if not line.startswith("diversion "):
                return line.split(":")[0].split(",")[0].strip()
    return None


def priority(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Priority}", pkg],
                       capture_output=True, text=True)
    return r.stdout.strip()


def main():
    ours = set()
    used = {}
    for f in tracked():
        k = kind(f)
        if not k:
            continue
        ours.add(os.path.basename(f))
        for c in file_commands(f, k):
            used.setdefault(c, set()).add(f)
    allowed = closure(deps_packages())
    bad = []
    checked = 0
    for cmd in sorted(used):
        if cmd in ours:
            continue
        # Where apt installs: a tool the developer put elsewhere (pyenv,
        # /usr/local) must not stand in for the Debian package.
        path = shutil.which(cmd, path="/usr/sbin:/usr/bin:/sbin:/bin")
        if not path:
            continue        # a word of prose or a function: not a command
        checked += 1
        pkg = owner(path)
        if pkg is None:
            bad.append("%s (%s): owned by no Debian package" % (cmd, path))
        elif pkg not in allowed and \
                priority(pkg) not in ("required", "important"):
            bad.append("%s: from package %s, which tools/deps.sh does not "
                       "install (used by %s)" %
                       (cmd, pkg, ", ".join(sorted(used[cmd])[:3])))
    print("deps-audit: %d commands checked, %d packages allowed" %
          (checked, len(allowed)))
    for b in bad:
        print("FAIL " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
