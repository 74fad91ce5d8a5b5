# pinconv — move kernel code from page references to page pins.
#
#   make convert SUBSYS=fs/fuse [KDIR=...] [API=pin|put_user_page]
#   make scan | plan | lint | report | qemu-test | bench | check
#   make fleet TREES=file [STAGES=scan,plan,lint] [HOSTS=:,host2] [JOBS=1]
#
# Each target is scripts/pinconv <target> (see scripts/pinconv --help):
# make variables are its options (KDIR= is --kdir, ...).  Without KDIR= the
# tree is Debian's linux-source-6.12, unpacked once into the cache; every
# stage provisions what it needs (scripts/deps.sh) and none writes to KDIR.
# Through make any failure is make's status 2: a CI job that must tell
# lint findings (1) from a broken run (2) calls scripts/pinconv lint.

PYTHON3 ?= /usr/bin/python3
PINCONV := $(PYTHON3) scripts/pinconv
SHELL   := /bin/bash
export PYTHON3 KDIR OUT API SUBSYS SINCE FORMAT BASELINE SERIES BASE TESTS NOTES \
	ALLOW_UNBUILT COVER TREES STAGES HOSTS JOBS RESUME REMOTE_DIR

# (TARGETS, not STAGES: STAGES= is make fleet's variable)
TARGETS := deps scan plan convert lint report qemu-test fleet bench check
.PHONY: all help tools lint-baseline clean $(TARGETS)

all: help

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

$(TARGETS):
	@$(PINCONV) $@

lint-baseline:
	@$(PINCONV) lint --write-baseline

tools:
	@$(MAKE) -s -C scripts/pinflow

clean:
	$(MAKE) -s -C scripts/pinflow clean
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
