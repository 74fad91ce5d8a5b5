#!/bin/bash
# make convert on the default tree (Debian's linux-source-6.12: pin API and
# iov_iter_extract_pages), from the real plan: fuse's fuse_copy_fill user of
# iov_iter_get_pages2 is converted with the answer of
# iov_iter_extract_will_pin() kept next to cs->pg, fs/nfs and net/9p are
# converted or explained site by site, and runs are deterministic.
# Cost: the plan of 6.12 and ~4 conversions of ~25 s each.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
export KDIR=$T612
convert() { OUT=$TRASH/612 /usr/bin/python3 "$PINCONV/scripts/convert.py"; }
explained() {
	$PY -c "
import json, sys
j = json.load(open(sys.argv[1]))
assert j[\"sites\"], \"no sites\"
for s in j[\"sites\"]:
    assert s[\"action\"] == \"convert\" or s[\"why\"].strip(), s
print(len(j[\"sites\"]), \"sites, all converted or explained\")
" "$1"
}

test_expect_success 'setup: the tree hash, and the real plan of 6.12 (make plan)' '
	tree_hash "$T612" >"$TRASH/hash.before" &&
	OUT=$TRASH/612 make -s -C "$PINCONV" plan >/dev/null &&
	test -f 612/plan.json
'

test_expect_success 'fs/fuse: every site converted or explained, and the series passes every check' '
	SUBSYS=fs/fuse convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	d=612/convert/fs-fuse && explained "$d/convert.json" &&
	! grep FAILED "$d/REVIEW.md"
'

test_expect_success 'fs/fuse: fuse_copy_fill extracts its page and remembers whether it is pinned' '
	d=612/convert/fs-fuse &&
	grep "^fs/fuse/dev.c:[0-9]*:[0-9]*: note: fuse_copy_fill(): iov_iter_get_pages2() -> iov_iter_extract_pages()" out &&
	grep "^+.*iov_iter_extract_pages(cs->iter, " "$d"/0001-fuse-*.patch &&
	grep "^+.*cs->pg_pinned = iov_iter_extract_will_pin(cs->iter);" "$d"/0001-fuse-*.patch &&
	grep "^+.*unpin_user_page(cs->pg);" "$d"/0001-fuse-*.patch &&
	grep "^+.*bool pg_pinned;" "$d"/0001-fuse-*.patch
'

test_expect_success 'fs/nfs: each iov_iter site converted or explained' '
	SUBSYS=fs/nfs convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	explained 612/convert/fs-nfs/convert.json &&
	grep "fs/nfs/direct.c:.*iov_iter_get_pages_alloc2" out
'

test_expect_success 'net/9p: each iov_iter site converted or explained' '
	SUBSYS=net/9p convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	explained 612/convert/net-9p/convert.json &&
	grep "net/9p/trans_virtio.c:.*iov_iter_get_pages_alloc2" out
'

test_expect_success 'a second run gives byte-identical output' '
	cp -r 612/convert/fs-fuse first &&
	SUBSYS=fs/fuse convert >/dev/null 2>&1 &&
	diff -r first 612/convert/fs-fuse
'

test_expect_success 'the tree is byte-identical after all these runs' '
	tree_hash "$T612" >hash.after && test_cmp "$TRASH/hash.before" hash.after
'
test_done
