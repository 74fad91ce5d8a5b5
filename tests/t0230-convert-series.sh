#!/bin/bash
# The series as a mailing list expects it, and the pieces that make it:
# subject prefixes (git log, else a documented table, and a warning),
# unique subjects, the GUP people on Cc, fix patches for the plan's
# MISMATCH releases (6.12: acrn, bcm-vk) asserted by content, git am and
# b4 am on a clean copy of the base, checkpatch --strict, the cover letter
# only for a series of several patches, convert.json's patch numbers read
# by report.py, the toolchain-compatibility settings for old trees and the
# lock on a tree's Kbuild directory.
# Cost: the plan of 6.12 (cached) and three conversions.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
unit() { $PY -c "import sys; sys.path.insert(0, \"$PINCONV/scripts\")
$1"; }

test_expect_success 'subject prefix from git log --format=%s of the paths, reverts left out' '
	mkdir -p g/arch/powerpc/kvm && (cd g && git init -q &&
	for s in "KVM: PPC: e500: one" "KVM: PPC: e500: two" "Revert \"KVM: PPC: three\"" "KVM: PPC: four"; do
		echo "$s" >>arch/powerpc/kvm/e500_mmu.c && git add -A &&
		git -c user.name=t -c user.email=t@t commit -qm "$s" || return 1
	done) &&
	unit "
import series
print(series.subject_prefix(\"$TRASH/g\", [\"arch/powerpc/kvm/e500_mmu.c\"], True))
print(series.subject_prefix(\"$TRASH/g\", [\"arch/powerpc/kvm/e500_mmu.c\"], False))
" >got &&
	cat >expect <<-\EOF &&
	('"'"'KVM: PPC: e500: '"'"', '"'"'git log'"'"')
	('"'"'KVM: PPC: e500: '"'"', '"'"'guessed'"'"')
	EOF
	test_cmp expect got
'

test_expect_success 'on a git tree, Fixes: names the commit that added the release line' '
	mkdir -p fx/drivers/virt/acrn && (cd fx && git init -q &&
	printf "int f(void)\n{\n\treturn 0;\n}\n" >drivers/virt/acrn/vm.c && git add -A &&
	git -c user.name=t -c user.email=t@t commit -qm "virt: acrn: add f" &&
	printf "int f(void)\n{\n\tput_page(vm->monitor_page);\n\treturn 0;\n}\n" >drivers/virt/acrn/vm.c &&
	git -c user.name=t -c user.email=t@t commit -qam "virt: acrn: release the monitor page" &&
	git log -1 --abbrev=12 --format="Fixes: %h (\"%s\")" >../expect) &&
	unit "
import conversion, series
c = conversion.Conversion(kdir=\"$TRASH/fx\", prof=\"pin\", extract_api=True, api=None,
                          plan_path=\"\", out=None, is_git=True,
                          base_text=lambda f: open(\"$TRASH/fx/\" + f).read())
s = conversion.Site(\"rel\", {\"file\": \"drivers/virt/acrn/vm.c\", \"line\": 3, \"col\": 1})
print(series._fixes_tag(c, s))
c.is_git = False
assert series._fixes_tag(c, s) is None
" >got &&
	test_cmp expect got
'

test_expect_success 'the fallback table gives the subsystems'"'"' own prefixes' '
	unit "
import series
for p in (\"arch/x86/kernel/cpu/sgx/ioctl.c\", \"arch/s390/kvm/interrupt.c\",
          \"arch/powerpc/kvm/e500_mmu.c\", \"drivers/accel/qaic/qaic_control.c\",
          \"drivers/misc/vmw_vmci/vmci_host.c\", \"kernel/events/uprobes.c\",
          \"drivers/iommu/iommufd/selftest.c\", \"drivers/virt/nitro_enclaves/ne_misc_dev.c\",
          \"fs/fuse/dev.c\", \"drivers/virt/acrn/vm.c\"):
    print(series.path_prefix(p) + \"|\")
" >got &&
	cat >expect <<-\EOF &&
	x86/sgx: |
	KVM: s390: |
	KVM: PPC: e500: |
	accel/qaic: |
	misc: vmw_vmci: |
	uprobes: |
	iommufd/selftest: |
	nitro_enclaves: |
	fuse: |
	virt: acrn: |
	EOF
	test_cmp expect got
'

test_expect_success 'no two patches of one run share a subject' '
	unit "
import conversion, series
c = conversion.Conversion(kdir=\"/\", prof=\"pin\", extract_api=True, api=None,
                          plan_path=\"\", out=None)
a = series.unique_subject(c, \"KVM: \", \"pin user pages\", [\"pin user pages in f()\"])
b = series.unique_subject(c, \"KVM: \", \"pin user pages\", [\"pin user pages in f()\"])
d = series.unique_subject(c, \"KVM: \", \"pin user pages\", [\"pin user pages in f()\"])
print(a); print(b); print(d)
" >got &&
	cat >expect <<-\EOF &&
	KVM: pin user pages
	KVM: pin user pages in f()
	KVM: pin user pages (2)
	EOF
	test_cmp expect got
'

test_expect_success 'Cc: the MEMORY MANAGEMENT - GUP section and linux-mm, else mm/gup.c'"'"'s maintainers' '
	mkdir -p mt && cat >mt/MAINTAINERS <<-\EOF &&
	MEMORY MANAGEMENT - CORE
	M:	Andrew Morton <akpm@linux-foundation.org>
	L:	linux-mm@kvack.org
	F:	mm/memory.c

	MEMORY MANAGEMENT - GUP (GET USER PAGES)
	M:	Andrew Morton <akpm@linux-foundation.org>
	M:	David Hildenbrand <david@redhat.com>
	R:	Jason Gunthorpe <jgg@nvidia.com>
	L:	linux-mm@kvack.org
	F:	mm/gup.c
	EOF
	unit "
import series
cc, how = series.gup_cc(\"$TRASH/mt\")
print((list(cc), how))
cc, how = series.gup_cc(\"$T612\")
print(\"linux-mm@kvack.org\" in cc, any(\"akpm@\" in a for a in cc), how)
" >got &&
	cat >expect <<-\EOF &&
	(['"'"'Andrew Morton <akpm@linux-foundation.org>'"'"', '"'"'David Hildenbrand <david@redhat.com>'"'"', '"'"'Jason Gunthorpe <jgg@nvidia.com>'"'"', '"'"'linux-mm@kvack.org'"'"'], '"'"'MEMORY MANAGEMENT - GUP'"'"')
	True True mm/gup.c (the tree has no MEMORY MANAGEMENT - GUP section)
	EOF
	test_cmp expect got
'

# An old-style tree: what the config step reads (the top Makefile's
# version, scripts/config) and a defconfig-like .config with ORC.
test_expect_success 'a tree older than the compiler gets the documented compatibility settings' '
	mkdir -p old/scripts &&
	printf "VERSION = 5\nPATCHLEVEL = 3\nSUBLEVEL = 18\nEXTRAVERSION =\n" >old/Makefile &&
	cp "$T612/scripts/config" old/scripts/config &&
	printf "CONFIG_UNWINDER_ORC=y\n# CONFIG_UNWINDER_FRAME_POINTER is not set\nCONFIG_STACK_VALIDATION=y\nCONFIG_X=y\n" >cfg &&
	cp cfg cfg12 && cp cfg cfg11 &&
	unit "
import kbuild
print(kbuild.apply_compat(\"$TRASH/old\", \"$TRASH/cfg12\", gcc=12)[0][0])
print(kbuild.apply_compat(\"$TRASH/old\", \"$TRASH/cfg11\", gcc=11))
print(kbuild.compat_settings(kbuild.tree_version(\"$T612\"), 12))
" >got &&
	cat >expect <<-\EOF &&
	off UNWINDER_ORC, on UNWINDER_FRAME_POINTER, off STACK_VALIDATION
	[]
	[]
	EOF
	test_cmp expect got &&
	grep -x "# CONFIG_UNWINDER_ORC is not set" cfg12 &&
	grep -x "CONFIG_UNWINDER_FRAME_POINTER=y" cfg12 &&
	grep -x "# CONFIG_STACK_VALIDATION is not set" cfg12 &&
	grep -x "CONFIG_X=y" cfg12 &&
	test_cmp cfg cfg11
'

test_expect_success 'a second user of a tree'"'"'s Kbuild directory waits for the first, and says so' '
	mkdir -p lk/tree &&
	(XDG_CACHE_HOME=$TRASH/lk/cache unit "
import kbuild, time, sys
with kbuild.Kbuild(\"$TRASH/lk/tree\") as kb:
    open(\"$TRASH/lk/held\", \"w\").close()
    time.sleep(3)
print(\"first done\", flush=True)
" >lk/first &) &&
	for i in 1 2 3 4 5 6 7 8 9 10; do test -f lk/held && break; sleep 0.5; done &&
	XDG_CACHE_HOME=$TRASH/lk/cache unit "
import kbuild, sys
with kbuild.Kbuild(\"$TRASH/lk/tree\", log=lambda m: print(\"pinconv: \" + m, file=sys.stderr)):
    print(\"second in\")
" >lk/second 2>lk/err &&
	cat lk/err &&
	grep "^pinconv: kbuild: waiting for another pinconv run using .*/obj (lock " lk/err &&
	grep "^pinconv: kbuild: .*/obj is free now" lk/err &&
	grep "second in" lk/second && sleep 1 && grep "first done" lk/first
'

test_expect_success 'setup: the real plan of 6.12' '
	tree_hash "$T612" >hash.before &&
	OUT=$TRASH/612 KDIR=$T612 make -s -C "$PINCONV" plan >/dev/null &&
	test -f 612/plan.json
'

convert() { OUT=$TRASH/612 KDIR=$T612 $PY "$PINCONV/scripts/convert.py"; }
FX=612/convert/drivers-virt-acrn+drivers-misc-bcm-vk/fixes

test_expect_success 'acrn and bcm-vk: the MISMATCH releases come out as a fix series that passes every check' '
	SUBSYS="drivers/virt/acrn drivers/misc/bcm-vk" convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	grep "MISMATCH release(s) fixed, 0 left, 2 fix patches -> .*/fixes (apply them first)" out &&
	ls $FX >files && cat files &&
	grep -x 0000-cover-letter.patch files &&
	test $(grep -c "^000[12]-.*\.patch$" files) = 2 &&
	! grep FAILED $FX/REVIEW.md $FX/0000-cover-letter.patch &&
	grep "^| 1 | .* | ok | ok | ok | ok | ok | ok |$" $FX/REVIEW.md &&
	grep "^| 2 | .* | ok | ok | ok | ok | ok | ok |$" $FX/REVIEW.md &&
	grep "acrn_vm_destroy(): put_page() left: MISMATCH.*fixed first by the fix series" out
'

test_expect_success 'the fixes, applied with git am to a clean copy of the base, say what they fix by content' '
	mkdir -p base/drivers/virt base/drivers/misc &&
	cp -a "$T612/drivers/virt/acrn" base/drivers/virt/ && cp -a "$T612/drivers/misc/bcm-vk" base/drivers/misc/ &&
	(cd base && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm base) &&
	cp -a base am && (cd am && git -c user.name=t -c user.email=t@t am -q "$TRASH/$FX"/000[12]-*.patch) &&
	awk "/^int acrn_vm_destroy\(/,/^}/" am/drivers/virt/acrn/vm.c >destroy &&
	grep "unpin_user_page(vm->monitor_page);" destroy &&
	! grep "put_page(vm->monitor_page)" destroy &&
	awk "/^static int bcm_vk_dma_alloc\(/,/^}/" am/drivers/misc/bcm-vk/bcm_vk_sg.c >alloc &&
	! grep "__free_page" alloc &&
	test $(grep -c "release_pages(dma->pages, dma->nr_pages);" alloc) = 2 &&
	awk "/^static int bcm_vk_dma_alloc\(/,/^}/" base/drivers/misc/bcm-vk/bcm_vk_sg.c >alloc.base &&
	test $(grep -c "__free_page(dma->pages\[" alloc.base) = 2 &&
	(cd am && git diff --stat HEAD~2 | tail -1) | grep "2 files changed, 3 insertions(+), 3 deletions(-)"
'

test_expect_success 'the fix messages explain the chain, name no line, and have no made-up Fixes: id' '
	for p in $FX/000[12]-*.patch; do
		sed -n "/^Subject:/,/^---$/p" "$p" >msg &&
		! grep -E "\.c:[0-9]+" msg &&
		grep "^No Fixes: tag: linux-source-6.12 has no git history" msg &&
		! grep "^Fixes:" msg &&
		grep "^Cc: linux-mm@kvack.org$" msg &&
		grep "^Cc: Andrew Morton <akpm@linux-foundation.org>$" msg &&
		grep "^Tested: applies with git am" msg || return 1
	done &&
	grep "^    drivers/virt/acrn/hsm.c: pin_user_pages_fast(&page)$" $FX/0001-*.patch &&
	grep "^    drivers/virt/acrn/vm.c: put_page(vm->monitor_page)$" $FX/0001-*.patch &&
	grep "FOLL_WRITE | FOLL_LONGTERM; the pin$" $FX/0001-*.patch &&
	grep "^    drivers/misc/bcm-vk/bcm_vk_sg.c: get_user_pages_fast(dma->pages)$" $FX/0002-*.patch &&
	grep "^bcm_vk_dma_alloc() in drivers/misc/bcm-vk/bcm_vk_sg.c releases pages$" $FX/0002-*.patch &&
	grep "^    drivers/misc/bcm-vk/bcm_vk_sg.c: __free_page(dma->pages\[i\])$" $FX/0002-*.patch &&
	grep "^Subject: \[PATCH 1/2\] virt: acrn: " $FX/0001-*.patch &&
	grep "^Subject: \[PATCH 2/2\] misc: bcm-vk: " $FX/0002-*.patch &&
	grep -h "^Subject:" $FX/*.patch | sed "s/^Subject: \[PATCH [0-9/]*\] //" | sort | uniq -d >dups &&
	test ! -s dups &&
	grep "^WARNING: the subject prefixes of patch 1, patch 2 are guessed" $FX/0000-cover-letter.patch
'

test_expect_success 'checkpatch.pl --strict finds no error and no warning in the delivered patches' '
	for p in $FX/000[12]-*.patch 612/convert/drivers-virt-acrn+drivers-misc-bcm-vk/*.patch; do
		test -f "$p" || continue
		perl "$T612/scripts/checkpatch.pl" --strict --no-tree --terse --show-types "$p" >cp.out
		cat cp.out
		! grep -E ": (ERROR|WARNING):" cp.out || return 1
	done
'

test_expect_success 'b4 am reads the series as a thread and its mbox applies to the clean base' '
	mkdir -p home && printf "[user]\n\tname = t\n\temail = t@t\n" >home/.gitconfig &&
	cat $FX/0*.patch >series.mbox && mkdir b4out &&
	HOME=$TRASH/home b4 am -m series.mbox -o b4out >b4.log 2>&1; rc=$?; cat b4.log; test $rc = 0 &&
	grep "Total patches: 2" b4.log &&
	cp -a base b4am && (cd b4am && HOME=$TRASH/home git am -q "$TRASH"/b4out/*.mbx) &&
	diff -r -x .git am b4am
'

test_expect_success 'convert.json gives each fixed site its patch, and report.py links it from there' '
	$PY -c "
import json, sys
j = json.load(open(sys.argv[1]))
assert j[\"kind\"] == \"fixes\", j[\"kind\"]
got = sorted((s[\"function\"], s[\"patch\"], s[\"patch_file\"][:5]) for s in j[\"sites\"])
print(got)
assert got == [(\"acrn_vm_destroy\", 1, \"0001-\"), (\"bcm_vk_dma_alloc\", 2, \"0002-\"),
               (\"bcm_vk_dma_alloc\", 2, \"0002-\")], got
" $FX/convert.json &&
	cp 612/plan.json 612/plan.keep && KDIR=$T612 OUT=$TRASH/612 $PY "$PINCONV/scripts/report.py" >/dev/null &&
	grep -c "href=\"convert/drivers-virt-acrn+drivers-misc-bcm-vk/fixes/0002-" 612/index.html >n &&
	test $(cat n) = 2 &&
	grep "drivers/virt/acrn/vm.c:[0-9]*<.*href=\"convert/drivers-virt-acrn+drivers-misc-bcm-vk/fixes/0001-" 612/index.html
'

test_expect_success 'a single patch has no cover letter (its notes go below ---), COVER=1 adds one' '
	SUBSYS=drivers/virt/acrn convert >out 2>&1 &&
	d=612/convert/drivers-virt-acrn/fixes && ls $d >files && cat files &&
	! grep cover-letter files && grep "^0001-virt-acrn-" files &&
	grep "^Subject: \[PATCH\] virt: acrn: " $d/0001-*.patch &&
	grep "^base-commit: " $d/0001-*.patch &&
	sed -n "/^---$/,/^diff --git/p" $d/0001-*.patch >notes && cat notes &&
	grep "^pinconv checks: all passed" notes &&
	grep "^WARNING: the subject prefix is guessed" notes &&
	COVER=1 SUBSYS=drivers/virt/acrn convert >out 2>&1 &&
	ls $d >files && grep -x 0000-cover-letter.patch files &&
	grep "^Subject: \[PATCH 1/1\] virt: acrn: " $d/0001-*.patch
'

test_expect_success 'the tree is byte-identical after all these runs' '
	tree_hash "$T612" >hash.after && test_cmp hash.before hash.after
'
test_done
