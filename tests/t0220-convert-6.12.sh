#!/bin/bash
# make convert on the default tree (Debian's linux-source-6.12: pin API and
# iov_iter_extract_pages), from the real plan: fuse's fuse_copy_fill user of
# iov_iter_get_pages2 is converted (the patch written by hand for the QEMU
# test, byte for byte in its diff lines) with the answer of
# iov_iter_extract_will_pin() kept next to cs->pg, fs/nfs and net/9p are
# converted or explained site by site, and runs are deterministic.
# Cost: the plan of 6.12 and ~4 conversions of ~25 s each.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
export KDIR=$T612
convert() { OUT=$TRASH/612 $PY "$PINCONV/scripts/convert.py"; }
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

test_expect_success 'fs/fuse: every site converted or explained, and the series (if any) passes every check' '
	SUBSYS=fs/fuse convert >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	d=612/convert/fs-fuse && explained "$d/convert.json" &&
	! grep FAILED "$d/REVIEW.md"
'

# fuse_copy_fill()'s local `page` holds an alloc_page() page on the pipe
# path and the iov_iter page on the other; the def-use facts keep them
# apart, so its pages reach only fuse_copy_finish()'s put_page(cs->pg),
# and vmsplice's pipe pages reaching the same put_page keep it (the flag
# is cleared at every other store of cs->pg).
test_expect_success 'fs/fuse: fuse_copy_fill and fuse_copy_finish are converted with the pinned flag' '
	d=612/convert/fs-fuse &&
	$PY -c "
import json, sys
j = json.load(open(sys.argv[1]))
s = dict(((s[\"function\"], s[\"line\"]), s[\"action\"]) for s in j[\"sites\"] if s[\"file\"] == \"fs/fuse/dev.c\")
conv = sorted(k[0] for k, a in s.items() if a == \"convert\")
assert conv == [\"fuse_copy_fill\", \"fuse_copy_finish\"], s
print(conv)
" "$d/convert.json" &&
	ls "$d"/0001-fuse-*.patch >patches && test_line_count = 1 patches &&
	grep "^+.*iov_iter_extract_pages(cs->iter, " "$d"/0001-fuse-*.patch &&
	grep "^+.*cs->pg_pinned = iov_iter_extract_will_pin(cs->iter);" "$d"/0001-fuse-*.patch
'

test_expect_success 'the fuse patch is the conversion written by hand for the QEMU test (tests/qemu/fuse-extract)' '
	grep "^[-+]" "$PINCONV"/tests/qemu/fuse-extract/0001-*.patch >want &&
	grep "^[-+]" 612/convert/fs-fuse/0001-fuse-*.patch >got &&
	test_cmp want got
'

test_expect_success 'the extract rule rewrites the real fuse_copy_fill/fuse_copy_finish and the result compiles with Kbuild' '
	cp "$T612/fs/fuse/dev.c" dev.c &&
	acq=$(grep -n "err = iov_iter_get_pages2(cs->iter, &page," dev.c | cut -d: -f1) &&
	rel=$(awk "/^static void fuse_copy_finish/,/^}/ { if (/put_page\(cs->pg\);/) print NR }" dev.c) &&
	test -n "$acq" && test -n "$rel" &&
	PINCONV_SITES="dev.c:$acq:8 dev.c:$rel:2" spatch --very-quiet --no-includes --include-headers -D mixed \
		--sp-file "$PINCONV/semantic-patches/convert/extract/get_pages2_to_extract.cocci" dev.c -o new.c &&
	diff -u dev.c new.c >d.diff; cat d.diff &&
	grep "^+.*bool pg_pinned;" d.diff &&
	grep "^+.*iov_iter_extract_pages(cs->iter, &pagep, PAGE_SIZE, 1," d.diff &&
	grep "^+.*cs->pg_pinned = iov_iter_extract_will_pin(cs->iter);" d.diff &&
	grep "^+.*unpin_user_page(cs->pg);" d.diff &&
	! grep "^+.*iov_iter_get_pages2" d.diff &&
	$PY -c "
import sys
sys.path.insert(0, \"$PINCONV/scripts\")
import kbuild, verify
kdir = \"$T612\"
with kbuild.Kbuild(kdir) as kb:
    ok, msg = kb.ensure([\"fs/fuse/dev.c\"])
    assert ok, msg
    ok, out, gcc, sp = kb.commands(\"fs/fuse/dev.c\")
    assert gcc, out
    verify.make_mirror(kdir, \"$TRASH/mirror\", {\"fs/fuse/dev.c\": open(\"new.c\").read()})
    rc, out = kb.run_variant(gcc, \"$TRASH/mirror\", \"$TRASH/obj/dev\")
    print(out)
    assert rc == 0
"
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
