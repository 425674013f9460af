# SPDX-License-Identifier: GPL-2.0
"""The plans: selftests/*/testvm.list and host.list."""

import fnmatch
import os
import re
import shlex

from .common import TOP, PROFILES, die


class Test:
    def __init__(self, vm, argv):
        self.vm = vm
        self.timeout = vm.test_timeout
        while argv and re.match(r"timeout=\d+$", argv[0]):
            self.timeout = int(argv.pop(0).split("=")[1])
        self.argv = argv
        self.name = argv[0]
        self.reset()

    def reset(self):
        """What one boot learns of the test: none of it yet."""
        self.rc = None
        self.time = 0.0
        self.verdict = None     # PASS FAIL SKIP
        self.why = ""
        self.expect_end = None
        self.expect_hook = True
        self.tap = []


class VM:
    def __init__(self, listfile, name, keys):
        self.listfile = listfile
        self.area = os.path.basename(os.path.dirname(listfile))
        self.name = name
        self.keys = keys
        self.profile = keys.get("profile", "std")
        self.sets = keys.get("set", "check").split(",")
        self.test_timeout = int(keys.get("test-timeout", "120"))
        self.tests = []
        if self.profile not in PROFILES:
            die("%s: vm %s: unknown profile %s" %
                (listfile, name, self.profile))

    @property
    def id(self):
        return "%s/%s" % (self.area, self.name)


def parse_list(path):
    vms = []
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line, comments=True)
            if not line[0].isspace():
                if words[0] != "vm" or len(words) < 2:
                    die("%s:%d: expected 'vm NAME key=value...'" %
                        (path, lineno))
                keys = dict(w.split("=", 1) for w in words[2:])
                vms.append(VM(path, words[1], keys))
            else:
                if not vms:
                    die("%s:%d: test before any vm line" % (path, lineno))
                vms[-1].tests.append(Test(vms[-1], words))
    return vms


def find_lists():
    out = []
    for area in sorted(os.listdir(os.path.join(TOP, "selftests"))):
        p = os.path.join(TOP, "selftests", area, "testvm.list")
        if os.path.isfile(p):
            out.append(p)
    return out


def select_vms(lists, sets, pattern):
    vms = []
    for lf in lists:
        for vm in parse_list(lf):
            if not set(vm.sets) & set(sets):
                continue
            if pattern and not fnmatch.fnmatch(vm.id, pattern):
                continue
            vms.append(vm)
    return vms
