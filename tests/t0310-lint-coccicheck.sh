#!/bin/bash
# The standalone lint rules (semantic-patches/lint/*.cocci) run under the
# kernel's own `make coccicheck COCCI=... MODE=...` on real trees, find a
# mismatch planted in a copy of a real file, and stay quiet on the real
# files of 6.12 that use the GUP family.  Everything runs in hard-link
# copies; a planted file is a new file (write + rename), never an in-place
# edit, so the cached trees are never touched.  Costs about a minute.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint-lib.sh"

PIN=$PINCONV/semantic-patches/lint/pin_put_mismatch.cocci
GET=$PINCONV/semantic-patches/lint/get_unpin_mismatch.cocci


# coccicheck DIR RULE MODE M: the kernel's runner, in DIR.
coccicheck() {
	make -s -C "$1" coccicheck COCCI="$2" MODE="$3" M="$4" >cc.raw 2>&1
	local rc=$?
	grep -v -e '^$' -e '^Please check' -e '^When using' -e '^/usr/bin/spatch' cc.raw
	return $rc
}

test_expect_success 'setup: hard-link copies of 6.12 and 6.1 with planted mismatches' '
	cp -al "$(tree_612)" linux-6.12 && cp -al "$(tree_61)" linux-6.1 &&
	touch stamp &&
	f=drivers/fpga/dfl-afu-dma-region.c q=drivers/accel/qaic/qaic_control.c h=drivers/virt/fsl_hypervisor.c &&
	{ echo "FPGA=$(src_line linux-6.12 $f afu_dma_pin_pages "unpin_user_pages(region->pages, pinned)")" &&
	  echo "FPGA_PIN=$(src_line linux-6.12 $f afu_dma_pin_pages "pin_user_pages_fast(")" &&
	  echo "QAIC=$(src_line linux-6.12 $q find_and_map_user_pages "put_page(page_list[i])")" &&
	  echo "QAIC_GUP=$(src_line linux-6.12 $q find_and_map_user_pages "get_user_pages_fast(")" &&
	  echo "FSL=$(src_line linux-6.1 $h ioctl_memcpy "put_page(pages[i])")" &&
	  echo "FSL_GUP=$(src_line linux-6.1 $h ioctl_memcpy "= get_user_pages_fast(")" &&
	  echo "FPGA61=$(src_line linux-6.1 $f afu_dma_unpin_pages "unpin_user_pages(")"
	} >lines && cat lines && ! grep "=$" lines && . ./lines &&
	plant linux-6.12/$f $FPGA unpin_user_pages release_pages &&
	plant linux-6.12/$q $QAIC put_page unpin_user_page &&
	plant linux-6.1/$h $FSL put_page unpin_user_page &&
	plant linux-6.1/$f $FPGA61 unpin_user_pages release_pages &&
	grep -q "	unpin_user_pages(region->pages, pinned);" "$(tree_612)/$f" &&
	grep -q "	put_page(page_list\[i\]);" "$(tree_612)/$q"
'

test_expect_success 'coccicheck MODE=report: pin released by release_pages (6.12, fpga)' '
	. ./lines &&
	coccicheck linux-6.12 $PIN report drivers/fpga >out &&
	cat out &&
	echo "drivers/fpga/dfl-afu-dma-region.c:$FPGA:1-14: ERROR: pages pinned on line $FPGA_PIN must be released by unpin_user_page*(), not by a put" >expect &&
	test_cmp expect out
'

test_expect_success 'coccicheck MODE=report: FOLL_GET pages unpinned (6.12, qaic)' '
	. ./lines &&
	coccicheck linux-6.12 $GET report drivers/accel/qaic >out &&
	cat out &&
	echo "drivers/accel/qaic/qaic_control.c:$QAIC:2-17: ERROR: pages taken by reference (get_user_pages*/iov_iter_get_pages*) on line $QAIC_GUP must be released by put_page()/release_pages(), not unpinned" >expect &&
	test_cmp expect out
'

test_expect_success 'each rule is quiet on the other planted directory' '
	coccicheck linux-6.12 $GET report drivers/fpga >out && test ! -s out &&
	coccicheck linux-6.12 $PIN report drivers/accel/qaic >out && test ! -s out
'

test_expect_success 'coccicheck on 6.1: finds GUP pages unpinned; a release_pages in another function than the pin is left to the plan' '
	. ./lines &&
	coccicheck linux-6.1 $GET report drivers/virt >out &&
	cat out &&
	grep -x "drivers/virt/fsl_hypervisor.c:$FSL:3-18: ERROR: pages taken by reference (get_user_pages\*/iov_iter_get_pages\*) on line $FSL_GUP must be released by put_page()/release_pages(), not unpinned" out &&
	test "$(wc -l <out)" = 1 &&
	coccicheck linux-6.1 $PIN report drivers/fpga >out &&
	test ! -s out
'

test_expect_success 'MODE=context stars both ends, MODE=org gives a TODO link' '
	. ./lines &&
	coccicheck linux-6.12 $PIN context drivers/fpga >out &&
	grep "^-	pinned = pin_user_pages_fast(region->user_addr, npages, FOLL_WRITE," out &&
	grep "^-	release_pages(region->pages, pinned);" out &&
	coccicheck linux-6.12 $PIN org drivers/fpga >out &&
	grep "^\* TODO \[\[view:drivers/fpga/dfl-afu-dma-region.c::face=ovl-face1::linb=$FPGA::" out
'

test_expect_success 'coccicheck wrote nothing into the copies, and no shared file changed' '
	find linux-6.12 linux-6.1 -newer stamp -type f >new &&
	cat new &&
	test "$(wc -l <new)" = 4 &&
	! find linux-6.12 linux-6.1 -newer stamp -type f -links +1 | grep .
'

test_expect_success 'both rules are quiet on every real 6.12 file that uses the GUP family' '
	(cd linux-6.12 &&
	 git grep --no-index -lE "\b(pin|get)_user_pages|iov_iter_get_pages" -- "*.c" "*.h" |
		grep -v -e "^drivers/fpga/dfl-afu-dma-region.c$" -e "^drivers/accel/qaic/qaic_control.c$" >../files) &&
	test "$(wc -l <files)" -gt 100 &&
	(cd linux-6.12 &&
	 spatch --very-quiet --no-includes --include-headers --no-show-diff -D report \
		--jobs 2 --sp-file $PIN $(cat ../files) >../pin.out 2>../pin.err &&
	 spatch --very-quiet --no-includes --include-headers --no-show-diff -D report \
		--jobs 2 --sp-file $GET $(cat ../files) >../get.out 2>../get.err) &&
	cat pin.out get.out &&
	test ! -s pin.out && test ! -s get.out
'

test_done
