#!/bin/bash
# make lint on a git copy of the real 6.12 tree, through the real pipeline
# (lint.py runs scripts/plan.py).  First the copy as it is: the whole-tree
# run on linux-source-6.12, every error-level finding read by hand and
# recorded below as a real bug or a false positive (6.1's is in t0330).
# Then wrong releases planted in copies of real kernel files are caught,
# each with its chain; SINCE sees only them; a baseline of the pristine
# tree hides everything else, also where code moved.  Every site is found
# by file, function and call (src_line), never by a line number.
#
# The plants, by kind of path:
#   M1 pinned,   struct field:            dfl-afu-dma-region.c: region->pages
#      pinned in afu_dma_pin_pages(), afu_dma_unpin_pages() now release_pages()
#   M2 pinned,   helper in another file:  io_uring/memmap.c io_pin_pages()
#      pins, kbuf.c io_pin_pbuf_ring()'s unwind now release_pages()
#   M3 FOLL_GET, struct field:            qaic_control.c: page_list from
#      get_user_pages_fast() in find_and_map_user_pages() kept in
#      xfer->page_list, the teardown free_dma_xfers() now unpin_user_page()
#   M4 FOLL_GET, helper in another file:  find_and_map_user_pages()'s unwind
#      calls a new qaic_release_user_page() in qaic_drv.c that unpins
#   M5 FOLL_GET, struct field across files: vmci_host_setup_notify()
#      get_user_pages_fast() into context->notify_page, vmci_context.c
#      vmci_ctx_unset_notify() unpins
#
#   and, in the same commit, three lines added at the top of bcm_vk_sg.c and
#   acrn/vm.c (pristine findings whose lines move)
#
# Costs two plan runs on 6.12 (the pristine and the planted copy; the
# second reuses the per-file fact cache).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint-lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
export GIT_CEILING_DIRECTORIES=$TRASH
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN

# has_error FILE LINE [HOP...]: lint.json lists a MISMATCH error at
# FILE:LINE whose chain has every HOP (file:line).
has_error() {
	$PY - "$@" <<-\EOF
	import json, sys
	f, line, hops = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
	j = json.load(open("mut.json"))
	hit = [x for x in j["findings"] if x["rule"] == "pinconv-MISMATCH"
	       and x["level"] == "error" and x["file"] == f and x["line"] == line]
	assert len(hit) == 1, "no single MISMATCH error at %s:%d: %r" % (f, line, hit)
	chain = ["%s:%d" % (h["file"], h["line"]) for h in hit[0]["chain"]]
	print("chain:", " -> ".join(chain))
	for h in hops:
	    assert h in chain, "%s not in the chain" % h
	EOF
}

# The 6.12 record (check_record in lint-lib.sh): "file function call
# REAL|FP hash reason", one a finding; hash is the function's text as read.
RECORD_612='
drivers/misc/bcm-vk/bcm_vk_sg.c bcm_vk_dma_alloc __free_page REAL 590329b45bad get_user_pages_fast() pages freed with __free_page() on a dma_map_page() error (must be put_page(); the other pages leak)
drivers/misc/bcm-vk/bcm_vk_sg.c bcm_vk_dma_alloc __free_page REAL 590329b45bad same function, same bug in the loop
drivers/virt/acrn/vm.c acrn_vm_destroy put_page REAL 46b74bb55ef2 monitor_page is pinned (pin_user_pages_fast FOLL_LONGTERM in hsm.c acrn_dev_ioctl(), which unpins the page it replaces) but acrn_vm_destroy() drops it with put_page()
'
T612=$(tree_612)

test_expect_success 'the provenance engine is there (scripts/plan.py)' '
	test -f "$PINCONV/scripts/plan.py"
'

test_expect_success 'setup: a git copy of 6.12, linted as it is' '
	scratch_tree 6.12 linux &&
	(cd linux && git status --porcelain >../status && test ! -s ../status) &&
	touch stamp &&
	KDIR=linux FORMAT=json $LINT >base.json 2>base.err; rc=$?
	cat base.err &&
	errors=$(json_get base.json "j[\"summary\"][\"errors\"]") &&
	if [ "$errors" -gt 0 ]; then test $rc = 1; else test $rc = 0; fi &&
	$PY "$PINCONV/scripts/schema/validate.py" lint.schema.json base.json &&
	KDIR=linux BASELINE=$TRASH/baseline.json $LINT --write-baseline
'

test_expect_success '6.12 as it is: every error-level finding is recorded as a real bug or a false positive' '
	check_record base.json "$RECORD_612" linux "linux-source-6.12 $(tree_pkg_version 6.12)"
'

test_expect_success '6.12 as it is: lint wrote nothing into the tree' '
	find linux -path linux/.git -prune -o -newer stamp -print >new &&
	cat new && test ! -s new
'

test_expect_success 'setup: plant five wrong releases and commit them' '
	# Every line the plants and the checks name, found before planting
	# (a plant replaces text within its line: no line moves).
	q=drivers/accel/qaic/qaic_control.c v=drivers/misc/vmw_vmci &&
	{ echo "M1=$(src_line linux drivers/fpga/dfl-afu-dma-region.c afu_dma_unpin_pages "unpin_user_pages(")" &&
	  echo "M1_PIN=$(src_line linux drivers/fpga/dfl-afu-dma-region.c afu_dma_pin_pages "pin_user_pages_fast(")" &&
	  echo "M2=$(src_line linux io_uring/kbuf.c io_pin_pbuf_ring "unpin_user_pages(")" &&
	  echo "M2_CALL=$(src_line linux io_uring/kbuf.c io_pin_pbuf_ring "io_pin_pages(")" &&
	  echo "M2_PIN=$(src_line linux io_uring/memmap.c io_pin_pages "pin_user_pages_fast(")" &&
	  echo "M3=$(src_line linux $q free_dma_xfers "put_page(")" &&
	  echo "M3_GUP=$(src_line linux $q find_and_map_user_pages "get_user_pages_fast(")" &&
	  echo "M3_STORE=$(src_line linux $q find_and_map_user_pages "xfer->page_list = page_list")" &&
	  echo "M4=$(src_line linux $q find_and_map_user_pages "put_page(page_list[i])")" &&
	  echo "M5=$(src_line linux $v/vmci_context.c vmci_ctx_unset_notify "put_page(")" &&
	  echo "M5_GUP=$(src_line linux $v/vmci_host.c vmci_host_setup_notify "get_user_pages_fast(")" &&
	  echo "M5_STORE=$(src_line linux $v/vmci_host.c vmci_host_setup_notify "context->notify_page = page")"
	} >lines && cat lines && ! grep "=$" lines && . ./lines &&
	(cd linux &&
	 plant drivers/fpga/dfl-afu-dma-region.c $M1 unpin_user_pages release_pages &&
	 plant io_uring/kbuf.c $M2 unpin_user_pages release_pages &&
	 plant $q $M3 put_page unpin_user_page &&
	 plant $q $M4 put_page qaic_release_user_page &&
	 { cat drivers/accel/qaic/qaic_drv.c &&
	   printf "\nvoid qaic_release_user_page(struct page *page)\n{\n\tunpin_user_page(page);\n}\n"; } >drv.new &&
	 mv drv.new drivers/accel/qaic/qaic_drv.c &&
	 plant $v/vmci_context.c $M5 put_page unpin_user_page &&
	 for f in drivers/misc/bcm-vk/bcm_vk_sg.c drivers/virt/acrn/vm.c; do
		{ printf "/*\n * moved\n */\n"; cat $f; } >$f.new && mv $f.new $f || exit 1
	 done &&
	 git_commit -am "plant five pin/put mismatches, move two files down 3 lines") &&
	grep -n "^	unpin_user_page(page);" linux/drivers/accel/qaic/qaic_drv.c | cut -d: -f1 >helper.line &&
	test -s helper.line &&
	test_must_fail env KDIR=linux FORMAT=json $LINT >mut.json 2>mut.err;
	cat mut.err; test -s mut.json
'

test_expect_success 'M1: pinned pages in a struct field released by release_pages()' '
	. ./lines && has_error drivers/fpga/dfl-afu-dma-region.c $M1 drivers/fpga/dfl-afu-dma-region.c:$M1_PIN
'

test_expect_success 'M2: pages pinned by a helper in another file released by release_pages()' '
	. ./lines && has_error io_uring/kbuf.c $M2 io_uring/kbuf.c:$M2_CALL io_uring/memmap.c:$M2_PIN
'

test_expect_success 'M3: FOLL_GET pages in a struct field unpinned' '
	. ./lines && has_error drivers/accel/qaic/qaic_control.c $M3 drivers/accel/qaic/qaic_control.c:$M3_GUP drivers/accel/qaic/qaic_control.c:$M3_STORE
'

test_expect_success 'M4: FOLL_GET pages unpinned by a helper in another file' '
	. ./lines && has_error drivers/accel/qaic/qaic_drv.c $(cat helper.line) drivers/accel/qaic/qaic_control.c:$M3_GUP drivers/accel/qaic/qaic_control.c:$M4
'

test_expect_success 'M5: FOLL_GET page in a struct field unpinned in another file' '
	. ./lines && has_error drivers/misc/vmw_vmci/vmci_context.c $M5 drivers/misc/vmw_vmci/vmci_host.c:$M5_GUP drivers/misc/vmw_vmci/vmci_host.c:$M5_STORE
'

test_expect_success 'the planted tree has the pristine errors (same fingerprints, moved or not) plus the five' '
	$PY - <<-\EOF
	import json
	def errs(p):
	    return {f["fingerprint"]: f for f in json.load(open(p))["findings"] if f["level"] == "error"}
	base, mut = errs("base.json"), errs("mut.json")
	new = sorted(mut[k]["file"] for k in set(mut) - set(base))
	print("new:", new, "gone:", sorted(base[k]["file"] for k in set(base) - set(mut)))
	assert new == sorted(["drivers/fpga/dfl-afu-dma-region.c", "io_uring/kbuf.c",
	    "drivers/accel/qaic/qaic_control.c", "drivers/accel/qaic/qaic_drv.c",
	    "drivers/misc/vmw_vmci/vmci_context.c"]), new
	assert set(base) <= set(mut)
	EOF
'

test_expect_success 'gcc format: each planted error is followed by its chain as notes' '
	test_must_fail env KDIR=linux $LINT >mut.txt 2>/dev/null &&
	. ./lines &&
	grep -A20 "^drivers/accel/qaic/qaic_control.c:$M3:[0-9]*: error: .*\[pinconv-MISMATCH\]$" mut.txt >m3 &&
	grep "^drivers/accel/qaic/qaic_control.c:$M3_GUP: note: " m3
'

test_expect_success 'a second lint of the unchanged tree reuses the plan and says the same' '
	test_must_fail env KDIR=linux FORMAT=json $LINT >again.json 2>again.err &&
	grep "tree unchanged since the last plan, reusing" again.err &&
	test_cmp mut.json again.json
'

test_expect_success 'SINCE=HEAD~1 reports the five planted errors and nothing else' '
	test_must_fail env KDIR=linux SINCE=HEAD~1 FORMAT=json $LINT >since.json 2>/dev/null &&
	$PY - <<-\EOF
	import json
	def errs(p):
	    return {f["fingerprint"]: "%s:%d" % (f["file"], f["line"])
	            for f in json.load(open(p))["findings"] if f["level"] == "error"}
	since, mut, base = errs("since.json"), errs("mut.json"), errs("base.json")
	new = set(mut) - set(base)
	print("since:", sorted(since.values()))
	assert set(since) == new and len(since) == 5, (sorted(since.values()), sorted(mut[k] for k in new))
	EOF
'

test_expect_success 'SINCE=HEAD on the committed tree reports nothing, exit 0' '
	KDIR=linux SINCE=HEAD $LINT >out 2>/dev/null &&
	test ! -s out
'

test_expect_success 'the CI example lints the change since its base and leaves SARIF' '
	out=$(ls -d "$PINCONV_REPORTS"/linux-*) &&
	test_must_fail env -C linux SINCE=$(git -C linux rev-parse HEAD~1) PINCONV=$PINCONV OUT=$out \
		"$PINCONV/scripts/ci-example/pinconv-lint.sh" >ci.out 2>ci.err &&
	cat ci.err &&
	test "$(grep -c "error: .*\[pinconv-MISMATCH\]$" ci.out)" = 5 &&
	test "$(json_get $out/lint.sarif "sum(r[\"level\"] == \"error\" for r in j[\"runs\"][0][\"results\"])")" = 5 &&
	env -C linux SINCE=0000000000000000000000000000000000000000 PINCONV=$PINCONV OUT=$out \
		"$PINCONV/scripts/ci-example/pinconv-lint.sh" >ci2.out 2>ci2.err;
	grep "linting the whole tree" ci2.err &&
	test "$(grep -c "error: " ci2.out)" -ge 5
'

test_expect_success 'the pristine baseline hides everything but the five, also where lines moved' '
	test_must_fail env KDIR=linux BASELINE=$TRASH/baseline.json FORMAT=json $LINT >bl.json 2>bl.err &&
	cat bl.err &&
	test "$(json_get bl.json "sorted(f[\"file\"] for f in j[\"findings\"] if f[\"level\"] == \"error\")")" = \
	     "['"'"'drivers/accel/qaic/qaic_control.c'"'"', '"'"'drivers/accel/qaic/qaic_drv.c'"'"', '"'"'drivers/fpga/dfl-afu-dma-region.c'"'"', '"'"'drivers/misc/vmw_vmci/vmci_context.c'"'"', '"'"'io_uring/kbuf.c'"'"']" &&
	test "$(json_get bl.json "j[\"summary\"][\"warnings\"]")" = 0
'

test_expect_success 'the cached 6.12 tree was not touched' '
	grep -q "^	unpin_user_pages(region->pages, npages);" "$(tree_612)/drivers/fpga/dfl-afu-dma-region.c" &&
	grep -q "^		put_page(notify_page);" "$(tree_612)/drivers/misc/vmw_vmci/vmci_context.c" &&
	! grep -q qaic_release_user_page "$(tree_612)/drivers/accel/qaic/qaic_drv.c"
'

test_done
