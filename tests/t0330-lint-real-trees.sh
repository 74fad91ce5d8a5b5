#!/bin/bash
# make lint over the whole of linux-source-6.12 and 6.1, through the real
# pipeline.  Every error-level finding was read by hand and is recorded
# below as a real bug or a false positive, with the reason; the test fails
# when lint reports an error not in the record, or stops reporting one.
# Also: the JSON validates, the SARIF is well formed, the exit status says
# whether there are errors, and the trees are not written to.
. "$(dirname "$0")/lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN

# The record: "file:line call verdict-of-the-reader reason", one a line.
RECORD_612='
@RECORD_612@
'
RECORD_61='
@RECORD_61@
'

# check_record JSON RECORD: the errors in JSON are exactly the record's.
check_record() {
	$PY - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	got = sorted("%s:%d %s" % (f["file"], f["line"], f["call"])
	             for f in j["findings"] if f["level"] == "error")
	rec = [l.split() for l in sys.argv[2].splitlines() if l.strip()]
	assert all(r[2] in ("REAL", "FP") for r in rec), "record lines need REAL or FP"
	want = sorted("%s %s" % (r[0], r[1]) for r in rec)
	print("errors:", len(got), "recorded:", len(want),
	      "false positives:", sum(r[2] == "FP" for r in rec))
	for g in sorted(set(got) - set(want)):
	    print("not recorded:", g)
	for w in sorted(set(want) - set(got)):
	    print("recorded, not reported:", w)
	assert got == want
	EOF
}

validate() {
	$PY "$PINCONV/scripts/schema/validate.py" lint.schema.json "$1"
}

for ver in 6.12 6.1; do
	tree=$("$PINCONV/scripts/default-tree.sh" $ver)
	record=RECORD_${ver/./}
	test_expect_success "whole-tree lint of $ver: exit status says whether there are errors" '
		test -f "$PINCONV/scripts/plan.py" &&
		touch stamp.$ver &&
		KDIR=$tree FORMAT=json $LINT >lint.$ver.json 2>err.$ver; rc=$?
		cat err.$ver
		errors=$(json_get lint.$ver.json "j[\"summary\"][\"errors\"]") &&
		if [ "$errors" -gt 0 ]; then test $rc = 1; else test $rc = 0; fi &&
		validate lint.$ver.json
	'
	test_expect_success "$ver: every error-level finding is recorded as a real bug or a false positive" '
		check_record lint.$ver.json "${!record}"
	'
	test_expect_success "$ver: the SARIF of the same run has one result per finding, relative URIs" '
		sarif=$(ls "$PINCONV_REPORTS"/linux-source-$ver-*/lint.sarif) &&
		test "$(json_get $sarif "len(j[\"runs\"][0][\"results\"])")" = \
		     "$(json_get lint.$ver.json "len(j[\"findings\"])")" &&
		test "$(json_get $sarif "sum(1 for r in j[\"runs\"][0][\"results\"] for l in r[\"locations\"] if l[\"physicalLocation\"][\"artifactLocation\"][\"uri\"].startswith(\"/\"))")" = 0
	'
	test_expect_success "$ver: lint wrote nothing into the tree" '
		find "$tree" -newer stamp.$ver >new.$ver &&
		cat new.$ver && test ! -s new.$ver
	'
done

test_done
