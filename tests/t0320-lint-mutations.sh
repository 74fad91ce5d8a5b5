#!/bin/bash
# make lint on a git copy of the real 6.12 tree, through the real pipeline
# (lint.py runs scripts/plan.py): wrong releases planted in copies of real
# kernel files are caught, each with its chain; SINCE sees only them;
# a baseline of the pristine tree hides everything else.
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

test_expect_success 'the provenance engine is there (scripts/plan.py)' '
	test -f "$PINCONV/scripts/plan.py"
'

test_expect_success 'setup: a git copy of 6.12, linted as it is' '
	scratch_tree 6.12 linux &&
	(cd linux && git status --porcelain >../status && test ! -s ../status) &&
	KDIR=linux FORMAT=json $LINT >base.json 2>base.err; rc=$?
	cat base.err && test $rc -le 1 &&
	KDIR=linux BASELINE=$TRASH/baseline.json $LINT --write-baseline
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
	 git_commit -am "plant five pin/put mismatches") &&
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

test_expect_success 'the planted tree has exactly the pristine errors plus the five' '
	$PY - <<-\EOF
	import json
	def errs(p):
	    return {(f["file"], f["line"]) for f in json.load(open(p))["findings"] if f["level"] == "error"}
	base, mut = errs("base.json"), errs("mut.json")
	new = sorted(mut - base)
	print("new:", new, "gone:", sorted(base - mut))
	assert [f for f, _ in new] == sorted(["drivers/fpga/dfl-afu-dma-region.c", "io_uring/kbuf.c",
	    "drivers/accel/qaic/qaic_control.c", "drivers/accel/qaic/qaic_drv.c",
	    "drivers/misc/vmw_vmci/vmci_context.c"]), new
	assert base <= mut
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
	    return {(f["file"], f["line"]) for f in json.load(open(p))["findings"] if f["level"] == "error"}
	since, new = errs("since.json"), errs("mut.json") - errs("base.json")
	print("since:", sorted(since))
	assert since == new and len(since) == 5, (sorted(since), sorted(new))
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

test_expect_success 'the pristine baseline hides everything but the five, also after lines move' '
	(cd linux && for f in drivers/fpga/dfl-afu-dma-region.c drivers/misc/vmw_vmci/vmci_context.c; do
		{ printf "/*\n * moved\n */\n"; cat $f; } >$f.new && mv $f.new $f || exit 1
	 done) &&
	test_must_fail env KDIR=linux BASELINE=$TRASH/baseline.json FORMAT=json $LINT >bl.json 2>/dev/null &&
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
