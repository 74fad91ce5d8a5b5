#!/bin/bash
# make qemu-test on Debian's linux-source-6.1: the same harness on an older
# tree (gup_test in selftests/vm/, printf output and exit codes that say
# little, fuse and block direct I/O still on iov_iter_get_pages2).
# Cost: cold ~5 min (scratch copy, tinyconfig build at -j2, boot under TCG);
# seconds when ~/.cache/pinconv/build already holds the build.
. "$(dirname "$0")/lib.sh"

T61=$(tree_61)
export KDIR=$T61
unset SERIES SUBSYS OUT

test_expect_success 'the unconverted 6.1 kernel boots, every gup_test variant passes, pins balance' '
	tree_hash "$T61" >hash.before &&
	"$PINCONV/scripts/qemu-test.sh" >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	grep "^ok [0-9]* boot # kernel 6\.1\." out &&
	test "$(grep -c "^ok [0-9]* gup_test " out)" = 13 &&
	! grep "^not ok" out &&
	grep "^ok [0-9]* pins balance # nr_foll_pin_acquired=\([0-9]*\) nr_foll_pin_released=\1$" out &&
	tree_hash "$T61" >hash.after && test_cmp hash.before hash.after
'

test_expect_success '6.1 takes page references, not pins, for fuse and block direct I/O' '
	grep "^ok [0-9]* workload-fuse # fuse-buffered: nr_foll_pin_acquired +0 released +0; fuse-direct: nr_foll_pin_acquired +0 released +0$" out &&
	grep "^ok [0-9]* workload-block # block-odirect: nr_foll_pin_acquired +0 released +0$" out
'
test_done
