#!/bin/bash
# The carrier models of scripts/kapi.json on a small tree: the real 6.12
# headers and MAINTAINERS plus
# tests/plan/carriers/drivers/carriers/*.c, each written from the 6.12
# code it models (named in its first comment).  One plan run.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
plan() { /usr/bin/python3 "$PINCONV/scripts/plan.py"; }
D=drivers/carriers
# rels FILE FUNCTION: sorted "call verdict" of the releases in that function
rels() {
	json_get out/plan.json "sorted(set(r[\"call\"] + \" \" + r[\"verdict\"] for r in j[\"releases\"] if r[\"file\"] == \"$1\" and r[\"function\"] == \"$2\"))"
}
# acq FILE FUNCTION: the releases (file:function) its pages reach
acq() {
	json_get out/plan.json "sorted(set(\"%s:%s\" % (r[\"file\"], r[\"function\"]) for a in j[\"acquisitions\"] if a[\"file\"] == \"$1\" and a[\"function\"] == \"$2\" for r in j[\"releases\"] if \"%s:%d\" % (r[\"file\"], r[\"line\"]) in a[\"releases\"]))"
}
chain() {
	json_get out/plan.json "[c[\"what\"] for r in j[\"releases\"] if r[\"file\"] == \"$1\" and r[\"function\"] == \"$2\" for c in r[\"chain\"]]"
}

test_expect_success 'setup: a small tree with the carrier cases, planned once' '
	mkdir -p tree/include/linux tree/drivers &&
	cp "$T612/Makefile" "$T612/MAINTAINERS" tree/ &&
	cp "$T612/include/linux/mm.h" "$T612/include/linux/uio.h" tree/include/linux/ &&
	cp -r "$PINCONV/tests/plan/carriers/drivers/carriers" tree/drivers/ &&
	KDIR=tree OUT=out plan >stdout 2>stderr &&
	cat stdout && $PY "$PINCONV/scripts/schema/validate.py" plan.schema.json out/plan.json
'

test_expect_success 'a bio_vec array filled by a helper given the array: the pages reach put_page(bvecs[i].bv_page)' '
	acq $D/bvec_array.c bv_fill >got &&
	echo "['\''$D/bvec_array.c:bv_put'\'']" >expect && test_cmp expect got &&
	chain $D/bvec_array.c bv_put >chain && cat chain &&
	grep "bvec_set_page(pages\[idx\])" chain && grep "bv_fill(bv) \[arg 2\]" chain
'

test_expect_success 'page_address() and back with virt_to_page(): put_page() drops the GUP page (CONVERT)' '
	acq $D/virt_round_trip.c vt_pin_guest_page >got &&
	echo "['\''$D/virt_round_trip.c:vt_unpin_guest_page'\'']" >expect && test_cmp expect got &&
	rels $D/virt_round_trip.c vt_unpin_guest_page >got &&
	echo "['\''put_page CONVERT'\'']" >expect && test_cmp expect got &&
	chain $D/virt_round_trip.c vt_unpin_guest_page >chain && cat chain &&
	grep "page_address(page)" chain && grep "virt_to_page(va): the page whose address" chain
'

test_expect_success 'virt_to_page() of an address no page gave is a page of origin virt, no GUP page' '
	json_get out/plan.json "[r for r in j[\"releases\"] if r[\"function\"] == \"vt_free_buf\"]" >got &&
	echo "[]" >expect && test_cmp expect got
'

test_expect_success 'page_to_pfn() and back with pfn_to_page(): the pin is unpinned (PINNED)' '
	acq $D/pfn_round_trip.c pf_get_pfns >got &&
	echo "['\''$D/pfn_round_trip.c:pf_put_pfn'\'']" >expect && test_cmp expect got &&
	rels $D/pfn_round_trip.c pf_put_pfn >got &&
	echo "['\''unpin_user_pages_dirty_lock PINNED'\'']" >expect && test_cmp expect got
'

test_expect_success 'an sg table filled in one file, walked with for_each_sgtable_page + sg_page_iter_page in another: CONVERT' '
	acq $D/sgtable_fill.c st_pin_userptr >got &&
	echo "['\''$D/sgtable_fill.c:st_pin_userptr'\'', '\''$D/sgtable_release.c:st_unpin_userptr'\'']" >expect &&
	test_cmp expect got &&
	rels $D/sgtable_release.c st_unpin_userptr >got &&
	echo "['\''put_page CONVERT'\'']" >expect && test_cmp expect got &&
	chain $D/sgtable_release.c st_unpin_userptr >chain && cat chain &&
	grep "sg_alloc_table_from_pages(ttm->pages)" chain && grep "for_each_sgtable_page(ttm->sg, &sg_iter)" chain
'

test_expect_success 'iov_iter pages in an skb'\''s frags: skb_frag_unref() of that skb drops them (MIXED: the iterator may be BVEC/KVEC)' '
	acq $D/skb_frag.c sk_fill_skb_from_iter >got &&
	echo "['\''$D/skb_frag.c:sk_drop_last_frag'\'']" >expect && test_cmp expect got &&
	rels $D/skb_frag.c sk_drop_last_frag >got &&
	echo "['\''skb_frag_unref MIXED'\'']" >expect && test_cmp expect got &&
	chain $D/skb_frag.c sk_drop_last_frag >chain && cat chain &&
	grep "skb_fill_page_desc_noacc(pages\[n++\]): into the skb" chain
'

test_expect_success 'pins in a scatterlist through a two-hop ops table (rs->rs_transport->get_mr): the teardown unpins them (PINNED)' '
	acq $D/ops_map.c op_pin_pages >got && cat got &&
	grep "$D/ops_mr.c:ob_free_mr" got &&
	rels $D/ops_mr.c ob_free_mr >got &&
	echo "['\''unpin_user_pages_dirty_lock PINNED'\'']" >expect && test_cmp expect got &&
	chain $D/ops_mr.c ob_free_mr >chain && cat chain && grep -- "->get_mr(sg) \[arg 0\]" chain
'
test_expect_success 'pins in a frame vector, released through frame_vector_pages(): PINNED' '
	acq $D/frame_vector.c fv_get_vaddr_frames >got &&
	echo "['\''$D/frame_vector.c:fv_put_vaddr_frames'\'']" >expect && test_cmp expect got &&
	rels $D/frame_vector.c fv_put_vaddr_frames >got &&
	echo "['\''unpin_user_pages PINNED'\'']" >expect && test_cmp expect got
'

# judge FILE FUNCTION: (use, lifetime, written, pin_flags) of its acquisition
judge() {
	json_get out/plan.json "[(a[\"use\"], a[\"lifetime\"], a[\"written\"], a[\"pin_flags\"]) for a in j[\"acquisitions\"] if a[\"file\"] == \"$1\" and a[\"function\"] == \"$2\"]"
}

test_expect_success 'a read-only peek: cpu-read, short, not written, no pin flag; its put_page() stays KEEP_GET' '
	judge $D/peek.c pk_is_trap_at_addr >got &&
	echo "[('\''cpu-read'\'', '\''short'\'', False, [])]" >expect && test_cmp expect got &&
	json_get out/plan.json "[(r[\"verdict\"], r[\"case\"]) for r in j[\"releases\"] if r[\"function\"] == \"pk_is_trap_at_addr\"]" >got &&
	echo "[('\''KEEP_GET'\'', '\''read-only peek'\'')]" >expect && test_cmp expect got
'

test_expect_success 'a page kept in an object and written by the kernel: cpu-write, long, FOLL_LONGTERM and a dirty release' '
	judge $D/longterm.c lt_setup_notify >got &&
	echo "[('\''cpu-write'\'', '\''long'\'', True, ['\''FOLL_WRITE'\'', '\''FOLL_LONGTERM'\'', '\''DIRTY_RELEASE'\''])]" >expect &&
	test_cmp expect got &&
	json_get out/plan.json "[a[\"evidence\"][\"lifetime\"] for a in j[\"acquisitions\"] if a[\"function\"] == \"lt_setup_notify\"][0]" | grep "context->notify_page = page"
'

test_expect_success 'pages put in an sg table: dma; in a bvec: dio; an iov_iter user lists its iterator kinds' '
	json_get out/plan.json "sorted((a[\"function\"], a[\"use\"]) for a in j[\"acquisitions\"] if a[\"function\"] in (\"st_pin_userptr\", \"bv_fill\"))" >got &&
	echo "[('\''bv_fill'\'', '\''dio'\''), ('\''st_pin_userptr'\'', '\''dma'\'')]" >expect && test_cmp expect got &&
	json_get out/plan.json "[(a[\"written\"], a[\"iter_kinds\"]) for a in j[\"acquisitions\"] if a[\"function\"] == \"bv_fill\"]" >got &&
	echo "[(None, ['\''unknown'\''])]" >expect && test_cmp expect got
'
test_expect_success 'an iov_iter user whose caller refuses kernel-backed iterators: iter_kinds user, CONVERT' '
	json_get out/plan.json "[a[\"iter_kinds\"] for a in j[\"acquisitions\"] if a[\"function\"] == \"ui_copy_fill\"]" >got &&
	echo "[['\''user'\'']]" >expect && test_cmp expect got &&
	rels $D/user_iter.c ui_copy_finish >got &&
	echo "['\''put_page CONVERT'\'']" >expect && test_cmp expect got
'
test_done
