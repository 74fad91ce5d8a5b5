#!/bin/bash
# make report on a small hand-written plan (tests/report/): what the page
# and the markdown say, determinism, patch links, BASE= and bad input.
# No browser here (t0410 loads the page in Chromium); about 2 s.
. "$(dirname "$0")/lib.sh"

FIX=$PINCONV/tests/report
KDIR=$FIX/tree
report_dir() {
	$PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as p; print(p.report_dir(sys.argv[2]))' \
		"$PINCONV/scripts" "$1"
}
RDIR=$(report_dir "$KDIR")
BDIR=$PINCONV_REPORTS/base-fixture
export KDIR

report() { $PY "$PINCONV/scripts/report.py"; }
test_expect_code() {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want: $*" >&2; return 1; }
}

# counts.py PLAN: "section<TAB>acq<TAB>rel<TAB>CONVERT..UNKNOWN" per section,
# straight from the plan, in the order report.md lists them.
cat >"$TRASH/counts.py" <<'EOF'
import json, sys
from collections import Counter, defaultdict
V = ["CONVERT", "MIXED", "EXTRA_REF", "ESCAPES", "KEEP_GET", "PINNED", "MISMATCH", "UNKNOWN"]
p = json.load(open(sys.argv[1]))
c = defaultdict(Counter)
for a in p["acquisitions"]:
    c[a["subsystem"]]["acq"] += 1
for r in p["releases"]:
    c[r["subsystem"]]["rel"] += 1
    c[r["subsystem"]][r["verdict"]] += 1
for s in sorted(c):
    print("\t".join([s.replace("|", "\\|").replace("<", "\\<"), str(c[s]["acq"]), str(c[s]["rel"])] + [str(c[s][v]) for v in V]))
EOF

# validate_plan FILE...: each FILE against scripts/schema/plan.schema.json.
validate_plan() {
	$PY - "$PINCONV/scripts/schema" "$@" <<-\EOF
	import json, os, sys, jsonschema
	d = sys.argv[1]
	store = {}
	for n in ("plan.schema.json", "tree.schema.json"):
	    s = json.load(open(os.path.join(d, n)))
	    # The schemas' ids are relative: give them an absolute base, offline.
	    s["$id"] = "https://pinconv.invalid/" + n
	    store[s["$id"]] = s
	schema = store["https://pinconv.invalid/plan.schema.json"]
	res = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
	for f in sys.argv[2:]:
	    jsonschema.Draft202012Validator(schema, resolver=res).validate(json.load(open(f)))
	EOF
}

test_expect_success 'the fixture plans follow plan.schema.json' '
	validate_plan "$FIX/plan.json" "$FIX/base.json" &&
	sed "s/\"MISMATCH\"/\"MAYBE\"/" "$FIX/plan.json" >bad.json &&
	test_must_fail validate_plan bad.json
'

test_expect_success 'report writes index.html and report.md next to plan.json' '
	mkdir -p "$RDIR/convert/nitro_enclaves" &&
	cp "$FIX/plan.json" "$RDIR/plan.json" &&
	cp "$FIX"/0001-*.patch "$FIX"/0002-*.patch "$FIX/convert.json" "$RDIR/convert/nitro_enclaves/" &&
	report >out 2>err &&
	test -s "$RDIR/index.html" && test -s "$RDIR/report.md" &&
	grep "report: $RDIR/index.html (6 acquisition, 9 release sites)" out &&
	test ! -s err
'

test_expect_success 'the markdown table has, per section, the plan'"'"'s counts of sites and verdicts' '
	$PY "$TRASH/counts.py" "$RDIR/plan.json" >expect &&
	sed -n "/^## Per MAINTAINERS section/,/^## Sites/p" "$RDIR/report.md" |
		grep "^| " | grep -v -e "^| section" -e "^| \*\*total" |
		sed "s/^| //; s/ |$//; s/ | /\t/g" | cut -f1-11 | LC_ALL=C sort >actual &&
	LC_ALL=C sort expect >expect.sorted &&
	test_cmp expect.sorted actual &&
	grep "^| \*\*total\*\* | 6 | 9 | 2 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 3 |$" "$RDIR/report.md"
'

test_expect_success 'the page states the plan'"'"'s totals and one row per site' '
	grep "<b id=nacq>6</b> acquisition sites, <b id=nrel>9</b> release sites in <b id=nsec>4</b>" "$RDIR/index.html" &&
	test $(grep -c "^<tr id=\"A[0-9]*\"" "$RDIR/index.html") = 6 &&
	test $(grep -c "^<tr id=\"R[0-9]*\"" "$RDIR/index.html") = 9
'

test_expect_success 'a second run is byte-identical' '
	cp "$RDIR/index.html" first.html && cp "$RDIR/report.md" first.md &&
	report >/dev/null &&
	cmp first.html "$RDIR/index.html" && cmp first.md "$RDIR/report.md"
'

test_expect_success 'sites link to the patch convert.json names for them, at the plan'"'"'s line' '
	p1=convert/nitro_enclaves/0001-virt-nitro_enclaves-pin-user-memory.patch &&
	p2=convert/nitro_enclaves/0002-virt-nitro_enclaves-unpin-on-remove.patch &&
	site="<td class=f>drivers/virt/nitro_enclaves/ne_misc_dev.c" &&
	grep "$site:1010<.*href=\"$p1\"" "$RDIR/index.html" &&
	grep "$site:1100<.*href=\"$p1\"" "$RDIR/index.html" &&
	grep "$site:1665<.*href=\"$p2\"" "$RDIR/index.html" &&
	! grep "$site:1665<.*href=\"$p1\"" "$RDIR/index.html" &&
	test $(grep -c "href=\"convert/" "$RDIR/index.html") = 3 &&
	grep "ne_misc_dev.c:1665 | rel | .* | $p2 |$" "$RDIR/report.md"
'

test_expect_success 'an acquisition takes the worst verdict of the releases it reaches' '
	grep "foo.c:100<.*<span class=\"v ESCAPES\">ESCAPES</span>" "$RDIR/index.html" &&
	grep "lib/foo.c:50 | acq | foo_grab | get_user_pages | UNKNOWN | no release found" "$RDIR/report.md" &&
	grep "fs/fuse/file.c:1520 | acq | .* | PINNED |" "$RDIR/report.md"
'

test_expect_success 'names from the plan are escaped, and the page loads nothing from elsewhere' '
	grep -F "VFIO DRIVER &amp; &lt;IOMMU&gt; | PIPES" "$RDIR/index.html" &&
	! grep -F "<IOMMU>" "$RDIR/index.html" &&
	! grep -Ei "(src|href|url)[=(]\"?(https?:|//)" "$RDIR/index.html" &&
	! grep -Ei "<(link|img|iframe|object|embed)[ >]|<script src" "$RDIR/index.html"
'

test_expect_success 'BASE= a report directory shows what upstream converted in between' '
	mkdir -p "$BDIR" && cp "$FIX/base.json" "$BDIR/plan.json" &&
	BASE=$BDIR report >/dev/null &&
	grep "^Upstream converted 1 acquisition and 1 release sites" "$RDIR/report.md" &&
	grep "^| converted | fs/fuse/file.c:1520 | fuse_get_user_pages | iov_iter_get_pages2 → iov_iter_extract_pages | CONVERT → PINNED |$" "$RDIR/report.md" &&
	grep "^| converted | fs/fuse/file.c:688 | fuse_release_user_pages | put_page → unpin_user_page | CONVERT → PINNED |$" "$RDIR/report.md" &&
	grep "^| verdict | drivers/vfio/foo.c:140 | foo_put | put_page | MIXED → ESCAPES |$" "$RDIR/report.md" &&
	grep "^| removed | drivers/vfio/old.c:30 | old_put | put_page | CONVERT |$" "$RDIR/report.md" &&
	grep "^| added | drivers/vfio/vfio_iommu_type1.c:620 | put_pfn | put_page | MISMATCH |$" "$RDIR/report.md" &&
	grep "^| api | kernel/events/uprobes.c:170 | uprobe_write_opcode | get_user_pages_remote → get_user_page_vma_remote | KEEP_GET |$" "$RDIR/report.md" &&
	test $(grep -c "^| \(converted\|api\|verdict\|removed\|added\) |" "$RDIR/report.md") = 8 &&
	grep "<b id=conv-acq>1</b> acquisition and <b id=conv-rel>1</b> release" "$RDIR/index.html" &&
	! grep "ne_misc_dev" "$RDIR/report.md" | grep -q "^| \(converted\|api\|verdict\|removed\|added\)"
'

test_expect_success 'BASE= a tree-id under the reports root works the same' '
	cp "$RDIR/report.md" by-dir.md &&
	BASE=base-fixture report >/dev/null &&
	cmp by-dir.md "$RDIR/report.md"
'

test_expect_success 'without BASE= the comparison is gone again' '
	report >/dev/null &&
	cmp first.html "$RDIR/index.html" && ! grep -q "id=compare" "$RDIR/index.html"
'

test_expect_success 'SUBSYS= narrows the report to those paths, in a directory of its own' '
	cp -R "$KDIR" tree && mkdir -p tree/drivers/virt/nitro_enclaves tree/fs/fuse tree/drivers/vfio &&
	trdir=$(report_dir tree) && mkdir -p "$trdir/convert/ne" &&
	cp "$FIX/plan.json" "$trdir/" && cp "$FIX"/000[12]-*.patch "$FIX/convert.json" "$trdir/convert/ne/" &&
	KDIR=tree SUBSYS=drivers/virt/nitro_enclaves/ report >out &&
	sub=$trdir/subsys/drivers_virt_nitro_enclaves &&
	grep "report: $sub/index.html (1 acquisition, 2 release sites)" out &&
	grep "^# Page pins in Linux 6.12.90: drivers/virt/nitro_enclaves$" "$sub/report.md" &&
	! grep -q "fuse\|vfio" "$sub/report.md" &&
	links=$(grep -o "href=\"[^\"#]*\"" "$sub/index.html" | sed "s/href=\"//; s/\"$//" | sort -u) &&
	test $(echo "$links" | wc -l) = 2 &&
	for l in $links; do test -f "$sub/$l" || return 1; done &&
	KDIR=tree SUBSYS="fs/fuse, drivers/vfio" report >out &&
	grep "report: $trdir/subsys/drivers_vfio+fs_fuse/index.html (3 acquisition, 5 release sites)" out &&
	KDIR=tree SUBSYS=fs/nope test_expect_code 2 report 2>err &&
	grep "^pinconv: SUBSYS=fs/nope: no such file or directory" err
'

test_expect_success 'no plan.json: report makes the plan of the tree first, and says so' '
	empty=$PINCONV_REPORTS/empty && mkdir -p "$empty" &&
	OUT=$empty report >out 2>err; rc=$?; cat out err; test $rc = 0 &&
	grep "^pinconv: report: no plan at $empty/plan.json; running plan first$" err &&
	test -f "$empty/plan.json" && test -f "$empty/index.html" &&
	grep "^pinconv: report: $empty/index.html (0 acquisition, 0 release sites)$" out
'

test_expect_success 'a plan that cannot be made: one clear line more, exit 2, no report' '
	mkdir -p noplan/include/linux && cp "$FIX/tree/Makefile" "$FIX/tree/MAINTAINERS" noplan/ &&
	echo "/* no family here */" >noplan/include/linux/mm.h &&
	none=$PINCONV_REPORTS/none && mkdir -p "$none" &&
	KDIR=$TRASH/noplan OUT=$none test_expect_code 2 report 2>err &&
	cat err && grep "^pinconv: plan failed (exit [0-9]*); no report written$" err &&
	test ! -e "$none/index.html" && test ! -e "$none/plan.json"
'

test_expect_success 'a plan with an unknown verdict is refused, the old report kept' '
	bad=$PINCONV_REPORTS/bad && mkdir -p "$bad" &&
	sed "s/\"MISMATCH\"/\"MAYBE\"/" "$FIX/plan.json" >"$bad/plan.json" &&
	echo old >"$bad/index.html" &&
	OUT=$bad test_expect_code 2 report 2>err &&
	grep "^pinconv: .*unknown verdict MAYBE" err && test $(wc -l <err) = 1 &&
	test "$(cat "$bad/index.html")" = old && ! ls "$bad" | grep -q tmp
'

test_expect_success 'an unknown BASE= and a KDIR that is no kernel tree exit 2' '
	BASE=no-such-tree test_expect_code 2 report 2>err &&
	grep "^pinconv: BASE=no-such-tree: no plan.json" err &&
	KDIR=$TRASH test_expect_code 2 report 2>err &&
	grep "^pinconv: KDIR=.*: not a kernel tree" err &&
	cmp first.html "$RDIR/index.html"
'

test_done
