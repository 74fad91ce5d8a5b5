#!/bin/bash
# make report on the real trees: the plan of Debian's linux-source-6.12
# (and of 6.1 for BASE=), made here by scripts/plan.py (which scans),
# rendered, loaded in headless Chromium and checked against plan.json.
# Costs one scan + plan of each tree (the bulk of its time) plus ~10 s.
. "$(dirname "$0")/lib.sh"

K612=$(tree_612) && K61=$(tree_61) || {
	echo "the default trees are not available (scripts/default-tree.sh)" >&2
	exit 1
}
rdir() { $PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as p; print(p.report_dir(sys.argv[2]))' "$PINCONV/scripts" "$1"; }
R612=$(rdir "$K612")
R61=$(rdir "$K61")

# make_plan KDIR: scan and plan of a real tree, into $PINCONV_REPORTS.
make_plan() {
	if [ ! -f "$PINCONV/scripts/plan.py" ]; then
		echo "scripts/plan.py does not exist yet: no plan.json for a real tree, nothing to report" >&2
		return 1
	fi
	KDIR=$1 $PY "$PINCONV/scripts/plan.py" >/dev/null &&
	test -s "$(rdir "$1")/plan.json"
}

test_expect_success 'setup: the plans of 6.12 and 6.1, valid against plan.schema.json' '
	make_plan "$K612" && make_plan "$K61" &&
	$PY "$PINCONV/scripts/schema/validate.py" plan.schema.json "$R612/plan.json" "$R61/plan.json"
'

test_expect_success 'make report on 6.12 writes a page of at most 1 MiB, the same twice' '
	KDIR=$K612 $PY "$PINCONV/scripts/report.py" &&
	cp "$R612/index.html" first.html && cp "$R612/report.md" first.md &&
	KDIR=$K612 $PY "$PINCONV/scripts/report.py" &&
	cmp first.html "$R612/index.html" && cmp first.md "$R612/report.md" &&
	size=$(stat -c %s "$R612/index.html") && echo "index.html: $size bytes" &&
	test "$size" -le 1048576
'

test_expect_success 'Chromium shows the 6.12 plan'"'"'s counts, sorts on clicks; screenshot saved' '
	KDIR=$K612 $PY "$PINCONV/scripts/report.py" &&
	$PY "$PINCONV/scripts/report_check.py" "$R612/index.html" --plan "$R612/plan.json" \
		--screenshot "$R612/screenshot.png" >out &&
	cat out &&
	n=$(json_get "$R612/plan.json" "\"%d acquisitions, %d releases\" % (len(j[\"acquisitions\"]), len(j[\"releases\"]))") &&
	grep "^counts: $n, " out &&
	grep "^sorted: #summary by rel" out && grep "^sorted: #sites-table by s-verdict" out &&
	test -s "$R612/screenshot.png"
'

# Read in the two trees: these four functions moved from
# iov_iter_get_pages2() to iov_iter_extract_pages() between 6.1 and 6.12,
# the releases of the first two from put_page() to bio_release_page(),
# which unpins when BIO_PAGE_PINNED is set (block/blk.h), and
# fuse_release_user_pages() from put_page() to unpin_user_page().  vmw_vmci still
# uses get_user_pages_fast() + put_page() in 6.12.
test_expect_success 'BASE=6.1 shows the sites upstream converted between 6.1 and 6.12' '
	KDIR=$K612 BASE=$(basename "$R61") $PY "$PINCONV/scripts/report.py" &&
	md=$R612/report.md &&
	for f in "fs/fuse/file.c:[0-9]* | fuse_get_user_pages" \
		"block/bio.c:[0-9]* | __bio_iov_iter_get_pages" \
		"block/blk-map.c:[0-9]* | bio_map_user_iov" \
		"fs/direct-io.c:[0-9]* | dio_refill_pages"
	do
		grep "^| converted | $f | iov_iter_get_pages[a-z_]*2 → iov_iter_extract_pages |" "$md" || return 1
	done &&
	grep "^| converted | block/bio.c:[0-9]* | __bio_iov_iter_get_pages | put_page → bio_release_page |" "$md" &&
	grep "^| converted | fs/fuse/file.c:[0-9]* | fuse_release_user_pages | put_page → unpin_user_page |" "$md" &&
	test $(grep -c "^| converted | block/blk-map.c:[0-9]* | bio_map_user_iov | put_page → bio_release_page |" "$md") = 2 &&
	grep "^| api | mm/memory.c:[0-9]* | __access_remote_vm | get_user_pages_remote → get_user_page_vma_remote |" "$md" &&
	! grep "^| converted | drivers/misc/vmw_vmci/" "$md" &&
	grep "<b id=conv-acq>[1-9][0-9]*</b> acquisition" "$R612/index.html" &&
	$PY "$PINCONV/scripts/report_check.py" "$R612/index.html" --plan "$R612/plan.json" >out &&
	grep "^sorted: #changes by c-head" out
'

test_done
