#!/bin/bash
# make lint on a git copy of the real 6.12 tree, through the real pipeline
# (lint.py runs scripts/plan.py).  First the copy as it is: the whole-tree
# run on linux-source-6.12, every error-level finding read by hand and
# recorded below as a real bug or a false positive (6.1's is in t0330).
# Then wrong releases planted in copies of real kernel files are caught,
# each with its chain; SINCE sees only them; a baseline of the pristine
# tree hides everything else, also where code moved.
#
# The plants, by kind of path:
#   M1 pinned,   struct field:            dfl-afu-dma-region.c: region->pages
#      pinned at 51, afu_dma_unpin_pages() at 88 now release_pages()
#   M2 pinned,   helper in another file:  io_uring/memmap.c io_pin_pages()
#      pins, kbuf.c io_register_pbuf_ring()'s unwind at 675 now release_pages()
#   M3 FOLL_GET, struct field:            qaic_control.c: page_list from
#      get_user_pages_fast() at 434 kept in xfer->page_list (462), the
#      teardown at 334 now unpin_user_page()
#   M4 FOLL_GET, helper in another file:  qaic_control.c's unwind at 473
#      calls a new qaic_release_user_page() in qaic_drv.c that unpins
#   M5 FOLL_GET, struct field across files: vmci_host.c get_user_pages_fast()
#      at 247 into context->notify_page (251), vmci_context.c at 590 unpins
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

# The 6.12 record: "file:line call REAL|FP reason", one a line.
RECORD_612='
drivers/misc/bcm-vk/bcm_vk_sg.c:113 __free_page REAL get_user_pages_fast() pages freed with __free_page() on a dma_map_page() error (must be put_page(); the other pages leak)
drivers/misc/bcm-vk/bcm_vk_sg.c:126 __free_page REAL same function, same bug in the loop
drivers/virt/acrn/vm.c:85 put_page REAL monitor_page is pinned (pin_user_pages_fast FOLL_LONGTERM, hsm.c:346, replaced with unpin_user_page at hsm.c:362) but acrn_vm_destroy() drops it with put_page()
'

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
	check_record base.json "$RECORD_612"
'

test_expect_success '6.12 as it is: lint wrote nothing into the tree' '
	find linux -path linux/.git -prune -o -newer stamp -print >new &&
	cat new && test ! -s new
'

test_expect_success 'setup: plant five wrong releases and commit them' '
	(cd linux &&
	 plant drivers/fpga/dfl-afu-dma-region.c 88 unpin_user_pages release_pages &&
	 plant io_uring/kbuf.c 675 unpin_user_pages release_pages &&
	 plant drivers/accel/qaic/qaic_control.c 334 put_page unpin_user_page &&
	 plant drivers/accel/qaic/qaic_control.c 473 put_page qaic_release_user_page &&
	 { cat drivers/accel/qaic/qaic_drv.c &&
	   printf "\nvoid qaic_release_user_page(struct page *page)\n{\n\tunpin_user_page(page);\n}\n"; } >drv.new &&
	 mv drv.new drivers/accel/qaic/qaic_drv.c &&
	 plant drivers/misc/vmw_vmci/vmci_context.c 590 put_page unpin_user_page &&
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
	has_error drivers/fpga/dfl-afu-dma-region.c 88 drivers/fpga/dfl-afu-dma-region.c:51
'

test_expect_success 'M2: pages pinned by a helper in another file released by release_pages()' '
	has_error io_uring/kbuf.c 675 io_uring/kbuf.c:641 io_uring/memmap.c:$(grep -n "pin_user_pages_fast(" linux/io_uring/memmap.c | cut -d: -f1)
'

test_expect_success 'M3: FOLL_GET pages in a struct field unpinned' '
	has_error drivers/accel/qaic/qaic_control.c 334 drivers/accel/qaic/qaic_control.c:434 drivers/accel/qaic/qaic_control.c:462
'

test_expect_success 'M4: FOLL_GET pages unpinned by a helper in another file' '
	has_error drivers/accel/qaic/qaic_drv.c $(cat helper.line) drivers/accel/qaic/qaic_control.c:434 drivers/accel/qaic/qaic_control.c:473
'

test_expect_success 'M5: FOLL_GET page in a struct field unpinned in another file' '
	has_error drivers/misc/vmw_vmci/vmci_context.c 590 drivers/misc/vmw_vmci/vmci_host.c:247 drivers/misc/vmw_vmci/vmci_host.c:251
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
	grep -A20 "^drivers/accel/qaic/qaic_control.c:334:[0-9]*: error: .*\[pinconv-MISMATCH\]$" mut.txt >m3 &&
	grep "^drivers/accel/qaic/qaic_control.c:434: note: " m3
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
