#!/bin/bash
# bench/qemu.sh — make qemu-test on a real tree (KDIR=, default
# linux-source-6.12), from an empty build cache.
#
#   qemu.cold_total_s     first run: scratch copy, tinyconfig + fragment,
#                         kernel build, guest programs, boot and tests
#   qemu.cold_build_s     the kernel build of that run (make only);
#                         target <= 240 s on 2 cores
#   qemu.warm_build_s     rebuild after a one-file change (the
#                         tests/qemu/broken-unpin series touches
#                         mm/gup_test.c); target <= 60 s
#   qemu.boot_test_s      boot, every gup_test variant, the workloads,
#                         power off
#   qemu.accel            kvm or tcg
#
# Prints "name: value" lines.  Uses a temporary cache and report directory
# (the KVM verdict is reused); never writes to KDIR.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-$("$here/default-tree.sh" 6.12)} || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/pinconv-bench-qemu.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
unset SERIES SUBSYS OUT
mkdir -p "$work/cache/pinconv"
cp "${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}"/kvm-* "$work/cache/pinconv/" 2>/dev/null
export PINCONV_CACHE=$work/cache/pinconv PINCONV_REPORTS=$work/reports

t0=$SECONDS
KDIR=$kdir "$here/qemu-test.sh" >"$work/cold.out" 2>"$work/cold.err"
rc=$?
t1=$SECONDS
KDIR=$kdir SERIES=$here/../tests/qemu/broken-unpin "$here/qemu-test.sh" \
	>"$work/warm.out" 2>"$work/warm.err"
built() { sed -n 's/.*kernel built in \([0-9]*\) s.*/\1/p' "$1" | tail -1; }
booted() { sed -n 's/.*booted and tested under \([A-Z]*\) in \([0-9]*\) s.*/\2/p' "$1" | tail -1; }
echo "qemu.tree: $kdir"
echo "qemu.cold_total_s: $((t1 - t0))"
echo "qemu.cold_build_s: $(built "$work/cold.err")"
echo "qemu.warm_build_s: $(built "$work/warm.err")"
echo "qemu.boot_test_s: $(booted "$work/cold.err")"
echo "qemu.accel: $(sed -n 's/.*booted and tested under \([A-Z]*\) in.*/\1/p' "$work/cold.err" | tail -1 | tr A-Z a-z)"
echo "qemu.cold_run_passed: $([ $rc -eq 0 ] && echo yes || echo no)"
