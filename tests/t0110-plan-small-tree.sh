#!/bin/bash
# make plan on a small tree: the real 6.12 headers and MAINTAINERS plus
# tests/plan/drivers/pinconv/*.c, one file per verdict, written like
# kernel code.  One scan + plan run, shared by the assertions.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
plan() { $PY "$PINCONV/scripts/plan.py"; }
# verdict FILE FUNCTION CALL: the verdict of that release in plan.json
verdict() {
	json_get out/plan.json "sorted(set(r[\"verdict\"] for r in j[\"releases\"] if r[\"file\"] == \"drivers/pinconv/$1\" and r[\"function\"] == \"$2\" and r[\"call\"] == \"$3\"))"
}

test_expect_success 'setup: a small tree, scanned and planned once' '
	mkdir -p tree/include/linux tree/drivers &&
	cp "$T612/Makefile" "$T612/MAINTAINERS" tree/ &&
	cp "$T612/include/linux/mm.h" "$T612/include/linux/uio.h" tree/include/linux/ &&
	cp -r "$PINCONV/tests/plan/drivers/pinconv" tree/drivers/ &&
	tree_hash tree >hash.before &&
	KDIR=tree OUT=out plan >stdout 2>stderr &&
	cat stdout && test -s out/plan.json && test -s out/plan.md
'

test_expect_success 'plan.json is valid against its schema' '
	$PY "$PINCONV/scripts/schema/validate.py" plan.schema.json out/plan.json
'

test_expect_success 'GUP pages read through kmap, released in a dirty loop: CONVERT' '
	echo "['\''CONVERT'\'']" >expect &&
	verdict convert.c convert_read put_page >got && test_cmp expect got &&
	json_get out/plan.json "[r[\"dirty_loop\"] for r in j[\"releases\"] if r[\"function\"] == \"convert_read\"]" >got &&
	echo "[True]" >expect && test_cmp expect got
'

test_expect_success 'a release column is the column of the call name' '
	json_get out/plan.json "[(r[\"line\"], r[\"col\"]) for r in j[\"releases\"] if r[\"function\"] == \"convert_read\"]" >got &&
	echo "[(19, 2)]" >expect && test_cmp expect got &&
	sed -n 19p tree/drivers/pinconv/convert.c | cut -c3-10 | grep -x "put_page"
'

test_expect_success 'a struct field across two files: CONVERT, with the chain through pc_ctx.pages' '
	echo "['\''CONVERT'\'']" >expect &&
	verdict field_release.c pc_unmap put_page >got && test_cmp expect got &&
	json_get out/plan.json "[[c[\"file\"] + \":\" + str(c[\"line\"]) for c in r[\"chain\"]] for r in j[\"releases\"] if r[\"function\"] == \"pc_unmap\"]" >got &&
	echo "[['\''drivers/pinconv/field_acquire.c:11'\'', '\''drivers/pinconv/field_acquire.c:14'\'', '\''drivers/pinconv/field_release.c:10'\'']]" >expect &&
	test_cmp expect got &&
	json_get out/plan.json "[a[\"releases\"] for a in j[\"acquisitions\"] if a[\"function\"] == \"pc_map\"]" >got &&
	echo "[['\''drivers/pinconv/field_release.c:10'\'']]" >expect && test_cmp expect got
'

test_expect_success 'a helper that sees GUP pages and alloc_page(): MIXED, naming the other origin' '
	echo "['\''MIXED'\'']" >expect &&
	verdict mixed.c mixed_release put_page >got && test_cmp expect got &&
	json_get out/plan.json "[r[\"other_origins\"] for r in j[\"releases\"] if r[\"function\"] == \"mixed_release\"]" >got &&
	echo "[['\''alloc'\'']]" >expect && test_cmp expect got
'

test_expect_success 'a release helper shared by a BVEC and an IOVEC caller: MIXED' '
	echo "['\''MIXED'\'']" >expect &&
	verdict iter.c iter_put_pages put_page >got && test_cmp expect got &&
	json_get out/plan.json "[r[\"origins\"] for r in j[\"releases\"] if r[\"function\"] == \"iter_put_pages\"]" >got &&
	echo "[['\''bvec'\'', '\''gup'\'']]" >expect && test_cmp expect got
'

test_expect_success 'get_page() on a GUP page: EXTRA_REF, the get_page in the chain' '
	echo "['\''EXTRA_REF'\'']" >expect &&
	verdict extra_ref.c extra_ref put_page >got && test_cmp expect got &&
	json_get out/plan.json "[c[\"what\"] for r in j[\"releases\"] if r[\"function\"] == \"extra_ref\" for c in r[\"chain\"]]" >got &&
	grep "getref: get_page(page)" got
'

test_expect_success 'a pin released by put_page(): MISMATCH' '
	echo "['\''MISMATCH'\'']" >expect &&
	verdict mismatch.c mismatch put_page >got && test_cmp expect got
'

test_expect_success 'pin_user_pages() + unpin_user_pages(): PINNED' '
	echo "['\''PINNED'\'']" >expect &&
	verdict pinned.c pinned unpin_user_pages >got && test_cmp expect got
'

test_expect_success 'v5.2-v5.5 put_user_page*(): PINNED on GUP pages, MIXED with others, MISMATCH on pins' '
	echo "['\''PINNED'\'']" >expect &&
	verdict put_user_page.c marked put_user_pages_dirty_lock >got && test_cmp expect got &&
	echo "['\''MIXED'\'']" >expect &&
	verdict put_user_page.c drop_one put_user_page >got && test_cmp expect got &&
	echo "['\''MISMATCH'\'']" >expect &&
	verdict put_user_page.c pinned_put put_user_page >got && test_cmp expect got &&
	json_get out/plan.json "[r[\"reason\"] for r in j[\"releases\"] if r[\"function\"] == \"pinned_put\"]" >got &&
	grep "pinned pages released by put_user_page\*()" got
'

test_expect_success 'a page held only for its pfn and flags: KEEP_GET, never CONVERT' '
	echo "['\''KEEP_GET'\'']" >expect &&
	verdict keep_get.c keep_get_pfn put_page >got && test_cmp expect got
'

test_expect_success 'pages handed to an unregistered callback: ESCAPES' '
	echo "['\''ESCAPES'\'']" >expect &&
	verdict escapes.c escapes put_page >got && test_cmp expect got
'

test_expect_success 'a release helper used as a callback too: UNKNOWN' '
	echo "['\''UNKNOWN'\'']" >expect &&
	verdict unknown.c unknown_release put_page >got && test_cmp expect got
'

test_expect_success 'one local, two paths: the GUP page reaches put_page(st->pg) only, not the ring'"'"'s __free_page' '
	echo "['\''CONVERT'\'']" >expect &&
	verdict paths.c paths_copy put_page >got && test_cmp expect got &&
	json_get out/plan.json "[(a[\"line\"], a[\"releases\"]) for a in j[\"acquisitions\"] if a[\"file\"] == \"drivers/pinconv/paths.c\"]" >got &&
	echo "[(26, ['\''drivers/pinconv/paths.c:39'\''])]" >expect && test_cmp expect got &&
	json_get out/plan.json "[r for r in j[\"releases\"] if r[\"function\"] == \"paths_drain\"]" >got &&
	echo "[]" >expect && test_cmp expect got
'

test_expect_success 'every acquisition of the tree lists its releases' '
	json_get out/plan.json "[(a[\"file\"], a[\"line\"]) for a in j[\"acquisitions\"] if a[\"file\"].startswith(\"drivers/\") and not a[\"releases\"]]" >got &&
	echo "[]" >expect && test_cmp expect got
'

test_expect_success 'plan.md groups by subsystem and explains KEEP_GET' '
	grep "^## THE REST" out/plan.md &&
	grep "^## How KEEP_GET is told apart" out/plan.md &&
	grep "keep_get.c:12 keep_get_pfn() | put_page(page) | KEEP_GET" out/plan.md
'

test_expect_success 'a second run gives the same plan, and the tree is untouched' '
	KDIR=tree OUT=out2 plan >/dev/null 2>&1 &&
	cmp out/plan.json out2/plan.json && cmp out/plan.md out2/plan.md &&
	tree_hash tree >hash.after && test_cmp hash.before hash.after
'

test_expect_success 'plan of a directory that is not a kernel tree: one line, exit 2' '
	mkdir notakernel && KDIR=notakernel plan 2>err; test $? = 2 &&
	test $(wc -l <err) = 1 && grep "not a kernel tree" err
'
test_expect_success 'plan with an unknown API=: one line, exit 2, nothing written' '
	API=bogus KDIR=tree OUT=out3 plan 2>err; test $? = 2 &&
	test $(wc -l <err) = 1 && grep "unknown API=bogus" err && ! test -e out3
'
test_done
