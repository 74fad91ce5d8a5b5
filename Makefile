# pinconv — move kernel code from page references to page pins.
#
#   make convert SUBSYS=fs/fuse [KDIR=...] [API=pin|put_user_page]
#   make scan | plan | lint | report | qemu-test | bench | check
#
# Without KDIR= the default tree is Debian's linux-source-6.12, unpacked
# once into ~/.cache/pinconv.  Every target provisions what it needs
# (scripts/deps.sh), and none of them writes to KDIR.

PY      := /usr/bin/python3
SHELL   := /bin/bash
KDIR    ?=
OUT     ?=
API     ?=
SUBSYS  ?=
export KDIR OUT API SUBSYS SINCE FORMAT BASELINE SERIES BASE

.PHONY: all deps tools scan plan convert lint lint-baseline qemu-test report \
	bench check clean help

all: help

help:
	@sed -n '2,9p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps.sh

tools: deps
	@$(MAKE) -s -C scripts/pinflow

scan: tools
	@$(PY) scripts/scan.py

plan: tools
	@$(PY) scripts/plan.py

convert: tools
	@$(PY) scripts/convert.py

lint: tools
	@$(PY) scripts/lint.py

lint-baseline: tools
	@$(PY) scripts/lint.py --write-baseline

qemu-test: tools
	@scripts/qemu-test.sh

report: tools
	@$(PY) scripts/report.py

bench: tools
	@$(PY) scripts/bench.py

check: tools
	@tests/run.sh

clean:
	$(MAKE) -s -C scripts/pinflow clean
	find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
