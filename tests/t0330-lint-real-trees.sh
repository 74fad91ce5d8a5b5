#!/bin/bash
# make lint over the whole of linux-source-6.12 and 6.1, through the real
# pipeline.  Every error-level finding was read by hand and is recorded
# below as a real bug or a false positive, with the reason; the test fails
# when lint reports an error not in the record, or stops reporting one.
# Also: the JSON validates, the SARIF is well formed, the exit status says
# whether there are errors, and the trees are not written to.
. "$(dirname "$0")/lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN

# The record: "file:line call verdict-of-the-reader reason", one a line.
RECORD_612='
block/blk-map.c:194 __free_page FP only "if (!map_data)": st.c pinned mapped_pages come in through map_data and are never freed here (path-insensitive)
drivers/accel/qaic/qaic_data.c:587 __free_pages FP qaic_free_sgt() frees qaic own alloc_pages() sg pages; the chain joins every sg list of the tree through sg_next()
drivers/dma-buf/heaps/system_heap.c:409 __free_pages FP the heap own pages from alloc_pages(); joined to GUP pages only through sg_next()
drivers/infiniband/hw/qib/qib_user_sdma.c:323 __free_page FP the "put" flag picks unpin_user_page() for pinned pages; __free_page() is the coalesce case (own page)
drivers/infiniband/hw/qib/qib_user_sdma.c:631 __free_page FP pkt->addr[i].put_page picks unpin_user_page(); __free_page() only for qib own pages
drivers/misc/bcm-vk/bcm_vk_sg.c:113 __free_page REAL get_user_pages_fast() pages freed with __free_page() on a dma_map_page() error (must be put_page(); the other pages leak)
drivers/misc/bcm-vk/bcm_vk_sg.c:126 __free_page REAL same function, same bug in the loop
drivers/mmc/core/mmc_test.c:322 __free_pages FP the test own alloc_pages(); joined to GUP pages only through sg_next()
drivers/vdpa/vdpa_user/iova_domain.c:367 put_page FP drops the get_page() taken at iova_domain.c:318 on the pinned page; vduse_dev.c unpins its pin separately
fs/exec.c:341 __free_page FP the !CONFIG_MMU free_arg_page() frees its own alloc_page(); the GUP page is the CONFIG_MMU get_arg_page() of the same name
io_uring/memmap.c:113 put_page FP put_pages is false for pinned rings (kbuf.c:431 unpins them first); only IOBL_MMAP (allocated) pages are put here
net/ceph/pagevec.c:31 __free_pages FP ceph_release_page_vector() runs only for own_pages; addr.c passes own_pages=false for the iov_iter_get_pages_alloc2() pages
'
RECORD_61='
block/blk-map.c:192 __free_page FP only "if (!map_data)": st.c pinned mapped_pages come in through map_data and are never freed here (path-insensitive)
drivers/infiniband/hw/qib/qib_user_sdma.c:324 __free_page FP the "put" flag picks unpin_user_page() for pinned pages; __free_page() is the coalesce case (own page)
drivers/infiniband/hw/qib/qib_user_sdma.c:636 __free_page FP pkt->addr[i].put_page picks unpin_user_page(); __free_page() only for qib own pages
drivers/misc/bcm-vk/bcm_vk_sg.c:113 __free_page REAL get_user_pages_fast() pages freed with __free_page() on a dma_map_page() error (must be put_page(); the other pages leak)
drivers/misc/bcm-vk/bcm_vk_sg.c:126 __free_page REAL same function, same bug in the loop
drivers/staging/media/atomisp/pci/hmm/hmm_bo.c:623 __free_pages FP free_pages_bulk_array() only for HMM_BO_PRIVATE (allocated) buffers; HMM_BO_USER pages go to free_user_pages() and put_page()
drivers/tee/tee_shm.c:21 put_page FP TEE_SHM_USER_MAPPED pages are unpinned; shm_put_kernel_pages() only puts the get_page() kernel pages
drivers/vdpa/vdpa_user/iova_domain.c:277 __free_page FP vduse_destroy_dev() deregisters the user pages (put, then unpinned) before the domain frees its own bounce pages
drivers/vdpa/vdpa_user/iova_domain.c:320 __free_page FP frees the kernel head_page being replaced, not the pinned user page
drivers/vdpa/vdpa_user/vduse_dev.c:982 unpin_user_pages_dirty_lock FP dev->umem->pages come from pin_user_pages(); the chain starts at ublk iter.pages, another struct joined by field name
fs/exec.c:329 __free_page FP the !CONFIG_MMU free_arg_page() frees its own alloc_page(); the GUP page is the CONFIG_MMU get_arg_page() of the same name
fs/fuse/cuse.c:410 __free_page FP the init reply page is cuse own alloc_page() (cuse_send_init); joined to fuse direct I/O pages through fuse_args_pages.pages
fs/fuse/file.c:1703 __free_page FP fuse_writepage_free() frees the writeback copies fuse allocated; joined through fuse_args_pages.pages
fs/smb/client/misc.c:1151 put_page FP ctx->bv pages come from iov_iter_get_pages_alloc2() (references), so put_page() is right; the pin chain is io_uring bvecs joined through bio_vec.bv_page
mm/gup.c:2058 unpin_user_page FP reached only with FOLL_LONGTERM, which requires FOLL_PIN (is_valid_gup_flags()); flag-insensitive
mm/gup.c:2083 unpin_user_page FP same function, same FOLL_LONGTERM-implies-FOLL_PIN reason
net/ceph/pagevec.c:31 __free_pages FP ceph_release_page_vector() runs only for own_pages; the chain reaches it through vmf->page and writepage, pages ceph allocated
'

# check_record JSON RECORD: the errors in JSON are exactly the record's.
check_record() {
	$PY - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	got = sorted("%s:%d %s" % (f["file"], f["line"], f["call"])
	             for f in j["findings"] if f["level"] == "error")
	rec = [l.split() for l in sys.argv[2].splitlines() if l.strip()]
	assert all(r[2] in ("REAL", "FP") for r in rec), "record lines need REAL or FP"
	want = sorted("%s %s" % (r[0], r[1]) for r in rec)
	print("errors:", len(got), "recorded:", len(want),
	      "false positives:", sum(r[2] == "FP" for r in rec))
	for g in sorted(set(got) - set(want)):
	    print("not recorded:", g)
	for w in sorted(set(want) - set(got)):
	    print("recorded, not reported:", w)
	assert got == want
	EOF
}

validate() {
	$PY "$PINCONV/scripts/schema/validate.py" lint.schema.json "$1"
}

for ver in 6.12 6.1; do
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
		check_record lint.$ver.json "${!record}"
	'
	test_expect_success "$ver: the SARIF of the same run has one result per finding, relative URIs" '
		sarif=$(ls "$PINCONV_REPORTS"/linux-source-$ver-*/lint.sarif) &&
		test "$(json_get $sarif "len(j[\"runs\"][0][\"results\"])")" = \
		     "$(json_get lint.$ver.json "len(j[\"findings\"])")" &&
		test "$(json_get $sarif "sum(1 for r in j[\"runs\"][0][\"results\"] for l in r[\"locations\"] if l[\"physicalLocation\"][\"artifactLocation\"][\"uri\"].startswith(\"/\"))")" = 0
	'
	test_expect_success "$ver: lint wrote nothing into the tree" '
		find "$tree" -newer stamp.$ver >new.$ver &&
		cat new.$ver && test ! -s new.$ver
	'
done

test_done
