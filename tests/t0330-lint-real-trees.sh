#!/bin/bash
# make lint over the whole of linux-source-6.1, through the real pipeline
# (6.12's whole-tree run is t0320's first step, on a git copy of it).
# Every error-level finding was read by hand and is recorded below as a
# real bug or a false positive, with the reason; the test fails
# when lint reports an error not in the record, or stops reporting one.
# Also: the JSON validates, the SARIF is well formed, the exit status says
# whether there are errors, and the trees are not written to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint-lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN

# The record (check_record in lint-lib.sh): "file function call REAL|FP
# hash reason", one a finding; hash is the function's text as read.
# (6.12's whole-tree run and record are in t0320, on a git copy of the
# same tree.)
RECORD_61='
drivers/misc/bcm-vk/bcm_vk_sg.c bcm_vk_dma_alloc __free_page REAL 590329b45bad get_user_pages_fast() pages freed with __free_page() on a dma_map_page() error (must be put_page(); the other pages leak)
drivers/misc/bcm-vk/bcm_vk_sg.c bcm_vk_dma_alloc __free_page REAL 590329b45bad same function, same bug in the loop
drivers/staging/media/atomisp/pci/hmm/hmm_bo.c free_pages_bulk_array __free_pages FP 2d5884c942bb free_pages_bulk_array() only for HMM_BO_PRIVATE (allocated) buffers; HMM_BO_USER pages go to free_user_pages() and put_page()
drivers/virt/acrn/vm.c acrn_vm_destroy put_page REAL 46b74bb55ef2 monitor_page is pinned (pin_user_pages_fast FOLL_LONGTERM in hsm.c acrn_dev_ioctl(), which unpins the page it replaces) but acrn_vm_destroy() drops it with put_page()
net/rds/ib_rdma.c __rds_ib_teardown_mr put_page REAL 48bf53bbe77f rds_pin_pages() (rdma.c) pins with pin_user_pages_fast(); the pages reach the sg list of the MR through rs->rs_transport->get_mr() and the teardown drops them with set_page_dirty() + put_page() (6.12 unpins them)
mm/gup.c migrate_longterm_unpinnable_pages unpin_user_page FP 716cb4059209 reached only with FOLL_LONGTERM, which requires FOLL_PIN (is_valid_gup_flags()); flag-insensitive
mm/gup.c migrate_longterm_unpinnable_pages unpin_user_page FP 716cb4059209 same function, same FOLL_LONGTERM-implies-FOLL_PIN reason
mm/gup.c undo_dev_pagemap unpin_user_page FP 6e66124d02bc undo_dev_pagemap() unpins only "if (flags & FOLL_PIN)", else put_page(); flag-insensitive
'

validate() {
	$PY "$PINCONV/scripts/schema/validate.py" lint.schema.json "$1"
}

for ver in 6.1; do
	tree=$("$PINCONV/scripts/default-tree.sh" $ver)
	record=RECORD_${ver/./}
	test_expect_success "whole-tree lint of $ver: exit status says whether there are errors" '
		test -f "$PINCONV/scripts/plan.py" &&
		touch stamp.$ver &&
		KDIR=$tree FORMAT=json $LINT >lint.$ver.json 2>err.$ver; rc=$?
		cat err.$ver
		errors=$(json_get lint.$ver.json "j[\"summary\"][\"errors\"]") &&
		if [ "$errors" -gt 0 ]; then test $rc = 1; else test $rc = 0; fi &&
		validate lint.$ver.json
	'
	test_expect_success "$ver: every error-level finding is recorded as a real bug or a false positive" '
		check_record lint.$ver.json "${!record}" "$tree" "linux-source-$ver $(tree_pkg_version $ver)"
	'
	test_expect_success "$ver: the SARIF of the same run has one result per finding, relative URIs" '
		sarif=$(ls "$PINCONV_REPORTS"/linux-source-$ver-*/lint.sarif) &&
		test "$(json_get $sarif "len(j[\"runs\"][0][\"results\"])")" = \
		     "$(json_get lint.$ver.json "len(j[\"findings\"])")" &&
		test "$(json_get $sarif "sum(1 for r in j[\"runs\"][0][\"results\"] for l in r[\"locations\"] if l[\"physicalLocation\"][\"artifactLocation\"][\"uri\"].startswith(\"/\"))")" = 0
	'
	test_expect_success "$ver: scripts/pinconv lint exits exactly 1 with the same errors (the plan reused)" '
		"$PINCONV/scripts/pinconv" lint --kdir "$tree" --format json >cli.$ver.json 2>cli.$ver.err; rc=$?
		cat cli.$ver.err; test $rc = 1 &&
		grep "tree unchanged since the last plan, reusing" cli.$ver.err &&
		test_cmp lint.$ver.json cli.$ver.json
	'
	test_expect_success "$ver: lint wrote nothing into the tree" '
		find "$tree" -newer stamp.$ver >new.$ver &&
		cat new.$ver && test ! -s new.$ver
	'
done

test_done
