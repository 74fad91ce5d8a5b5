#!/bin/bash
# arch/s390, arch/arm64 and arch/powerpc changes are built with Debian's s390x cross compiler (ARCH=s390,
# CROSS_COMPILE=s390x-linux-gnu-, the architecture's defconfig, its own
# object directory); without that compiler the file is "not built" with
# the reason, never "passed", and the run exits 1 unless ALLOW_UNBUILT=1.
# arm64 and powerpc files compile the same way.  Cost: the plan of 6.12
# (cached), an s390, arm64 and powerpc make prepare once per tree, three
# conversions of arch/s390/kvm.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
convert() { OUT=$TRASH/612 KDIR=$T612 SUBSYS=arch/s390/kvm $PY "$PINCONV/scripts/convert.py"; }
D=612/convert/arch-s390-kvm

if ! command -v s390x-linux-gnu-gcc >/dev/null; then
	test_skip "cross builds of arch/s390" "s390x-linux-gnu-gcc not installed (scripts/deps.sh installs gcc-s390x-linux-gnu)"
	test_done
fi

test_expect_success 'setup: the real plan of 6.12' '
	OUT=$TRASH/612 KDIR=$T612 make -s -C "$PINCONV" plan >/dev/null && test -f 612/plan.json
'

test_expect_success 'arch/s390/kvm is compiled with ARCH=s390 before and after, and passes every check' '
	convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	grep "^+.*pin_user_pages" $D/0001-*.patch &&
	grep "^- build: ok — arch/s390/kvm/[a-z_]*\.c: compiles before and after (ARCH=s390 defconfig)" $D/REVIEW.md &&
	grep "^- sparse: ok — arch/s390/kvm/" $D/REVIEW.md &&
	! grep -i "not built\|FAILED" $D/REVIEW.md $D/*.patch &&
	grep "^Subject: \[PATCH\] KVM: s390: " $D/0001-*.patch
'

test_expect_success 'without the cross compiler: "not built" with the reason, exit 1' '
	mkdir bin &&
	for d in $(echo "$PATH" | tr : " "); do
		for f in "$d"/*; do
			n=${f##*/}
			case $n in s390x-linux-gnu-*) continue ;; esac
			if test -x "$f" && test ! -e "bin/$n"; then ln -s "$f" "bin/$n" || return 1; fi
		done
	done &&
	! PATH=$TRASH/bin command -v s390x-linux-gnu-gcc &&
	PATH=$TRASH/bin convert >out 2>err; rc=$?; cat out err; test $rc = 1 &&
	grep "checks failed for: patch 1 (not built: .*s390x-linux-gnu-gcc (Debian package gcc-s390x-linux-gnu), not installed; ALLOW_UNBUILT=1 accepts it)" err &&
	grep "^- build: n/a — .*not built: arch/s390 needs s390x-linux-gnu-gcc" $D/REVIEW.md &&
	grep "^pinconv checks: not built (" $D/0001-*.patch &&
	sed -n "/^Tested:/,/^$/p" $D/0001-*.patch | tr "\n" " " >tested && cat tested &&
	grep "Not built: build: arch/s390/kvm/[a-z_]*\.c: not built: arch/s390 needs" tested &&
	! grep "all passed" $D/0001-*.patch
'

test_expect_success 'arch/arm64 and arch/powerpc files compile with their cross compilers (verify.check_build)' '
	$PY -c "
import sys
sys.path.insert(0, \"$PINCONV/scripts\")
import verify
kdir = \"$T612\"
files = [\"arch/arm64/kernel/elfcore.c\", \"arch/powerpc/kvm/e500_mmu.c\"]
text = dict((f, open(kdir + \"/\" + f).read()) for f in files)
after = dict((f, t + \"/* pinconv */\\n\") for f, t in text.items())
res, unmet = verify.check_build(kdir, files, text, after, \"$TRASH/cb\", log=print)
for f in files:
    print(f, res[f])
    assert res[f][0] is True and res[f][2] is True, res[f]
assert \"(ARCH=arm64 defconfig)\" in res[files[0]][1], res[files[0]]
assert \"(ARCH=powerpc corenet64_smp_defconfig)\" in res[files[1]][1], res[files[1]]
"
'

test_expect_success 'ALLOW_UNBUILT=1 accepts it (exit 0) and still says "not built"' '
	ALLOW_UNBUILT=1 PATH=$TRASH/bin convert >out 2>err; rc=$?; cat err; test $rc = 0 &&
	grep "^pinconv checks: not built (" $D/0001-*.patch
'
test_done
