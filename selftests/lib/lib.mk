# SPDX-License-Identifier: GPL-2.0
#
# pvkit's lib.mk: the kselftest variable names (TEST_GEN_PROGS,
# TEST_GEN_PROGS_EXTENDED, TEST_PROGS, TEST_FILES), our own rules. An area's
# Makefile sets the variables and includes this file. Programs are linked
# statically so the test VM's initramfs needs no libc.
#
#   make                      build
#   make run_tests            run TEST_GEN_PROGS and TEST_PROGS here, TAP out
#   make install INSTALL_PATH=DIR
#   make clean

LIBDIR := $(dir $(lastword $(MAKEFILE_LIST)))
OUTPUT ?= $(CURDIR)
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -I$(LIBDIR) -D_GNU_SOURCE
LDFLAGS += -static -pthread

_progs := $(TEST_GEN_PROGS) $(TEST_GEN_PROGS_EXTENDED)
_bins := $(addprefix $(OUTPUT)/,$(_progs))

all: $(_bins)

$(OUTPUT)/%: %.c $(wildcard $(LIBDIR)*.h) $(wildcard *.h) $(EXTRA_DEPS)
	$(CC) $(CFLAGS) -o $@ $< $(EXTRA_SOURCES) $(LDFLAGS) $(LDLIBS)

run_tests: all
	@n=0; pass=0; fail=0; skip=0; \
	for t in $(TEST_GEN_PROGS) $(TEST_PROGS); do \
		n=$$((n + 1)); \
		p=$(OUTPUT)/$$t; [ -x "$$p" ] || p=./$$t; \
		$$p 2>&1 | sed 's/^/# /'; rc=$${PIPESTATUS[0]}; \
		case $$rc in \
		0) echo "ok $$n $$t"; pass=$$((pass + 1)) ;; \
		4) echo "ok $$n $$t # SKIP"; skip=$$((skip + 1)) ;; \
		*) echo "not ok $$n $$t # exit=$$rc"; fail=$$((fail + 1)) ;; \
		esac; \
	done; \
	echo "$$pass passed, $$fail failed, $$skip skipped"; [ $$fail -eq 0 ]

install: all
	@test -n "$(INSTALL_PATH)" || { echo "INSTALL_PATH is not set" >&2; exit 1; }
	install -d $(INSTALL_PATH)
	install -m 0755 $(_bins) $(TEST_PROGS) $(INSTALL_PATH)/
	$(if $(TEST_FILES),install -m 0644 $(TEST_FILES) $(INSTALL_PATH)/)

clean:
	rm -f $(_bins)

.PHONY: all run_tests install clean
SHELL := /bin/bash
