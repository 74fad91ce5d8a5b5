#!/bin/bash
# The carrier models on the real linux-source-6.12 and 6.1 (one plan per
# tree).  Sites are found by file, function and call; each was read by hand
# in 6.12:
#   fs/ceph/file.c  __iter_get_bvecs(): iov_iter_get_pages2() pages put in
#       the bio_vec array it is given (bvec_set_page), handed back through
#       iter_get_bvecs_alloc()'s *bvecs, dropped by put_bvecs():
#       put_page(bvecs[i].bv_page).  The iterator may be a BVEC: MIXED.
#   arch/powerpc/kvm/book3s_64_mmu_hv.c  kvmppc_pin_guest_page() returns
#       page_address(page) + offset; book3s_hv.c keeps it (vpa->pinned_addr)
#       and kvmppc_unpin_guest_page() drops put_page(virt_to_page(va)).
#   drivers/gpu/drm/radeon/radeon_ttm.c  get_user_pages() into ttm->pages,
#       sg_alloc_table_from_pages(ttm->sg, ...); radeon_ttm_tt_unpin_userptr()
#       walks for_each_sgtable_page() + sg_page_iter_page() + put_page().
#   net/rds/rdma.c  rds_pin_pages() pins, __rds_rdma_map() puts them in sg,
#       rs->rs_transport->get_mr(sg, ...) = rds_ib_get_mr (net/rds/ib.c),
#       teardown in ib_rdma.c __rds_ib_teardown_mr(): sg_page(&ibmr->sg[i])
#       + unpin_user_pages_dirty_lock (6.12; 6.1 drops them with put_page).
#   drivers/vfio/vfio_iommu_type1.c  vaddr_get_pfns() pins, keeps
#       page_to_pfn(); put_pfn() unpins pfn_to_page(pfn).
#   net/core/datagram.c  zerocopy_fill_skb_from_iter(): pages coalesced into
#       an existing frag drop their reference with page_ref_sub().
. "$(dirname "$0")/lib.sh"

plan() { /usr/bin/python3 "$PINCONV/scripts/plan.py"; }
# reached PLAN FILE FUNCTION: "file function call verdict" of every release
# the acquisitions in FILE's FUNCTION reach
reached() {
	json_get "$1" "sorted(set(\"%s %s %s %s\" % (r[\"file\"], r[\"function\"], r[\"call\"], r[\"verdict\"]) for a in j[\"acquisitions\"] if a[\"file\"] == \"$2\" and a[\"function\"] == \"$3\" for r in j[\"releases\"] if \"%s:%d\" % (r[\"file\"], r[\"line\"]) in a[\"releases\"]))"
}
# chain PLAN FILE FUNCTION CALL: the hops of that release
chain() {
	json_get "$1" "[c[\"what\"] for r in j[\"releases\"] if r[\"file\"] == \"$2\" and r[\"function\"] == \"$3\" and r[\"call\"] == \"$4\" for c in r[\"chain\"]]"
}

for ver in 6.12 6.1; do
	kdir=$("$PINCONV/scripts/default-tree.sh" $ver)
	test_expect_success "plan of linux-source-$ver" "
		KDIR=$kdir OUT=out-$ver plan >stdout-$ver 2>stderr-$ver && cat stdout-$ver &&
		\$PY \"\$PINCONV/scripts/schema/validate.py\" plan.schema.json out-$ver/plan.json &&
		json_get out-$ver/plan.json 'j[\"tree\"][\"version\"]' | grep '^6\.'
	"
done
P=out-6.12/plan.json
P61=out-6.1/plan.json

test_expect_success '6.12 ceph: a bio_vec array filled by __iter_get_bvecs() reaches put_bvecs() (MIXED: BVEC iterators)' '
	reached $P fs/ceph/file.c __iter_get_bvecs >got && cat got &&
	echo "['\''fs/ceph/file.c put_bvecs put_page MIXED'\'']" >expect && test_cmp expect got &&
	chain $P fs/ceph/file.c put_bvecs put_page >chain && cat chain &&
	grep "bvec_set_page(pages\[idx\])" chain && grep "put_page(bvecs\[i\].bv_page)" chain
'

test_expect_success '6.12 kvmppc: page_address() out, virt_to_page() back: put_page() in kvmppc_unpin_guest_page is CONVERT' '
	reached $P arch/powerpc/kvm/book3s_64_mmu_hv.c kvmppc_pin_guest_page >got &&
	echo "['\''arch/powerpc/kvm/book3s_64_mmu_hv.c kvmppc_unpin_guest_page put_page CONVERT'\'']" >expect &&
	test_cmp expect got &&
	chain $P arch/powerpc/kvm/book3s_64_mmu_hv.c kvmppc_unpin_guest_page put_page >chain && cat chain &&
	grep "page_address(page)" chain && grep "virt_to_page(va): the page whose address" chain
'

test_expect_success '6.12 radeon: the sg table walk in radeon_ttm_tt_unpin_userptr() releases the GUP pages (CONVERT)' '
	reached $P drivers/gpu/drm/radeon/radeon_ttm.c radeon_ttm_tt_pin_userptr >got && cat got &&
	grep "radeon_ttm_tt_unpin_userptr put_page CONVERT" got &&
	chain $P drivers/gpu/drm/radeon/radeon_ttm.c radeon_ttm_tt_unpin_userptr put_page >chain && cat chain &&
	grep "sg_alloc_table_from_pages(ttm->pages)" chain && grep "for_each_sgtable_page(ttm->sg, &sg_iter)" chain
'

test_expect_success '6.12 rds: the pins reach the ib teardown through rs->rs_transport->get_mr(): PINNED, and no release of them is a MISMATCH' '
	reached $P net/rds/rdma.c rds_pin_pages >got && cat got &&
	grep "net/rds/ib_rdma.c __rds_ib_teardown_mr unpin_user_pages_dirty_lock PINNED" got &&
	! grep -v PINNED got &&
	chain $P net/rds/ib_rdma.c __rds_ib_teardown_mr unpin_user_pages_dirty_lock >chain && cat chain &&
	grep -- "->get_mr(sg) \[arg 0\]" chain && grep "sg_page(&ibmr->sg\[i\])" chain
'

test_expect_success '6.1 rds: the same teardown drops the pins with put_page(): MISMATCH' '
	reached $P61 net/rds/rdma.c rds_pin_pages >got && cat got &&
	grep "net/rds/ib_rdma.c __rds_ib_teardown_mr put_page MISMATCH" got
'

test_expect_success '6.12 vfio: the pfns of vaddr_get_pfns() are unpinned by put_pfn(): PINNED' '
	reached $P drivers/vfio/vfio_iommu_type1.c vaddr_get_pfns >got && cat got &&
	echo "['\''drivers/vfio/vfio_iommu_type1.c put_pfn unpin_user_pages_dirty_lock PINNED'\'']" >expect &&
	test_cmp expect got
'

test_expect_success '6.12 umem, vfio and frame vector users: PINNED at every release, no MISMATCH' '
	for site in "drivers/infiniband/core/umem.c ib_umem_get" \
		    "drivers/vfio/vfio_iommu_type1.c vaddr_get_pfns" \
		    "drivers/media/common/videobuf2/frame_vector.c get_vaddr_frames"; do
		reached $P $site >got && cat got &&
		grep PINNED got && ! grep -v PINNED got || return 1
	done
'

test_expect_success '6.12 datagram zerocopy: the coalesced frags drop their reference with page_ref_sub() (MIXED)' '
	reached $P net/core/datagram.c zerocopy_fill_skb_from_iter >got && cat got &&
	echo "['\''net/core/datagram.c zerocopy_fill_skb_from_iter page_ref_sub MIXED'\'']" >expect &&
	test_cmp expect got
'

test_expect_success '6.12 judgements: read-only peeks, long-lived pins, dirty releases' '
	json_get $P "sorted(set((a[\"file\"], a[\"function\"], a[\"use\"], a[\"lifetime\"], a[\"written\"], tuple(a[\"pin_flags\"])) for a in j[\"acquisitions\"] if a[\"function\"] in (\"is_trap_at_addr\", \"shstk_copy_user_gup\", \"vmci_host_setup_notify\", \"kvm_vcpu_ioctl_config_tlb\")))" >got &&
	cat >expect <<-\EOF &&
	[('\''arch/powerpc/kvm/e500_mmu.c'\'', '\''kvm_vcpu_ioctl_config_tlb'\'', '\''cpu-write'\'', '\''long'\'', True, ('\''FOLL_WRITE'\'', '\''FOLL_LONGTERM'\'', '\''DIRTY_RELEASE'\'')), ('\''arch/x86/kernel/shstk.c'\'', '\''shstk_copy_user_gup'\'', '\''cpu-read'\'', '\''short'\'', False, ()), ('\''drivers/misc/vmw_vmci/vmci_host.c'\'', '\''vmci_host_setup_notify'\'', '\''cpu-write'\'', '\''long'\'', True, ('\''FOLL_WRITE'\'', '\''FOLL_LONGTERM'\'', '\''DIRTY_RELEASE'\'')), ('\''kernel/events/uprobes.c'\'', '\''is_trap_at_addr'\'', '\''cpu-read'\'', '\''short'\'', False, ())]
	EOF
	test_cmp expect got
'
test_expect_success '6.12 read-only peeks (uprobes is_trap_at_addr, shstk): their releases stay KEEP_GET' '
	for site in "kernel/events/uprobes.c is_trap_at_addr" "arch/x86/kernel/shstk.c shstk_copy_user_gup"; do
		reached $P $site >got && cat got &&
		grep "put_page KEEP_GET" got && ! grep -v KEEP_GET got || return 1
	done &&
	json_get $P "sorted(set(r[\"case\"] for r in j[\"releases\"] if r[\"function\"] in (\"is_trap_at_addr\", \"shstk_copy_user_gup\")))" >got &&
	echo "['\''read-only peek'\'']" >expect && test_cmp expect got
'
test_done
