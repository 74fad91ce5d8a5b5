#!/bin/bash
# make qemu-test on the default tree (Debian's linux-source-6.12), for real:
# kernel built out of tree, booted under QEMU (TCG here), gup_test and the
# fuse/block workloads run in the guest.  The unconverted kernel passes; a
# deliberately broken conversion (tests/qemu/broken-unpin: a pin released
# with put_page) is caught; a hand-made fuse conversion passes and makes
# fuse's buffered path take pins it did not take before, and the same with
# put_page() left in is caught; so is the series `make convert SUBSYS=fs/fuse`
# writes.
# Cost: cold ~5 min (scratch copy, tinyconfig build at -j2, ~6 s boot),
# then ~30 s per kernel variant (warm rebuild + boot), plus make plan and
# make convert for the last test; the build cache in
# ~/.cache/pinconv/build is shared with t0520 and later runs.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
export KDIR=$T612
unset SERIES SUBSYS OUT
qt() { "$PINCONV/scripts/qemu-test.sh"; }
tid=$($PY -c "import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as t; print(t.tree_id(sys.argv[2]))" \
	"$PINCONV/scripts" "$T612")

test_expect_success 'setup: the tree hash' '
	tree_hash "$T612" >"$TRASH/hash.before"
'

test_expect_success 'the unconverted 6.12 kernel boots, every gup_test variant passes, pins balance' '
	qt >plain.out 2>plain.err; rc=$?; cat plain.out plain.err; test $rc = 0 &&
	test "$(grep -c "^ok [0-9]* gup_test " plain.out)" = 13 &&
	! grep "^not ok" plain.out &&
	grep "^ok [0-9]* boot # kernel 6\.12\." plain.out &&
	grep "^ok [0-9]* pins balance # nr_foll_pin_acquired=\([0-9]*\) nr_foll_pin_released=\1$" plain.out &&
	grep "^ok [0-9]* dmesg clean" plain.out &&
	grep "booted and tested under \(TCG\|KVM\)" plain.err &&
	test_cmp plain.out "$TRASH/reports/$tid/qemu/all/results.ktap"
'

test_expect_success 'unconverted, fuse buffered I/O takes no pins, fuse and block O_DIRECT do' '
	grep "^ok [0-9]* workload-fuse # fuse-buffered: nr_foll_pin_acquired +0 released +0; fuse-direct: nr_foll_pin_acquired +[1-9][0-9]* " plain.out &&
	grep "^ok [0-9]* workload-block # block-odirect: nr_foll_pin_acquired +[1-9]" plain.out
'

test_expect_success 'a guest that does not reach /init in QT_BOOT_TIMEOUT seconds fails the boot' '
	QT_BOOT_TIMEOUT=1 qt >slow.out 2>slow.err; rc=$?; cat slow.out slow.err; test $rc = 1 &&
	grep "did not reach /init within 1 s under [A-Z]*; QEMU stopped" slow.err &&
	grep "^not ok 1 boot # the guest never reached /init" slow.out
'

test_expect_success 'a pin released with put_page (tests/qemu/broken-unpin) is caught' '
	SERIES=$PINCONV/tests/qemu/broken-unpin qt >broken.out 2>broken.err; rc=$?
	cat broken.out broken.err; test $rc = 1 &&
	grep "^# series: .*broken-unpin (1 patches)" broken.out &&
	grep "^not ok [0-9]* pins balance # nr_foll_pin_acquired=[0-9]* nr_foll_pin_released=[0-9]*" broken.out &&
	grep "^pinconv: qemu-test failed" broken.err
'

test_expect_success 'a correct fuse conversion (tests/qemu/fuse-extract) pins where 6.12 did not, and balances' '
	SUBSYS=fs/fuse SERIES=$PINCONV/tests/qemu/fuse-extract qt >good.out 2>good.err; rc=$?
	cat good.out good.err; test $rc = 0 &&
	! grep "^not ok" good.out &&
	grep "^ok [0-9]* workload-fuse # fuse-buffered: nr_foll_pin_acquired +\([1-9][0-9]*\) released +\1;" good.out &&
	grep "^ok [0-9]* converted path raises nr_foll_pin_acquired # fuse-buffered +0 unconverted, +[1-9][0-9]* converted" good.out
'

test_expect_success 'the same fuse conversion with put_page() for the pinned pages is caught' '
	SUBSYS=fs/fuse SERIES=$PINCONV/tests/qemu/fuse-extract-broken qt >fbroken.out 2>fbroken.err; rc=$?
	cat fbroken.out fbroken.err; test $rc = 1 &&
	grep "^not ok [0-9]* workload-fuse # phase fuse-buffered: [1-9][0-9]* pins acquired, 0 released" fbroken.out &&
	grep "^not ok [0-9]* pins balance" fbroken.out
'

test_expect_success 'SUBSYS without a series: convert runs first; nothing converted: unconverted kernel, said so' '
	SUBSYS=Documentation qt >doc.out 2>doc.err; rc=$?
	cat doc.out doc.err; test $rc = 0 &&
	grep "no series at .*/convert/Documentation: running convert SUBSYS=Documentation first" doc.err &&
	grep "^pinconv: nothing to convert under SUBSYS=Documentation" doc.err &&
	grep "^# SUBSYS=Documentation: no workload yet; gup_test only" doc.out &&
	grep "^# no series at .*/convert/Documentation (convert SUBSYS=Documentation converted nothing): unconverted kernel only" doc.out &&
	! grep "^\(not \)\{0,1\}ok [0-9]* workload-" doc.out
'

test_expect_success 'make plan and make convert SUBSYS=fs/fuse run on 6.12' '
	OUT=$TRASH/612 make -s -C "$PINCONV" plan >/dev/null &&
	OUT=$TRASH/612 SUBSYS=fs/fuse make -s -C "$PINCONV" convert >conv.out 2>&1 ||
	{ cat conv.out; false; }
'

test_expect_success 'make convert SUBSYS=fs/fuse, then qemu-test: the converted path pins and pins balance' '
	ls "$TRASH"/612/convert/fs-fuse/0001-*.patch &&
	OUT=$TRASH/612 SUBSYS=fs/fuse qt >fuse.out 2>fuse.err; rc=$?
	cat fuse.out fuse.err; test $rc = 0 &&
	grep "^# series: .*612/convert/fs-fuse" fuse.out &&
	grep "^ok [0-9]* pins balance" fuse.out &&
	grep "^ok [0-9]* converted path raises nr_foll_pin_acquired # .*fuse-buffered +0 unconverted, +[1-9][0-9]* converted" fuse.out
'

test_expect_success 'the tree is byte-identical after all these runs' '
	tree_hash "$T612" >hash.after && test_cmp "$TRASH/hash.before" hash.after
'
test_done
