#!/bin/bash
# make plan on the real linux-source-6.12 and 6.1 (one run per tree, shared
# by every assertion).  Each asserted site was checked by reading the code,
# and is found by file, function and call (src_line), not by line number:
#   6.12 fs/fuse/dev.c   fuse_copy_fill() fills cs->pg from
#        iov_iter_get_pages2(), alloc_page() (splice write) or a pipe
#        buffer's page; fuse_copy_finish() drops it with put_page(cs->pg):
#        MIXED, needs a flag.  The local `page` holds the alloc_page() page
#        (stored in buf->page) and the GUP page (stored in cs->pg) on
#        different paths: the GUP page reaches put_page(cs->pg) only.
#   6.12 virt/kvm/kvm_main.c   hva_to_pfn_slow(): get_user_page_fast_only()
#        into wpage, put_page(page) drops the *first* page, then page =
#        wpage: wpage's page is turned into a pfn (page_to_pfn), which the
#        callers release with kvm_release_pfn_clean() ->
#        kvm_release_page_clean() (the pfn round trip within kvm_main.c).
#   6.12 drivers/infiniband/core/umem.c   ib_umem_get(): pin_user_pages_fast()
#        into page_list -> sg_alloc_append_table_from_pages() ->
#        __ib_umem_release(): for_each_sgtable_sg() +
#        unpin_user_page_range_dirty_lock(sg_page(sg)); error path
#        unpin_user_pages_dirty_lock(page_list): PINNED.
#   6.12 block/bio.c   __bio_iov_iter_get_pages(): iov_iter_extract_pages(),
#        leftovers dropped by bio_release_page(), which unpins only
#        BIO_PAGE_PINNED bios: PINNED.
#   6.12 drivers/misc/vmw_vmci/vmci_host.c   vmci_host_setup_notify():
#        get_user_pages_fast(&page) -> context->notify_page, kmap()ed ->
#        vmci_context.c vmci_ctx_unset_notify(): put_page(notify_page): CONVERT.
#   6.12 fs/nfs/direct.c   nfs_direct_read_schedule_iovec():
#        iov_iter_get_pages_alloc2() -> nfs_page_create_from_page() ->
#        nfs_page_assign_page() takes get_page() (pagelist.c) ->
#        nfs_direct_release_pages() put_page: EXTRA_REF.
#   6.12 net/9p/trans_virtio.c   p9_get_mapped_pages(chan, &pages, ...)
#        fills the caller's array through its *out parameter;
#        p9_release_pages() (trans_common.c) puts them; the iterator may be
#        a KVEC (vmalloc_to_page pages, no reference): MIXED.
#   6.1  drivers/virt/nitro_enclaves/ne_misc_dev.c, drivers/misc/vmw_vmci/
#        vmci_host.c and vmci_queue_pair.c: get_user_pages*() + put_page():
#        CONVERT.
. "$(dirname "$0")/lib.sh"

plan() { $PY "$PINCONV/scripts/plan.py"; }
T612=$(tree_612)
# at FILE FUNCTION TEXT: the 6.12 line of FILE holding TEXT in FUNCTION
at() { src_line "$T612" "$@"; }
# rel PLAN FILE LINE: "VERDICT origins" of the release at FILE:LINE
rel() {
	json_get "$1" "[(r[\"verdict\"], r[\"origins\"]) for r in j[\"releases\"] if r[\"file\"] == \"$2\" and r[\"line\"] == $3]"
}
# rel_acqs / rel_chain PLAN FILE LINE: the release's acquisitions, its chain's hops
rel_acqs() {
	json_get "$1" "[r[\"acquisitions\"] for r in j[\"releases\"] if r[\"file\"] == \"$2\" and r[\"line\"] == $3][0]"
}
rel_chain() {
	json_get "$1" "[c[\"what\"] for r in j[\"releases\"] if r[\"file\"] == \"$2\" and r[\"line\"] == $3 for c in r[\"chain\"]]"
}
acq_releases() {
	json_get "$1" "[a[\"releases\"] for a in j[\"acquisitions\"] if a[\"file\"] == \"$2\" and a[\"line\"] == $3][0]"
}

for ver in 6.12 6.1; do
	kdir=$("$PINCONV/scripts/default-tree.sh" $ver)
	test_expect_success "plan of linux-source-$ver: valid, every acquisition reached" "
		KDIR=$kdir OUT=out-$ver plan >stdout-$ver 2>stderr-$ver &&
		cat stdout-$ver &&
		\$PY \"\$PINCONV/scripts/schema/validate.py\" plan.schema.json out-$ver/plan.json &&
		json_get out-$ver/scan.json 'len(j[\"sites\"])' >nsites &&
		json_get out-$ver/plan.json 'len(j[\"acquisitions\"])' >nacq &&
		test_cmp nsites nacq &&
		json_get out-$ver/plan.json '[(a[\"file\"], a[\"line\"]) for a in j[\"acquisitions\"] if not a[\"releases\"] and not a.get(\"note\")]' >silent &&
		echo '[]' >expect && test_cmp expect silent &&
		json_get out-$ver/plan.json '[(a[\"file\"], a[\"line\"]) for a in j[\"acquisitions\"] if \"not seen by the fact rules\" in a.get(\"note\", \"\")]' >unseen &&
		test_cmp expect unseen
	"
done
P=out-6.12/plan.json
P61=out-6.1/plan.json

test_expect_success '6.12 fuse: put_page(cs->pg) in fuse_copy_finish is MIXED (GUP, alloc_page, pipe pages)' '
	put=$(at fs/fuse/dev.c fuse_copy_finish "put_page(cs->pg)") &&
	gup=$(at fs/fuse/dev.c fuse_copy_fill "iov_iter_get_pages2(") &&
	rel $P fs/fuse/dev.c $put >got && cat got &&
	grep "MIXED" got && grep "'\''gup'\''" got && grep "'\''alloc'\''" got && grep "'\''pipe'\''" got &&
	rel_acqs $P fs/fuse/dev.c $put | grep "fs/fuse/dev.c:$gup"
'

test_expect_success '6.12 fuse: the pages of fuse_copy_fill reach put_page(cs->pg) only (not the pipe buffer of the other path)' '
	acq_releases $P fs/fuse/dev.c $(at fs/fuse/dev.c fuse_copy_fill "iov_iter_get_pages2(") >got &&
	echo "['\''fs/fuse/dev.c:$(at fs/fuse/dev.c fuse_copy_finish "put_page(cs->pg)")'\'']" >expect &&
	test_cmp expect got
'

test_expect_success '6.12 kvm hva_to_pfn_slow: wpage is not released by the put_page(page) before page = wpage, but through its pfn' '
	l=$(at virt/kvm/kvm_main.c hva_to_pfn_slow "get_user_page_fast_only(addr, FOLL_WRITE, &wpage)") &&
	first=$(at virt/kvm/kvm_main.c hva_to_pfn_slow "put_page(page)") &&
	clean=$(at virt/kvm/kvm_main.c kvm_release_page_clean "put_page(") &&
	acq_releases $P virt/kvm/kvm_main.c $l >got &&
	echo "['\''virt/kvm/kvm_main.c:$clean'\'']" >expect && test_cmp expect got &&
	! rel_acqs $P virt/kvm/kvm_main.c $first | grep "kvm_main.c:$l" &&
	rel_chain $P virt/kvm/kvm_main.c $clean >chain &&
	grep "page_to_pfn" chain && grep "kvm_release_pfn_clean" chain
'

test_expect_success '6.12 umem: both releases of ib_umem_get pins are PINNED, the sg walk included' '
	u=drivers/infiniband/core/umem.c &&
	err=$(at $u ib_umem_get "unpin_user_pages_dirty_lock(") &&
	sg=$(at $u __ib_umem_release "unpin_user_page_range_dirty_lock(") &&
	acq_releases $P $u $(at $u ib_umem_get "pin_user_pages_fast(") >got &&
	echo "['\''$u:$err'\'', '\''$u:$sg'\'']" >expect &&
	test_cmp expect got &&
	rel $P $u $sg | grep "PINNED" &&
	rel $P $u $err | grep "PINNED"
'

test_expect_success '6.12 block/bio.c: iov_iter_extract_pages pages dropped by bio_release_page: PINNED' '
	r=$(at block/bio.c __bio_iov_iter_get_pages "bio_release_page(") &&
	acq_releases $P block/bio.c $(at block/bio.c __bio_iov_iter_get_pages "iov_iter_extract_pages(") |
		grep "block/bio.c:$r" &&
	rel $P block/bio.c $r | grep "PINNED"
'

test_expect_success '6.12 vmci notify page: CONVERT across two files, through context->notify_page' '
	r=$(at drivers/misc/vmw_vmci/vmci_context.c vmci_ctx_unset_notify "put_page(") &&
	acq_releases $P drivers/misc/vmw_vmci/vmci_host.c \
		$(at drivers/misc/vmw_vmci/vmci_host.c vmci_host_setup_notify "get_user_pages_fast(") >got &&
	echo "['\''drivers/misc/vmw_vmci/vmci_context.c:$r'\'']" >expect && test_cmp expect got &&
	rel $P drivers/misc/vmw_vmci/vmci_context.c $r | grep "CONVERT" &&
	rel_chain $P drivers/misc/vmw_vmci/vmci_context.c $r >chain &&
	grep "context->notify_page = page" chain
'

test_expect_success '6.12 nfs direct I/O: the request takes get_page() on the pages: EXTRA_REF' '
	r=$(at fs/nfs/direct.c nfs_direct_release_pages "put_page(") &&
	acq_releases $P fs/nfs/direct.c $(at fs/nfs/direct.c nfs_direct_read_schedule_iovec "iov_iter_get_pages_alloc2(") |
		grep "fs/nfs/direct.c:$r" &&
	rel $P fs/nfs/direct.c $r | grep "EXTRA_REF" &&
	rel_chain $P fs/nfs/direct.c $r | grep "getref: get_page(page)"
'

test_expect_success '6.12 9p: pages handed back through an out parameter, released as MIXED' '
	r=$(at net/9p/trans_common.c p9_release_pages "put_page(") &&
	acq_releases $P net/9p/trans_virtio.c $(at net/9p/trans_virtio.c p9_get_mapped_pages "iov_iter_get_pages_alloc2(") |
		grep "net/9p/trans_common.c:$r" &&
	rel $P net/9p/trans_common.c $r | grep "MIXED"
'

test_expect_success '6.1 nitro enclaves and vmci: get_user_pages + put_page are CONVERT' '
	for site in drivers/virt/nitro_enclaves/ne_misc_dev.c drivers/misc/vmw_vmci/vmci_host.c drivers/misc/vmw_vmci/vmci_queue_pair.c; do
		json_get $P61 "sorted(set(r[\"file\"] + \" \" + r[\"verdict\"] for a in j[\"acquisitions\"] if a[\"file\"] == \"$site\" for r in j[\"releases\"] if \"%s:%d\" % (r[\"file\"], r[\"line\"]) in a[\"releases\"]))" >got &&
		cat got && grep CONVERT got && ! grep -v CONVERT got | grep -E "MIXED|UNKNOWN|MISMATCH" || return 1
	done
'

test_expect_success 'no release in either tree is CONVERT while its pages are used only as metadata' '
	for p in $P $P61; do
		json_get $p "[(r[\"file\"], r[\"line\"]) for r in j[\"releases\"] if r[\"verdict\"] == \"CONVERT\" and set(r.get(\"uses\", [])) == {\"meta\"}]" >got &&
		echo "[]" >expect && test_cmp expect got || return 1
	done
'
test_done
