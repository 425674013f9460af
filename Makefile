# SPDX-License-Identifier: GPL-2.0
#
# pvkit: build, test and install the kit. `make help` lists the targets.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TESTVM := $(TOP)/tools/testvm/testvm
VERSION := $(shell cat $(TOP)/VERSION)

# The kernel to build against: the default test guest's (Debian bookworm
# cloud) unless KVER or KDIR say otherwise. On a real guest:
# make KDIR=/lib/modules/$(uname -r)/build
KVER ?= $(shell $(TOP)/tools/testvm/kernels.sh default 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(KVER)
ifneq ($(origin KDIR),file)
KVER := $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif

# Test-only modules (never installed): selftests/<area>/kmod.
TEST_KMODS := $(patsubst $(TOP)/%/Kbuild,%,$(wildcard $(TOP)/selftests/*/kmod/Kbuild))

B := $(TOP)/build/$(KVER)
W ?= 1
# kbuild with the compiler the kernel was built with (in a root of its
# suite when this machine lacks it: trixie's gcc 14 for 6.12 and 7.x).
KMAKE = $(TOP)/tools/kbuild-root.sh $(KDIR) W=$(W) $(if $(PVKIT_DEBUG),PVKIT_DEBUG=y)

# The kernels of check (tools/testvm/kernels.sh matrix): the whole suite
# on bookworm's 6.1 (the default, KVER) and trixie's 6.12, the smoke set on
# bullseye's 5.10 and trixie-backports' newest 7.x, each resolved from the
# archive and fetched into the cache when check runs. KVERS="" runs only
# KVER; KVERS="KVER:SET ..." chooses.
KVERS ?= matrix
TESTVM_ARGS ?=

.PHONY: all modules selftests check check-deps bench stress lint deps \
	install uninstall clean help demo hostmodel debug deb kernels pristine \
	run-check run-bench run-stress run-demo check-debug run-check-debug \
	dkms-install dkms-uninstall

all: modules

help:
	@echo "make            build the modules against KDIR ($(KDIR))"
	@echo "make demo       boot a test guest with the kit and show each driver"
	@echo "make check      build, run host tests, boot test VMs, run all selftests"
	@echo "make check-debug  every VM test on the debug kernel (lockdep, KASAN, kmemleak)"
	@echo "make bench      speed and accuracy numbers (never pass/fail on speed)"
	@echo "make stress     long soaks (hundreds of race rounds)"
	@echo "make lint       checkpatch --strict and sparse (C=2)"
	@echo "make pristine   the README's two commands in a fresh debootstrapped root"
	@echo "make deps       install what this Debian machine lacks (apt-get)"
	@echo "make install    modules_install + depmod + load-on-boot snippets (real guests)"
	@echo "make uninstall  undo make install"
	@echo "make deb       the Debian package (dh-dkms) into build/pkg/"
	@echo "make dkms-install / dkms-uninstall   DKMS from this tree"
	@echo "make clean"
	@echo "Variables: KVER, KDIR, KVERS (extra kernels for check), PVKIT_DEBUG=1"

# The kit as DKMS builds it: the source list (tools/pkg/srcfiles.sh)
# copied under build/KVER, so that several kernels build side by side,
# and one kbuild pass over the top-level Kbuild (its modules.order names
# what it built: relative or absolute paths, .ko or, from 6.2, .o). Then
# the test-only modules, one pass each.
modules:
	@test -d $(KDIR) || { echo "no kernel headers in $(KDIR) (make deps, or set KDIR)" >&2; exit 1; }
	@mkdir -p $(B)/src $(B)/modules
	@rm -f $(B)/modules/*.ko $(B)/src/modules.order
	@$(TOP)/tools/pkg/srcfiles.sh copy $(B)/src
	@echo "  MODULES drivers ($(KVER))"
	@$(KMAKE) M=$(B)/src modules
	@cd $(B)/src && cp $$(sed 's/\.o$$/.ko/' modules.order) $(B)/modules/
	@set -e; for d in $(TEST_KMODS); do \
		mkdir -p $(B)/src/$$d; \
		cp -a $(TOP)/$$d/. $(B)/src/$$d/; \
		echo "  MODULES $$d ($(KVER))"; \
		$(KMAKE) M=$(B)/src/$$d modules; \
		cp $(B)/src/$$d/*.ko $(B)/modules/; \
	done

debug:
	$(MAKE) PVKIT_DEBUG=1 modules

selftests:
	@$(MAKE) -s -C $(TOP)/selftests all

# The host model (QEMU with vmd's devices), cached outside the tree.
hostmodel:
	@if [ -x $(TOP)/tools/vmd-qemu/build.sh ]; then \
		$(TOP)/tools/vmd-qemu/build.sh --path >/dev/null 2>&1 || \
		$(TOP)/tools/vmd-qemu/build.sh >/dev/null; fi

deps:
	@$(TOP)/tools/deps.sh

check-deps:
	@$(TOP)/tools/deps.sh --check 2>/dev/null || $(TOP)/tools/deps.sh

# The targets that need the machine ready run in a sub-make after
# check-deps, so that KVER is resolved once the headers are installed.
check bench stress demo check-debug: check-deps
	@$(MAKE) -s run-$@

# Fetch the kernels of KVERS, build the modules for each, and leave the
# runner's kernel options in $$kargs: --kernel for the whole-suite ones,
# --smoke-kernels for the rest.
MATRIX = set -e; kvers="$(KVERS)"; \
	[ "$$kvers" != matrix ] || kvers=$$($(TOP)/tools/testvm/kernels.sh matrix | tr ' ' :); \
	full=; smoke=; \
	for e in $(KVER):check $$kvers; do \
		k=$${e%%:*}; case " $$full $$smoke " in *" $$k "*) continue ;; esac; \
		$(TOP)/tools/testvm/kernels.sh fetch $$k; \
		$(MAKE) -s modules KVER=$$k KDIR=$$($(TOP)/tools/testvm/kernels.sh headers $$k); \
		case $$e in *:smoke) smoke="$$smoke $$k" ;; *) full="$$full $$k" ;; esac; \
	done; \
	kargs=$$(for k in $$full; do echo --kernel $$k; done)

# The debug kernel (lockdep, KASAN, kmemleak: tools/debugk): check runs
# the short set=debug on it when it is cached. Under CI (CI set, as
# .ci/run does) or with PVKIT_CHECK_DEBUG=1 it builds the kernel first if
# it is missing (about 30 minutes on 2 cores); PVKIT_CHECK_DEBUG=0 skips
# the leg.
DEBUGK = dk=; \
	case "$(PVKIT_CHECK_DEBUG):$(CI)" in \
	0:*) ;; \
	:|:false) dk=$$($(TOP)/tools/debugk/build.sh --kver) || dk= ;; \
	*) dk=$$($(TOP)/tools/debugk/build.sh --kver) || dk=$$($(TOP)/tools/debugk/build.sh | tail -n1) ;; \
	esac; \
	if [ -n "$$dk" ]; then \
		$(MAKE) -s modules KVER=$$dk KDIR=$$($(TOP)/tools/testvm/kernels.sh headers $$dk); \
	fi

# The debug kernel (tools/debugk, built if missing): every check VM and the
# runner's failure tests on it.
run-check-debug:
	@$(MAKE) -s selftests
	@$(MAKE) -s hostmodel
	@set -e; dk=$$($(TOP)/tools/debugk/build.sh | tail -n1); \
	$(MAKE) -s modules KVER=$$dk KDIR=$$($(TOP)/tools/testvm/kernels.sh headers $$dk); \
	exec $(TESTVM) check --kernel $$dk --host-filter 'testvm/runner-reports-debug' $(TESTVM_ARGS)

run-check:
	@$(MAKE) -s selftests
	@$(MAKE) -s hostmodel
	@$(MATRIX); $(DEBUGK); \
	exec $(TESTVM) check $$kargs --smoke-kernels "$$smoke" --debug-kernel "$$dk" $(TESTVM_ARGS)

# bench and stress: the whole-suite kernels (6.1 and trixie's 6.12).
run-bench:
	@$(MAKE) -s selftests hostmodel
	@$(MATRIX); exec $(TESTVM) check --set bench $$kargs --jobs 1 --verbose $(TESTVM_ARGS)

run-stress:
	@$(MAKE) -s selftests hostmodel
	@$(MATRIX); exec $(TESTVM) check --set stress $$kargs $(TESTVM_ARGS)

run-demo:
	@$(MAKE) -s modules selftests hostmodel
	@$(TOP)/tools/testvm/demo --kernel $(KVER)

# The README on a fresh machine: a debootstrapped bookworm root, a clean
# clone, the README's commands inside (tools/pristine.sh).
pristine:
	@$(TOP)/tools/pristine.sh demo check

lint:
	@$(TOP)/tools/lint.sh $(KDIR)

install: modules
	install -d $(DESTDIR)/lib/modules/$(KVER)/updates/pvkit
	install -m 0644 $(filter-out %pvkit_warn.ko %pvkit_ktime.ko,$(wildcard $(B)/modules/*.ko)) \
		$(DESTDIR)/lib/modules/$(KVER)/updates/pvkit/
	install -D -m 0644 $(TOP)/packaging/modules-load.d/pvkit.conf \
		$(DESTDIR)/etc/modules-load.d/pvkit.conf
	install -D -m 0644 $(TOP)/packaging/modprobe.d/pvkit.conf \
		$(DESTDIR)/etc/modprobe.d/pvkit.conf
	install -D -m 0755 $(TOP)/packaging/pvkit-status $(DESTDIR)/usr/sbin/pvkit-status
	install -D -m 0644 $(TOP)/packaging/udev/60-pvkit-virtio-ports.rules \
		$(DESTDIR)/etc/udev/rules.d/60-pvkit-virtio-ports.rules
	install -D -m 0755 $(TOP)/packaging/initramfs-tools/hooks/pvkit \
		$(DESTDIR)/etc/initramfs-tools/hooks/pvkit
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

# The Debian package (dh-dkms) into build/pkg/.
deb:
	@$(TOP)/tools/pkg/build-deb.sh

# The kernels of the matrix into the cache.
kernels:
	@$(TOP)/tools/testvm/kernels.sh matrix

# DKMS from the tree: exactly the files DKMS needs, then dkms install.
dkms-install:
	$(TOP)/tools/pkg/srcfiles.sh copy $(DESTDIR)/usr/src/pvkit-$(VERSION)
	install -D -m 0644 $(TOP)/packaging/modules-load.d/pvkit.conf $(DESTDIR)/etc/modules-load.d/pvkit.conf
	install -D -m 0644 $(TOP)/packaging/modprobe.d/pvkit.conf $(DESTDIR)/etc/modprobe.d/pvkit.conf
	install -D -m 0755 $(TOP)/packaging/pvkit-status $(DESTDIR)/usr/sbin/pvkit-status
	install -D -m 0644 $(TOP)/packaging/udev/60-pvkit-virtio-ports.rules \
		$(DESTDIR)/etc/udev/rules.d/60-pvkit-virtio-ports.rules
	install -D -m 0755 $(TOP)/packaging/initramfs-tools/hooks/pvkit \
		$(DESTDIR)/etc/initramfs-tools/hooks/pvkit
	[ -n "$(DESTDIR)" ] || dkms install pvkit/$(VERSION)

dkms-uninstall:
	-dkms remove pvkit/$(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/pvkit-$(VERSION) $(DESTDIR)/etc/modules-load.d/pvkit.conf $(DESTDIR)/etc/modprobe.d/pvkit.conf $(DESTDIR)/etc/udev/rules.d/60-pvkit-virtio-ports.rules $(DESTDIR)/etc/initramfs-tools/hooks/pvkit $(DESTDIR)/usr/sbin/pvkit-status

uninstall:
	rm -rf $(DESTDIR)/lib/modules/$(KVER)/updates/pvkit
	rm -f $(DESTDIR)/etc/modules-load.d/pvkit.conf $(DESTDIR)/etc/modprobe.d/pvkit.conf $(DESTDIR)/etc/udev/rules.d/60-pvkit-virtio-ports.rules $(DESTDIR)/etc/initramfs-tools/hooks/pvkit $(DESTDIR)/usr/sbin/pvkit-status
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

clean:
	rm -rf $(TOP)/build
	@$(MAKE) -s -C $(TOP)/selftests clean
