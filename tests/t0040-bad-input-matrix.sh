#!/bin/bash
# Bad input, through the one entry point scripts/pinconv: every case gives
# one clear `pinconv:` line and the documented exit code (0 clean, 1
# findings, 2 usage or tool error), the user's tree is byte-identical
# (hash), and no half-written report is left looking complete.  The titles
# are the matrix: case, then result.  Cost: two small-tree plans, a few
# scans, and one 6.1 convert interrupted early.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612) T61=$(tree_61)
pc() { "$PINCONV/scripts/pinconv" "$@"; }
# one_line ERRFILE REGEX: stderr is exactly one pinconv: line, matching REGEX
one_line() {
	cat "$1"
	test "$(grep -c . "$1")" = 1 && grep -E "^pinconv: $2" "$1"
}
# no_report DIR: nothing in DIR looks like a finished report (no plan.json,
# scan.json, index.html) and no temporary file is left
no_report() {
	! ls "$1" 2>/dev/null | grep -E "^(plan|scan)\.json$|^index\.html$|\.tmp" 
}

test_expect_success 'setup: a small kernel tree (real 6.12 headers, MAINTAINERS, test drivers), its hash' '
	mkdir -p tree/include/linux tree/drivers &&
	cp "$T612/Makefile" "$T612/MAINTAINERS" tree/ &&
	cp "$T612/include/linux/mm.h" "$T612/include/linux/uio.h" tree/include/linux/ &&
	cp -r "$PINCONV/tests/plan/drivers/pinconv" tree/drivers/ &&
	tree_hash tree >hash.tree && tree_hash "$T61" >hash.61
'

test_expect_success 'not a kernel tree: exit 2 and one line, at every stage' '
	mkdir notatree && echo hello >notatree/README &&
	for stage in scan plan lint convert report qemu-test; do
		KDIR=$TRASH/notatree SUBSYS=fs OUT=o-$stage pc $stage >out 2>err; rc=$?
		test $rc = 2 && one_line err "KDIR=.*notatree: not a kernel tree" &&
		test ! -e o-$stage || { echo "stage $stage: exit $rc"; return 1; }
	done &&
	test "$(ls notatree)" = README
'

test_expect_success 'KDIR missing: exit 2 and one line, at every stage' '
	for stage in scan plan lint convert report qemu-test; do
		KDIR=$TRASH/nothere SUBSYS=fs OUT=o pc $stage >out 2>err; rc=$?
		test $rc = 2 && one_line err "KDIR=.*nothere: no such directory" ||
			{ echo "stage $stage: exit $rc"; return 1; }
	done
'

test_expect_success 'an unknown API=: exit 2, one line (scan, plan, lint, convert)' '
	for stage in scan plan lint convert; do
		SUBSYS=drivers pc $stage --kdir tree --api bogus --out o >out 2>err; rc=$?
		test $rc = 2 && one_line err "unknown API=bogus" && no_report o ||
			{ echo "stage $stage: exit $rc"; return 1; }
	done
'

test_expect_success 'a bad option or no stage: exit 2, one line; --help: exit 0' '
	pc lint --bogus >out 2>err; test $? = 2 && one_line err "unrecognized arguments: --bogus" &&
	pc >out 2>err; test $? = 2 && one_line err "no stage given" &&
	pc frobnicate >out 2>err; test $? = 2 && one_line err "argument <stage>: invalid choice" &&
	pc --help >out && grep "exit status: 0 clean, 1 findings" out &&
	for stage in scan plan convert lint report qemu-test bench check deps; do
		pc $stage --help >out || return 1
	done
'

test_expect_success 'SUBSYS outside the tree: exit 2, one line, nothing written' '
	pc convert --kdir "$T61" --subsys ../../etc --out o61 >out 2>err; test $? = 2 &&
	one_line err "SUBSYS=../../etc is not in the tree" && test ! -e o61
'

test_expect_success 'SUBSYS with nothing to convert: exit 0, said in one line' '
	printf "{\"schema\": \"pinconv-plan/1\", \"tree\": {}, \"releases\": [], \"acquisitions\": []}\n" >empty-plan.json &&
	PINCONV_PLAN=$TRASH/empty-plan.json pc convert --kdir "$T61" --subsys Documentation --out o61 >out 2>err &&
	one_line err "nothing to convert under SUBSYS=Documentation" && test ! -e o61/convert
'

test_expect_success 'an unparsable file: scan exit 0, the call listed as not analysed with the reason' '
	mkdir -p bad && cp -r tree/. bad/ &&
	printf "int broken(unsigned long a, struct page **p)\n{\n\treturn get_user_pages_fast(a, 1, 0, p) +;\n}\n" >bad/drivers/pinconv/zz_broken.c &&
	pc scan --kdir bad --out obad >out 2>err && cat err &&
	grep "^pinconv: .* sites, 1 not analysed; wrote" err &&
	json_get obad/scan.json "[(u[\"file\"], u[\"reason\"]) for u in j[\"unparsed\"]]" >unp && cat unp &&
	grep "zz_broken.c.*parse error" unp
'

test_expect_success 'a spatch timeout: scan exit 0, the file listed as timed out, the others analysed' '
	mkdir -p slow && cp -r tree/. slow/ &&
	$PY -c "
import sys
with open(sys.argv[1], \"w\") as f:
    f.write(\"int slow(unsigned long a, struct page **p)\n{\n\tint r = 0;\n\")
    for i in range(4000):
        f.write(\"\tif (a > %d) { r += get_user_pages_fast(a, 1, 0, p); if (r) put_page(p[0]); }\n\" % i)
    f.write(\"\treturn r;\n}\n\")
" slow/drivers/pinconv/zz_slow.c &&
	PINCONV_SPATCH_TIMEOUT=1 pc scan --kdir slow --out oslow >out 2>err && cat err &&
	json_get oslow/scan.json "sorted({u[\"reason\"] for u in j[\"unparsed\"] if u[\"file\"].endswith(\"zz_slow.c\")})" >why &&
	cat why && grep "timed out" why &&
	json_get oslow/scan.json "len([s for s in j[\"sites\"] if not s[\"file\"].endswith(\"zz_slow.c\")])" >n &&
	test "$(cat n)" -gt 5
'

test_expect_success 'a dirty git tree: lint analyses the working tree as it is and leaves it as it was' '
	cp -r tree gtree && (cd gtree && git init -q && git add -A &&
		git -c user.name=t -c user.email=t@t commit -qm base) &&
	printf "int dirty_get(unsigned long a, struct page **p)\n{\n\tint n = get_user_pages_fast(a, 1, 0, p);\n\n\tunpin_user_page(p[0]);\n\treturn n;\n}\n" \
		>gtree/drivers/pinconv/zz_dirty.c &&
	(cd gtree && git status --porcelain) >status.before &&
	pc lint --kdir gtree --out ogit --format json >lint.json 2>err; rc=$?; cat err &&
	test $rc = 1 &&
	json_get lint.json "[f[\"function\"] for f in j[\"findings\"] if f[\"level\"] == \"error\"]" | grep dirty_get &&
	(cd gtree && git status --porcelain) >status.after && test_cmp status.before status.after
'

test_expect_success 'a read-only tree (a read-only bind mount): scan and plan work, same plan as writable' '
	mkdir ro && mount --bind tree ro && mount -o remount,bind,ro ro &&
	{ ! touch ro/x 2>/dev/null; } &&
	pc plan --kdir ro --out oro >out 2>err; rc=$?
	umount ro; cat err; test $rc = 0 &&
	pc plan --kdir tree --out orw >out 2>err &&
	json_get oro/plan.json "[(r[\"file\"], r[\"line\"], r[\"verdict\"]) for r in j[\"releases\"]]" >a &&
	json_get orw/plan.json "[(r[\"file\"], r[\"line\"], r[\"verdict\"]) for r in j[\"releases\"]]" >b &&
	test_cmp a b && test "$(wc -c <a)" -gt 100
'

test_expect_success 'a missing tool (no spatch on PATH): exit 2, one line, nothing written' '
	mkdir bin && for t in git make gcc perl parallel grep sed; do ln -s "$(command -v $t)" bin/$t; done &&
	PINCONV_NO_PROVISION=1 PATH=$TRASH/bin pc scan --kdir tree --out onotool >out 2>err; test $? = 2 &&
	one_line err "spatch not found" && no_report onotool
'

test_expect_success 'interrupted (SIGINT to pinconv mid-convert): exit 2, says so, no series, no work directory left' '
	(exec "$PINCONV/scripts/pinconv" convert --kdir "$T61" --subsys drivers/virt/nitro_enclaves \
		--out "$TRASH/oint" >int.out 2>int.err) &
	pid=$! && sleep 3 && kill -INT $pid; wait $pid; rc=$?; cat int.err; test $rc = 2 &&
	grep "^pinconv: interrupted" int.err &&
	test ! -e oint/convert/drivers-virt-nitro_enclaves/0001-*.patch &&
	! ls oint 2>/dev/null | grep "\.tmp"
'

test_expect_success 'two runs at once (two plans, same tree and OUT): both exit 0, one valid plan' '
	pc plan --kdir tree --out otwo >o1 2>e1 & p1=$!
	pc plan --kdir tree --out otwo >o2 2>e2 & p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?; cat e1 e2; test $r1 = 0 && test $r2 = 0 &&
	$PY "$PINCONV/scripts/schema/validate.py" plan.schema.json otwo/plan.json &&
	json_get otwo/plan.json "[(r[\"file\"], r[\"line\"], r[\"verdict\"]) for r in j[\"releases\"]]" >c &&
	test_cmp b c && ! ls otwo | grep "\.tmp"
'

test_expect_success 'a full disk for OUT (a 4 KiB tmpfs): exit 2, one line, no half-written report' '
	mkdir full && mount -t tmpfs -o size=4k tmpfs full &&
	pc scan --kdir tree --out full/o >out 2>err; rc=$?
	ls -la full/o; no_report full/o; ok=$?; umount full; test $rc = 2 && test $ok = 0 &&
	grep -E "^pinconv: cannot write .*full/o/scan\.(json|md): No space left on device" err &&
	test "$(grep -c "^pinconv: cannot write" err)" = 1
'

test_expect_success 'after every case, the user trees are byte-identical' '
	tree_hash tree >h && test_cmp hash.tree h &&
	tree_hash "$T61" >h && test_cmp hash.61 h
'

test_done
