#!/bin/bash
# The report page in a real browser: headless Chromium loads it from disk,
# scripts/report_check.py reads the DOM over the DevTools pipe (counts
# against plan.json, sorting by real mouse clicks, the section filter, no
# network), and the check itself is shown to fail on broken pages.
# Uses the hand-written plan of tests/report/; about 12 s.
. "$(dirname "$0")/lib.sh"

FIX=$PINCONV/tests/report
RDIR=$PINCONV_REPORTS/fixture
export KDIR=$FIX/tree OUT=$RDIR

CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync)

check() { $PY "$PINCONV/scripts/report_check.py" "$@"; }
# dump_dom URL: the DOM after the page's scripts ran.
dump_dom() {
	chromium "${CHROMIUM_FLAGS[@]}" --user-data-dir="$(mktemp -d "$TRASH/profile.XXXXXX")" \
		--dump-dom "$1" 2>/dev/null
}
# column N: the Nth cell of each #summary body row, from a dumped DOM on stdin.
column() {
	$PY -c '
import re, sys
body = sys.stdin.read().split("<table id=\"summary\">")[1].split("<tbody>")[1].split("</tbody>")[0]
for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    print(re.sub(r"<[^>]+>", "", cells[int(sys.argv[1])]))' "$1"
}

test_expect_success 'setup: a report of the fixture plan' '
	mkdir -p "$RDIR" && cp "$FIX/plan.json" "$RDIR/" &&
	$PY "$PINCONV/scripts/report.py"
'

test_expect_success 'Chromium shows the plan'"'"'s counts, sorts on clicks, filters, asks no network' '
	check "$RDIR/index.html" --plan "$RDIR/plan.json" --screenshot "$RDIR/screenshot.png" >out &&
	grep "^counts: 6 acquisitions, 9 releases, 4 sections, 15 site rows$" out &&
	grep "^sorted: #summary by rel (4 rows, both directions)$" out &&
	grep "^sorted: #sites-table by s-site (15 rows, both directions)$" out &&
	grep "^filter: section .* shows [1-9] rows$" out
'

test_expect_success 'the screenshot is a 1280x800 PNG' '
	$PY - "$RDIR/screenshot.png" <<-\EOF
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	w, h = struct.unpack(">II", d[16:24])
	assert (w, h) == (1280, 800), (w, h)
	EOF
'

test_expect_success 'the check fails on a page that lost a site row' '
	sed "/^<tr id=\"R4\"/d" "$RDIR/index.html" >"$RDIR/lost.html" &&
	test_must_fail check "$RDIR/lost.html" --plan "$RDIR/plan.json" 2>err &&
	grep "^pinconv: report check: sites table: 1 rows differ from the plan" err
'

test_expect_success 'the check fails on a page whose sorting does nothing' '
	sed "s/b.appendChild(rows\[i\])/void 0/" "$RDIR/index.html" >"$RDIR/nosort.html" &&
	! cmp -s "$RDIR/index.html" "$RDIR/nosort.html" &&
	test_must_fail check "$RDIR/nosort.html" --plan "$RDIR/plan.json" 2>err &&
	grep "^pinconv: report check: #summary: click 2 on rel did not sort ascending" err
'

test_expect_success 'the check fails on a page that asks the network for something' '
	sed "s|</body>|<img src=\"http://127.0.0.1:9/x.png\"></body>|" "$RDIR/index.html" >"$RDIR/net.html" &&
	test_must_fail check "$RDIR/net.html" --plan "$RDIR/plan.json" 2>err &&
	grep "^pinconv: report check: network: the page asked for http://127.0.0.1:9/x.png" err
'

test_expect_success 'the URL fragment #sort=rel:asc sorts the summary as the page loads' '
	dump_dom "file://$RDIR/index.html#sort=rel:asc" >asc.html &&
	grep "data-k=\"rel\" data-t=\"n\" aria-sort=\"ascending\"" asc.html &&
	column 3 <asc.html >got && sort -n got >want && test_cmp want got &&
	dump_dom "file://$RDIR/index.html#sort=section:desc" >desc.html &&
	column 0 <desc.html >got && LC_ALL=C sort -r got >want && test_cmp want got &&
	dump_dom "file://$RDIR/index.html" >plain.html &&
	column 0 <plain.html >unsorted && ! cmp -s unsorted got
'

test_expect_success 'the URL fragment #q=NITRO shows only that section'"'"'s sites' '
	dump_dom "file://$RDIR/index.html#q=NITRO" >q.html &&
	grep "<span id=\"shown\">3</span>" q.html &&
	test $(grep -o "<tr id=\"[AR][0-9]*\" data-i=\"[0-9]*\" class=\"hid\">" q.html | wc -l) = 12 &&
	test $(grep -o "<tr id=\"[AR][0-9]*\" data-i=\"[0-9]*\" class=\"\">" q.html | wc -l) = 3
'

test_done
