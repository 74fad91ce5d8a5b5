#!/bin/bash
# make qemu-test: bad input stops before anything is built, the Kconfig
# symbols of touched files come from the tree's Makefiles, and the judge
# (scripts/qemu/results.py) reads guest output the way it is meant to.
# Cost: a few seconds; no kernel is built here (see t0510/t0520).
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
qt() { "$PINCONV/scripts/qemu-test.sh"; }
judge() { $PY "$PINCONV/scripts/qemu/results.py" --serial serial.log \
	--console console.log --json summary.json "$@"; }

test_expect_success 'a directory that is not a kernel tree: one line, exit 2' '
	mkdir notatree &&
	KDIR=$TRASH/notatree qt >out 2>err; test $? = 2 &&
	test_line_count=$(wc -l <err) && test "$test_line_count" = 1 &&
	grep "^pinconv: KDIR=.*not a kernel tree" err
'

test_expect_success 'SERIES= naming no directory: exit 2 before any build' '
	KDIR=$T612 SERIES=$TRASH/nope qt >out 2>err; test $? = 2 &&
	grep "^pinconv: SERIES=.*no such directory" err &&
	test ! -d "$TRASH/reports"
'

test_expect_success 'SERIES= with only a cover letter: exit 2' '
	mkdir cover && echo x >cover/0000-cover-letter.patch &&
	KDIR=$T612 SERIES=$TRASH/cover qt >out 2>err; test $? = 2 &&
	grep "^pinconv: no \*.patch files in" err
'

test_expect_success 'Kconfig symbols of touched files are read from the Makefiles' '
	(QT_SRC=$T612 && . "$PINCONV/scripts/qemu/build.sh" &&
	 qt_symbols_for fs/fuse/dev.c mm/gup_test.c fs/fuse/virtio_fs.c \
		net/9p/trans_virtio.c mm/gup.c) >syms &&
	printf "%s\n" FUSE_FS GUP_TEST NET_9P NET_9P_VIRTIO VIRTIO_FS >expect &&
	test_cmp expect syms
'

test_expect_success 'Kconfig symbols: a directory built by a symbol above it counts; other arches give none' '
	(QT_SRC=$T612 && . "$PINCONV/scripts/qemu/build.sh" &&
	 qt_symbols_for arch/x86/kernel/cpu/sgx/ioctl.c arch/s390/kvm/interrupt.c \
		arch/arm64/kernel/mte.c) >syms &&
	echo X86_SGX >expect && test_cmp expect syms
'

test_expect_success 'a Kconfig symbol that cannot be set is explained from its depends on lines' '
	(QT_SRC=$T612 && . "$PINCONV/scripts/qemu/build.sh" &&
	 qt_kconfig_reason VIRTIO_FS && qt_kconfig_reason NO_SUCH_SYMBOL_HERE) >why &&
	printf "%s\n" "depends on FUSE_FS" "no such Kconfig symbol in this tree" >expect &&
	test_cmp expect why
'

test_expect_success 'every symbol of the config fragment is a real Kconfig symbol of 6.12' '
	sed -n "s/^CONFIG_\([A-Z0-9_]*\)=y$/\1/p" "$PINCONV/scripts/qemu/config.fragment" >syms &&
	test -s syms &&
	while read -r s; do
		grep -rqs --include="Kconfig*" -E "^(menu)?config $s\$" "$T612" ||
			{ echo "unknown symbol $s"; exit 1; }
	done <syms
'

test_expect_success 'guest programs: cmocka tests of the vmstat parser and the FUSE server' '
	gcc -std=c11 -Wall -Wextra -Werror -o test_guest \
		"$PINCONV/tests/qemu/test_guest.c" -lcmocka &&
	./test_guest >out 2>&1; rc=$?; cat out; test $rc = 0 &&
	grep "PASSED.*6 test" out
'

test_expect_success 'guest workloads: cmocka tests of the KTAP helpers and the uprobe offsets' '
	gcc -std=c11 -Wall -Wextra -Werror -o test_workloads \
		"$PINCONV/tests/qemu/test_workloads.c" -lcmocka &&
	./test_workloads >out 2>&1; rc=$?; cat out; test $rc = 0 &&
	grep "PASSED.*5 test" out
'

# The workloads that need nothing the host may lack (tls needs the tls
# module, uprobe a writable tracefs) run on the host kernel too: their own
# data checks pass there, and they print the KTAP the judge reads.
test_expect_success 'vmsplice, /proc/pid/mem and MSG_ZEROCOPY workloads pass on the host kernel' '
	for p in vmsplicewl procmemwl zerocopywl; do
		gcc -std=c11 -static -O2 -Wall -Wextra -Werror -o $p \
			"$PINCONV/scripts/qemu/guest/$p.c" || exit 1
	done &&
	./vmsplicewl "$TRASH" >vms.out && cat vms.out &&
	grep "^1\.\.3$" vms.out && test "$(grep -c "^ok [1-3] vmsplice-[a-z]* # acquired=[0-9]* released=[0-9]*; 16 x 64 KiB vmspliced, data ok$" vms.out)" = 3 &&
	./procmemwl >pm.out && cat pm.out &&
	grep "^ok 1 procmem-read # .*; 32 pages read, data ok$" pm.out &&
	grep "^ok 2 procmem-write # .*; 32 pages written and read back, data ok$" pm.out &&
	grep "^ok 3 ptrace-peekpoke # .*the child checked its memory$" pm.out &&
	./zerocopywl >zc.out && cat zc.out &&
	grep "^ok 1 zerocopy-send # .*data ok, 16 completions" zc.out
'

ok_run() {
	cat <<-\END
	@@ boot 6.1.90
	@@ test gup_test -a
	| PIN_FAST_BENCHMARK: Time: get:1234 put:56 us
	@@ rc 0
	@@ test workload-fuse
	| phase fuse-buffered ok acquired=0 released=0
	| phase fuse-direct ok acquired=256 released=256
	@@ rc 0
	@@ vmstat nr_foll_pin_acquired 300 nr_foll_pin_released 300
	@@ dmesg
	| Linux version 6.1.90
	@@ end
	END
}

test_expect_success 'a complete, balanced run passes (6.1-style gup_test output)' '
	ok_run >serial.log && : >console.log &&
	judge >ktap && grep "^1\.\.5$" ktap && ! grep "^not ok" ktap &&
	grep "^ok 4 pins balance # nr_foll_pin_acquired=300 nr_foll_pin_released=300" ktap
'

test_expect_success 'gup_test is judged by its output, not its exit status' '
	ok_run | sed "s/^| PIN_FAST_BENCHMARK.*/| ioctl: Bad address/" >serial.log &&
	: >console.log && test_must_fail judge >ktap &&
	grep "^not ok 2 gup_test -a # ioctl: Bad address" ktap &&
	ok_run | sed "s/^| PIN_FAST_BENCHMARK.*/| not ok 1 ioctl status -14/" >serial.log &&
	test_must_fail judge >ktap && grep "^not ok 2 gup_test -a" ktap
'

test_expect_success 'pins that do not balance fail the run' '
	ok_run | sed "s/released 300/released 296/" >serial.log && : >console.log &&
	test_must_fail judge >ktap &&
	grep "^not ok 4 pins balance # nr_foll_pin_acquired=300 nr_foll_pin_released=296" ktap
'

test_expect_success 'a workload phase whose pins do not balance fails' '
	ok_run | sed "s/acquired=256 released=256/acquired=256 released=250/" >serial.log &&
	: >console.log && test_must_fail judge >ktap &&
	grep "^not ok 3 workload-fuse # phase fuse-direct: 256 pins acquired, 250 released" ktap
'

test_expect_success 'a guest that stops early, or a WARNING on the console, fails' '
	ok_run | sed "/@@ end/d" >serial.log && : >console.log &&
	test_must_fail judge >ktap && grep "^not ok 1 boot" ktap &&
	ok_run >serial.log &&
	echo "WARNING: CPU: 0 PID: 1 at mm/gup.c:100 try_grab_folio" >console.log &&
	test_must_fail judge >ktap && grep "^not ok 5 dmesg clean # WARNING: CPU" ktap
'

test_expect_success 'with a baseline, the converted path must raise nr_foll_pin_acquired' '
	ok_run >serial.log && : >console.log && judge >/dev/null && mv summary.json base.json &&
	test_must_fail judge --baseline base.json >ktap &&
	grep "^not ok 6 converted path raises nr_foll_pin_acquired # fuse-buffered +0 unconverted, +0 converted" ktap &&
	ok_run | sed "s/acquired=0 released=0/acquired=536 released=536/" >serial.log &&
	judge --baseline base.json >ktap &&
	grep "^ok 6 converted path raises nr_foll_pin_acquired # fuse-buffered +0 unconverted, +536 converted" ktap
'
ktap_run() {
	cat <<-\END
	@@ boot 6.12.90
	@@ test workload-vmsplice
	| KTAP version 1
	| 1..2
	| ok 1 vmsplice-read # acquired=0 released=0; 16 x 64 KiB vmspliced, data ok
	| ok 2 vmsplice-tee # acquired=0 released=0; 16 x 64 KiB vmspliced, data ok
	@@ rc 0
	@@ kmsg
	@@ test workload-uprobe
	| KTAP version 1
	| 1..1
	| ok 1 uprobe-refctr # acquired=0 released=0; semaphore 0 -> 1 -> 0
	@@ rc 0
	@@ kmsg
	@@ vmstat nr_foll_pin_acquired 300 nr_foll_pin_released 300
	@@ dmesg
	| Linux version 6.12.90
	@@ end
	END
}

test_expect_success 'KTAP phases of a workload are read, with their pin counts' '
	ktap_run >serial.log && : >console.log &&
	judge >ktap && ! grep "^not ok" ktap &&
	grep "^ok 2 workload-vmsplice # vmsplice-read: nr_foll_pin_acquired +0 released +0; vmsplice-tee: nr_foll_pin_acquired +0 released +0$" ktap &&
	grep "^ok 3 workload-uprobe # uprobe-refctr: nr_foll_pin_acquired +0 released +0$" ktap
'

test_expect_success 'a workload phase that fails its own data check, or is missing, fails' '
	ktap_run | sed "s/^| ok 2 vmsplice-tee # acquired=0 released=0; .*/| not ok 2 vmsplice-tee # acquired=0 released=0; tee copy: data differs at byte 7 of round 3/" >serial.log &&
	test_must_fail judge >ktap &&
	grep "^not ok 2 workload-vmsplice # phase vmsplice-tee failed: tee copy: data differs at byte 7 of round 3$" ktap &&
	ktap_run | sed "/^| ok 2 vmsplice-tee/d" >serial.log &&
	test_must_fail judge >ktap &&
	grep "^not ok 2 workload-vmsplice # 1 of 2 planned phases reported" ktap
'

test_expect_success 'a WARNING while a workload ran fails that workload' '
	ktap_run | sed "/^@@ test workload-uprobe/,/^@@ vmstat/s/^@@ kmsg\$/@@ kmsg\n| WARNING: CPU: 0 PID: 77 at mm\/gup.c:229 folio_add_pin+0x2a\/0x30/" >serial.log &&
	test_must_fail judge >ktap &&
	grep "^ok 2 workload-vmsplice" ktap &&
	grep "^not ok 3 workload-uprobe # kernel messages: WARNING: CPU: 0 PID: 77 at mm/gup.c:229" ktap
'

test_expect_success 'per workload: converted paths must pin more than unconverted, others are SKIP' '
	ktap_run >serial.log && : >console.log && judge >/dev/null && mv summary.json base.json &&
	ktap_run | sed "s/vmsplice-read # acquired=0 released=0/vmsplice-read # acquired=256 released=256/" >serial.log &&
	judge --baseline base.json --per-workload --converted workload-vmsplice >ktap &&
	grep "^ok 2 workload-vmsplice # pins where unconverted did not: vmsplice-read +0 unconverted, +256 converted; vmsplice-tee +0 unconverted, +0 converted$" ktap &&
	grep "^ok 3 workload-uprobe # SKIP not converted in this series; uprobe-refctr: nr_foll_pin_acquired +0 released +0$" ktap &&
	grep "^# Totals: pass:4 fail:0 skip:1$" ktap &&
	! grep "converted path raises" ktap &&
	ktap_run >serial.log &&
	test_must_fail judge --baseline base.json --per-workload --converted workload-vmsplice \
		--converted workload-uprobe >ktap &&
	grep "^not ok 2 workload-vmsplice # converted in this series, yet takes no more pins: vmsplice-read +0 unconverted, +0 converted" ktap &&
	grep "^not ok 3 workload-uprobe # converted in this series, yet takes no more pins" ktap
'

test_expect_success 'per workload: an unbalanced workload fails even when its path is not converted' '
	ktap_run | sed "s/uprobe-refctr # acquired=0 released=0/uprobe-refctr # acquired=2 released=0/" >serial.log &&
	test_must_fail judge --baseline base.json --per-workload >ktap &&
	grep "^not ok 3 workload-uprobe # phase uprobe-refctr: 2 pins acquired, 0 released" ktap
'
test_done
