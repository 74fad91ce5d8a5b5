#!/bin/bash
# make plan on the real linux-source-6.12 and 6.1 (one run per tree, shared
# by every assertion).  Each asserted site was checked by reading the code:
#   6.12 fs/fuse/dev.c   fuse_copy_fill() fills cs->pg from
#        iov_iter_get_pages2() (l. 788), alloc_page() (l. 771, splice
#        write) or a pipe buffer's page (l. 762); fuse_copy_finish() drops
#        it with put_page(cs->pg) (l. 733): MIXED, needs a flag.  The
#        local `page` holds the alloc_page() page (l. 771, stored in
#        buf->page l. 775) and the GUP page (l. 788, stored in cs->pg
#        l. 794) on different paths: the GUP page reaches l. 733 only.
#   6.12 virt/kvm/kvm_main.c   hva_to_pfn_slow(): get_user_page_fast_only()
#        into wpage (l. 2866), put_page(page) drops the *first* page (l.
#        2868), then page = wpage: wpage's page is only turned into a pfn
#        (page_to_pfn, l. 2872); the caller releases the pfn.
#   6.12 drivers/infiniband/core/umem.c   pin_user_pages_fast() into
#        page_list (l. 235) -> sg_alloc_append_table_from_pages() ->
#        __ib_umem_release(): for_each_sgtable_sg() +
#        unpin_user_page_range_dirty_lock(sg_page(sg)) (l. 59); error path
#        unpin_user_pages_dirty_lock(page_list) (l. 252): PINNED.
#   6.12 block/bio.c   __bio_iov_iter_get_pages(): iov_iter_extract_pages()
#        (l. 1357), leftovers dropped by bio_release_page() (l. 1405),
#        which unpins only BIO_PAGE_PINNED bios: PINNED.
#   6.12 drivers/misc/vmw_vmci/vmci_host.c   get_user_pages_fast(&page)
#        (l. 247) -> context->notify_page, kmap()ed -> vmci_context.c
#        vmci_ctx_unset_notify(): put_page(notify_page) (l. 590): CONVERT.
#   6.12 fs/nfs/direct.c   iov_iter_get_pages_alloc2() (l. 362) ->
#        nfs_page_create_from_page() -> nfs_page_assign_page() takes
#        get_page() (pagelist.c l. 420) -> nfs_direct_release_pages()
#        put_page (l. 172): EXTRA_REF.
#   6.12 net/9p/trans_virtio.c   p9_get_mapped_pages(chan, &pages, ...)
#        fills the caller's array through its *out parameter (l. 333);
#        p9_release_pages() (trans_common.c l. 22) puts them; the iterator
#        may be a KVEC (vmalloc_to_page pages, no reference): MIXED.
#   6.1  drivers/virt/nitro_enclaves/ne_misc_dev.c, drivers/misc/vmw_vmci/
#        vmci_host.c and vmci_queue_pair.c: get_user_pages*() + put_page():
#        CONVERT.
. "$(dirname "$0")/lib.sh"

plan() { /usr/bin/python3 "$PINCONV/scripts/plan.py"; }
# rel PLAN FILE LINE: "VERDICT origins" of the release at FILE:LINE
rel() {
	json_get "$1" "[(r[\"verdict\"], r[\"origins\"]) for r in j[\"releases\"] if r[\"file\"] == \"$2\" and r[\"line\"] == $3]"
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
	rel $P fs/fuse/dev.c 733 >got && cat got &&
	grep "MIXED" got && grep "'\''gup'\''" got && grep "'\''alloc'\''" got && grep "'\''pipe'\''" got &&
	json_get $P "[r[\"acquisitions\"] for r in j[\"releases\"] if r[\"file\"] == \"fs/fuse/dev.c\" and r[\"line\"] == 733][0]" | grep "fs/fuse/dev.c:788"
'

test_expect_success '6.12 fuse: the pages of fuse_copy_fill reach put_page(cs->pg) only (not the pipe buffer of the other path)' '
	acq_releases $P fs/fuse/dev.c 788 >got &&
	echo "['\''fs/fuse/dev.c:733'\'']" >expect && test_cmp expect got
'

test_expect_success '6.12 kvm hva_to_pfn_slow: wpage is not released by the put_page(page) before page = wpage' '
	acq_releases $P virt/kvm/kvm_main.c 2866 >got &&
	echo "[]" >expect && test_cmp expect got &&
	json_get $P "[a[\"note\"] for a in j[\"acquisitions\"] if a[\"file\"] == \"virt/kvm/kvm_main.c\" and a[\"line\"] == 2866][0]" >note &&
	grep "meta" note
'

test_expect_success '6.12 umem: both releases of ib_umem_get pins are PINNED, the sg walk included' '
	acq_releases $P drivers/infiniband/core/umem.c 235 >got &&
	echo "['\''drivers/infiniband/core/umem.c:252'\'', '\''drivers/infiniband/core/umem.c:59'\'']" >expect &&
	test_cmp expect got &&
	rel $P drivers/infiniband/core/umem.c 59 | grep "PINNED" &&
	rel $P drivers/infiniband/core/umem.c 252 | grep "PINNED"
'

test_expect_success '6.12 block/bio.c: iov_iter_extract_pages pages dropped by bio_release_page: PINNED' '
	acq_releases $P block/bio.c 1357 | grep "block/bio.c:1405" &&
	rel $P block/bio.c 1405 | grep "PINNED"
'

test_expect_success '6.12 vmci notify page: CONVERT across two files, through context->notify_page' '
	acq_releases $P drivers/misc/vmw_vmci/vmci_host.c 247 >got &&
	echo "['\''drivers/misc/vmw_vmci/vmci_context.c:590'\'']" >expect && test_cmp expect got &&
	rel $P drivers/misc/vmw_vmci/vmci_context.c 590 | grep "CONVERT" &&
	json_get $P "[c[\"what\"] for r in j[\"releases\"] if r[\"file\"] == \"drivers/misc/vmw_vmci/vmci_context.c\" and r[\"line\"] == 590 for c in r[\"chain\"]]" >chain &&
	grep "context->notify_page = page" chain
'

test_expect_success '6.12 nfs direct I/O: the request takes get_page() on the pages: EXTRA_REF' '
	acq_releases $P fs/nfs/direct.c 362 | grep "fs/nfs/direct.c:172" &&
	rel $P fs/nfs/direct.c 172 | grep "EXTRA_REF" &&
	json_get $P "[c[\"what\"] for r in j[\"releases\"] if r[\"file\"] == \"fs/nfs/direct.c\" and r[\"line\"] == 172 for c in r[\"chain\"]]" | grep "getref: get_page(page)"
'

test_expect_success '6.12 9p: pages handed back through an out parameter, released as MIXED' '
	acq_releases $P net/9p/trans_virtio.c 333 | grep "net/9p/trans_common.c:22" &&
	rel $P net/9p/trans_common.c 22 | grep "MIXED"
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
