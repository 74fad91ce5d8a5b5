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
#   qemu.all_series       the series of the all-mode run: <reports>/convert/all
#                         of `make convert SUBSYS=all` when there is one,
#                         else tests/qemu/splice-pin + tests/qemu/fuse-extract
#   qemu.all_cold_build_s all mode from its own empty build cache: the cold
#                         build of the kernel with every touched file's
#                         Kconfig symbols (the unconverted baseline, first)
#   qemu.all_series_build_s  the rebuild with every series applied
#   qemu.all_boot_test_s  boot, gup_test and every workload on that kernel
#   qemu.all_total_s      the whole all-mode run (two builds, two boots)
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

# All mode, from an empty build cache of its own (the KVM verdict kept).
reports=$(PINCONV_REPORTS= /usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as t
print(t.report_dir(t.check_tree(sys.argv[2])))' "$here" "$kdir")
if compgen -G "$reports/convert/all/*/*.patch" >/dev/null; then
	all=("$reports/convert/all")
else
	all=("$here/../tests/qemu/splice-pin" "$here/../tests/qemu/fuse-extract")
fi
mkdir -p "$work/cache-all/pinconv"
cp "$work"/cache/pinconv/kvm-* "$work/cache-all/pinconv/" 2>/dev/null
t0=$SECONDS
XDG_CACHE_HOME=$work/cache-all KDIR=$kdir SUBSYS=all SERIES="${all[*]}" \
	"$here/qemu-test.sh" >"$work/all.out" 2>"$work/all.err"
rc=$?
echo "qemu.all_series: $(realpath "${all[@]}" | tr '\n' ' ' | sed 's/ $//') ($(sed -n 's/^# series: //p' "$work/all.out"))"
echo "qemu.all_cold_build_s: $(sed -n 's/.*kernel built in \([0-9]*\) s.*/\1/p' "$work/all.err" | head -1)"
echo "qemu.all_series_build_s: $(built "$work/all.err")"
echo "qemu.all_boot_test_s: $(booted "$work/all.err")"
echo "qemu.all_total_s: $((SECONDS - t0))"
echo "qemu.all_run: $(grep '^# Totals' "$work/all.out" | sed 's/^# Totals: //') (exit $rc)"
