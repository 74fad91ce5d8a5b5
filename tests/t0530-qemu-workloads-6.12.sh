#!/bin/bash
# make qemu-test's guest workloads on the default tree (linux-source-6.12),
# for real under QEMU: vmsplice (fs/splice.c), /proc/pid/mem and ptrace
# (mm/memory.c), MSG_ZEROCOPY (net/core/datagram.c), kernel TLS
# (net/tls/tls_sw.c, net/core/skmsg.c) and a uprobe with a reference
# counter (kernel/events/uprobes.c).  On the unconverted kernel each checks
# its data and takes no pins (those paths take page references on 6.12);
# the hand-made tests/qemu/splice-pin series makes vmsplice pin and
# balance, its twin with put_page() left in is caught, and two series
# applied together (all mode) are judged workload by workload.
# Cost: shares t0510's build (same tree, same fragment): ~5 min cold on an
# idle box, then ~1 min per kernel variant (warm rebuild + boot under TCG).
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
export KDIR=$T612
unset SERIES SUBSYS OUT
qt() { "$PINCONV/scripts/qemu-test.sh"; }
Q=$PINCONV/tests/qemu

test_expect_success 'unconverted 6.12: every workload passes its data checks, pins balance, dmesg clean' '
	qt >plain.out 2>plain.err; rc=$?; cat plain.out plain.err; test $rc = 0 &&
	! grep "^not ok" plain.out &&
	for w in fuse block vmsplice procmem zerocopy tls uprobe; do
		grep "^ok [0-9]* workload-$w # " plain.out || exit 1
	done &&
	grep "^ok [0-9]* dmesg clean" plain.out
'

# The references these paths take on 6.12 are not pins: the counters stay.
test_expect_success 'unconverted 6.12: vmsplice, /proc/pid/mem, ptrace, MSG_ZEROCOPY, TLS, uprobe take no pins' '
	grep "^ok [0-9]* workload-vmsplice # vmsplice-read: nr_foll_pin_acquired +0 released +0; vmsplice-splice: nr_foll_pin_acquired +0 released +0; vmsplice-tee: nr_foll_pin_acquired +0 released +0$" plain.out &&
	grep "^ok [0-9]* workload-procmem # procmem-read: nr_foll_pin_acquired +0 released +0; procmem-write: nr_foll_pin_acquired +0 released +0; ptrace-peekpoke: nr_foll_pin_acquired +0 released +0$" plain.out &&
	grep "^ok [0-9]* workload-zerocopy # zerocopy-send: nr_foll_pin_acquired +0 released +0$" plain.out &&
	grep "^ok [0-9]* workload-tls # tls-rx: nr_foll_pin_acquired +0 released +0; tls-tx: nr_foll_pin_acquired +0 released +0$" plain.out &&
	grep "^ok [0-9]* workload-uprobe # uprobe-refctr: nr_foll_pin_acquired +0 released +0$" plain.out
'

test_expect_success 'the workloads checked what they claim (guest output in serial.log)' '
	tid=$(ls "$TRASH/reports") &&
	s=$TRASH/reports/$tid/qemu/all/serial.log &&
	grep "^| ok 3 vmsplice-tee # .*16 x 64 KiB vmspliced, data ok" "$s" &&
	grep "^| ok 3 ptrace-peekpoke # .*the child checked its memory" "$s" &&
	grep "^| ok 1 zerocopy-send # .*16 completions (16 copied)" "$s" &&
	grep "^| ok 2 tls-rx # .*16 records received and decrypted, data ok" "$s" &&
	grep "^| ok 1 uprobe-refctr # .*semaphore 0 -> 1 -> 0 here and in a child, 10 hits" "$s"
'

test_expect_success 'tests/qemu/splice-pin: vmsplice pins where 6.12 did not, every phase balanced' '
	SUBSYS=fs/splice.c SERIES=$Q/splice-pin qt >sp.out 2>sp.err; rc=$?
	cat sp.out sp.err; test $rc = 0 && ! grep "^not ok" sp.out &&
	grep "^# series: .*splice-pin (2 patches)" sp.out &&
	grep "^ok [0-9]* workload-vmsplice # vmsplice-read: nr_foll_pin_acquired +\([1-9][0-9]*\) released +\1; vmsplice-splice: nr_foll_pin_acquired +\([1-9][0-9]*\) released +\2; vmsplice-tee: nr_foll_pin_acquired +\([1-9][0-9]*\) released +\3$" sp.out &&
	grep "^ok [0-9]* converted path raises nr_foll_pin_acquired # vmsplice-read +0 unconverted, +[1-9][0-9]* converted" sp.out
'

test_expect_success 'the splice conversion with put_page() in the pipe buffer release is caught' '
	SUBSYS=fs/splice.c SERIES=$Q/splice-pin-broken qt >spb.out 2>spb.err; rc=$?
	cat spb.out spb.err; test $rc = 1 &&
	grep "^not ok [0-9]* workload-vmsplice # phase vmsplice-read: [1-9][0-9]* pins acquired, 0 released" spb.out &&
	grep "^not ok [0-9]* pins balance" spb.out &&
	grep "^pinconv: qemu-test failed" spb.err
'

test_expect_success 'all mode: two series on one kernel, judged per workload, the rest SKIP' '
	SERIES="$Q/splice-pin $Q/fuse-extract" qt >all.out 2>all.err; rc=$?
	cat all.out all.err; test $rc = 0 && ! grep "^not ok" all.out &&
	grep "^# series: 2 series, 3 patches" all.out &&
	grep "^# workloads on converted paths: fuse vmsplice$" all.out &&
	grep "^ok [0-9]* workload-vmsplice # pins where unconverted did not: vmsplice-read +0 unconverted, +[1-9][0-9]* converted" all.out &&
	grep "^ok [0-9]* workload-fuse # pins where unconverted did not: fuse-buffered +0 unconverted, +[1-9][0-9]* converted" all.out &&
	for w in block procmem zerocopy tls uprobe; do
		grep "^ok [0-9]* workload-$w # SKIP not converted in this series; " all.out || exit 1
	done &&
	grep "^# Totals: pass:[0-9]* fail:0 skip:5$" all.out &&
	! grep "converted path raises" all.out
'

test_expect_success 'all mode: a broken series among good ones fails its workload only' '
	SERIES="$Q/splice-pin-broken $Q/fuse-extract" qt >allb.out 2>allb.err; rc=$?
	cat allb.out allb.err; test $rc = 1 &&
	grep "^not ok [0-9]* workload-vmsplice # phase vmsplice-read: [1-9][0-9]* pins acquired, 0 released" allb.out &&
	grep "^ok [0-9]* workload-fuse # pins where unconverted did not" allb.out &&
	grep "^not ok [0-9]* pins balance" allb.out
'
test_done
