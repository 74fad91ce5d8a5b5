#!/bin/bash
# lint.py's own logic on a small tree and a hand-written plan.json: the
# three formats, exit codes, notes, baselines, SINCE and bad input.  The
# plan comes from PINCONV_PLAN, so these tests do not need the provenance
# engine; t0310/t0320 run the real pipeline on real trees.
. "$(dirname "$0")/lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
# The trash lives inside pinconv's own repo: stop git looking above it.
export GIT_CEILING_DIRECTORIES=$TRASH

# A tiny kernel tree: enough for check_tree(), gup_family() and MAINTAINERS.
setup_tree() {
	mkdir -p tree/include/linux tree/drivers/foo tree/drivers/bar &&
	printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 1\nEXTRAVERSION =\n' >tree/Makefile &&
	cat >tree/include/linux/mm.h <<-\EOF &&
	int get_user_pages_fast(unsigned long start, int nr_pages,
				unsigned int gup_flags, struct page **pages);
	int pin_user_pages_fast(unsigned long start, int nr_pages,
				unsigned int gup_flags, struct page **pages);
	void unpin_user_page(struct page *page);
	EOF
	cat >tree/include/linux/uio.h <<-\EOF &&
	ssize_t iov_iter_get_pages2(struct iov_iter *i, struct page **pages,
				size_t maxsize, unsigned maxpages, size_t *start);
	ssize_t iov_iter_extract_pages(struct iov_iter *i, struct page ***pages,
				size_t maxsize, unsigned int maxpages,
				iov_iter_extraction_t extraction_flags, size_t *offset0);
	EOF
	printf 'FOO DRIVER\nF:\tdrivers/foo/\n\nBAR DRIVER\nF:\tdrivers/bar/\n' >tree/MAINTAINERS &&
	for f in drivers/foo/a.c drivers/foo/b.c drivers/bar/c.c; do
		seq 1 60 | sed 's|^|// line |' >tree/$f || return 1
	done
}

# plan.json with one MISMATCH reached through a struct field in b.c, one
# CONVERT release, one PINNED release and an iov_iter caller with no
# release.  $1 shifts every line of a.c (code moved, nothing changed).
write_plan() {
	s=${1:-0}
	cat >"$2" <<-EOF
	{"schema": "pinconv-plan/1",
	 "tree": {"path": "x", "version": "6.12.1", "api_profile": "pin", "extract_api": true},
	 "releases": [
	  {"file": "drivers/foo/a.c", "line": $((20 + s)), "col": 2, "function": "foo_release",
	   "call": "put_page", "verdict": "MISMATCH", "origins": ["pin"],
	   "chain": [{"file": "drivers/foo/a.c", "line": $((10 + s)), "what": "pin_user_pages_fast() pins into pages"},
	             {"file": "drivers/foo/b.c", "line": 5, "what": "stored in struct foo_dev.pages at drivers/foo/b.c:5"},
	             {"file": "drivers/foo/a.c", "line": $((20 + s)), "what": "put_page(dev->pages[i])"}],
	   "reason": "pinned pages released by put_page", "subsystem": "FOO DRIVER"},
	  {"file": "drivers/foo/a.c", "line": $((40 + s)), "col": 8, "function": "foo_unmap",
	   "call": "put_page", "verdict": "CONVERT", "origins": ["gup"],
	   "chain": [{"file": "drivers/foo/a.c", "line": $((35 + s)), "what": "get_user_pages_fast() into pages"}],
	   "reason": "", "subsystem": "FOO DRIVER"},
	  {"file": "drivers/bar/c.c", "line": 30, "col": 1, "function": "bar_done",
	   "call": "unpin_user_page", "verdict": "PINNED", "origins": ["pin"],
	   "chain": [], "reason": "already pinned", "subsystem": "BAR DRIVER"}
	 ],
	 "acquisitions": [
	  {"file": "drivers/foo/a.c", "line": $((10 + s)), "col": 7, "function": "foo_map",
	   "api": "pin_user_pages_fast", "releases": ["drivers/foo/a.c:$((20 + s))"], "subsystem": "FOO DRIVER"},
	  {"file": "drivers/foo/a.c", "line": $((35 + s)), "col": 7, "function": "foo_map2",
	   "api": "get_user_pages_fast", "releases": ["drivers/foo/a.c:$((40 + s))"], "subsystem": "FOO DRIVER"},
	  {"file": "drivers/bar/c.c", "line": 25, "col": 4, "function": "bar_start",
	   "api": "pin_user_pages_fast", "releases": ["drivers/bar/c.c:30"], "subsystem": "BAR DRIVER"},
	  {"file": "drivers/bar/c.c", "line": 50, "col": 9, "function": "bar_iter",
	   "api": "iov_iter_get_pages2", "releases": [], "note": "no release found", "subsystem": "BAR DRIVER"}
	 ]}
	EOF
}

# validate FILE: FILE against scripts/schema/lint.schema.json.
validate() {
	$PY - "$1" "$PINCONV/scripts/schema" <<-\EOF
	import json, os, sys, jsonschema
	d = sys.argv[2]
	store = {}
	for n in [n for n in os.listdir(d) if n.endswith(".schema.json")]:
	    s = json.load(open(os.path.join(d, n)))
	    # The schemas' ids are relative: give them an absolute base, offline.
	    s["$id"] = "https://pinconv.invalid/" + n
	    store[s["$id"]] = s
	schema = store["https://pinconv.invalid/lint.schema.json"]
	res = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
	jsonschema.Draft202012Validator(schema, resolver=res).validate(json.load(open(sys.argv[1])))
	EOF
}

# sarif_check FILE: the parts of SARIF 2.1.0 GitHub code scanning requires,
# checked by hand (no network here to fetch the official schema).
sarif_check() {
	$PY - "$1" <<-\EOF
	import json, re, sys
	s = json.load(open(sys.argv[1]))
	assert s["version"] == "2.1.0", "version"
	assert "sarif-2.1.0" in s["$schema"], "$schema"
	assert isinstance(s["runs"], list) and len(s["runs"]) == 1
	run = s["runs"][0]
	drv = run["tool"]["driver"]
	assert drv["name"] == "pinconv"
	ids = [r["id"] for r in drv["rules"]]
	assert ids == sorted(set(ids)), "rule ids unique and sorted"
	for r in drv["rules"]:
	    assert re.match(r"^pinconv-[A-Z_]+$", r["id"]), r["id"]
	    assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
	    assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
	    assert r["properties"]["problem.severity"] in ("error", "warning", "recommendation")
	assert run["results"], "no results"
	def check_loc(loc):
	    pl = loc["physicalLocation"]
	    uri = pl["artifactLocation"]["uri"]
	    assert not uri.startswith("/") and "://" not in uri and "\\" not in uri, uri
	    assert not uri.startswith("./") and ".." not in uri.split("/"), uri
	    assert pl["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
	    assert isinstance(pl["region"]["startLine"], int) and pl["region"]["startLine"] >= 1
	    c = pl["region"].get("startColumn", 1)
	    assert isinstance(c, int) and c >= 1
	for res in run["results"]:
	    assert res["ruleId"] in ids, res["ruleId"]
	    assert ids[res["ruleIndex"]] == res["ruleId"]
	    assert res["level"] in ("error", "warning", "note")
	    assert res["message"]["text"]
	    assert len(res["locations"]) >= 1
	    for loc in res["locations"]:
	        check_loc(loc)
	    assert re.match(r"^[0-9a-f]{20}$", res["partialFingerprints"]["pinconvFingerprint/v1"])
	    for loc in res.get("relatedLocations", []):
	        check_loc(loc)
	        assert isinstance(loc["id"], int) and loc["message"]["text"]
	    for cf in res.get("codeFlows", []):
	        for tf in cf["threadFlows"]:
	            assert tf["locations"]
	            for tl in tf["locations"]:
	                check_loc(tl["location"])
	print("sarif ok:", len(run["results"]), "results")
	EOF
}

test_expect_success 'setup: a small tree and a plan with one MISMATCH' '
	setup_tree && write_plan 0 plan.json &&
	test -f tree/MAINTAINERS
'

test_expect_success 'gcc format: the MISMATCH is an error with its chain as notes, exit 1' '
	test_must_fail env KDIR=tree PINCONV_PLAN=plan.json $LINT >out 2>err &&
	cat >expect <<-\EOF &&
	drivers/foo/a.c:20:3: error: put_page() releases pages it must not (pinned pages released by put_page; origins: pin) [pinconv-MISMATCH]
	drivers/foo/a.c:10: note: pin_user_pages_fast() pins into pages
	drivers/foo/b.c:5: note: stored in struct foo_dev.pages at drivers/foo/b.c:5
	drivers/foo/a.c:20: note: put_page(dev->pages[i])
	drivers/foo/a.c:35:8: warning: get_user_pages_fast() takes page references; 1 of its 1 release site(s) can move to pin_user_pages* (verdicts: CONVERT 1; profile pin) [pinconv-CONVERTIBLE]
	drivers/foo/a.c:40: note: released by put_page() [CONVERT]
	EOF
	test_cmp expect out &&
	grep "^pinconv: lint: 1 error(s), 1 warning(s)$" err
'

test_expect_success 'exit status is 1 exactly when errors remain' '
	env KDIR=tree PINCONV_PLAN=plan.json $LINT >/dev/null 2>&1; test $? = 1 &&
	$PY -c "import json; p=json.load(open(\"plan.json\")); p[\"releases\"]=p[\"releases\"][1:]; json.dump(p, open(\"clean.json\",\"w\"))" &&
	env KDIR=tree PINCONV_PLAN=clean.json $LINT >out 2>err &&
	grep -c warning: out >n && test "$(cat n)" = 1
'

test_expect_success 'notes are off by default and shown with NOTES=1' '
	env KDIR=tree PINCONV_PLAN=plan.json $LINT >out 2>/dev/null;
	! grep "pinconv-NOTE" out &&
	env KDIR=tree PINCONV_PLAN=plan.json NOTES=1 $LINT >out 2>/dev/null;
	grep "^drivers/bar/c.c:30:2: note: unpin_user_page(): PINNED (already pinned) \[pinconv-NOTE\]$" out &&
	grep "^drivers/bar/c.c:50:10: note: iov_iter_get_pages2(): no release found \[pinconv-NOTE\]$" out
'

test_expect_success 'a tree without the newer API gets notes, not warnings' '
	cp -r tree old && sed -i "/unpin_user_page/d" old/include/linux/mm.h &&
	env KDIR=old PINCONV_PLAN=plan.json NOTES=1 $LINT >out 2>/dev/null;
	! grep "warning:" out &&
	grep "a.c:35:8: note: get_user_pages_fast(): releases: CONVERT 1 (this tree lacks the newer API)" out
'

test_expect_success 'FORMAT=json validates against lint.schema.json' '
	env KDIR=tree PINCONV_PLAN=plan.json FORMAT=json NOTES=1 $LINT >out.json 2>/dev/null;
	validate out.json &&
	test "$(json_get out.json "j[\"summary\"]")" = "{'"'"'errors'"'"': 1, '"'"'notes'"'"': 3, '"'"'suppressed'"'"': 0, '"'"'warnings'"'"': 1}" &&
	test "$(json_get out.json "[f[\"level\"] for f in j[\"findings\"]]")" = "['"'"'error'"'"', '"'"'warning'"'"', '"'"'note'"'"', '"'"'note'"'"', '"'"'note'"'"']" &&
	test "$(json_get out.json "len(j[\"findings\"][0][\"chain\"])")" = 3
'

test_expect_success 'FORMAT=sarif has what GitHub code scanning requires' '
	env KDIR=tree PINCONV_PLAN=plan.json FORMAT=sarif NOTES=1 $LINT >out.sarif 2>/dev/null;
	sarif_check out.sarif &&
	test "$(json_get out.sarif "[(r[\"ruleId\"], r[\"level\"]) for r in j[\"runs\"][0][\"results\"]][0]")" = "('"'"'pinconv-MISMATCH'"'"', '"'"'error'"'"')" &&
	test "$(json_get out.sarif "j[\"runs\"][0][\"results\"][0][\"locations\"][0][\"physicalLocation\"][\"region\"]")" = "{'"'"'startColumn'"'"': 3, '"'"'startLine'"'"': 20}"
'

test_expect_success 'the sarif checker rejects an absolute URI and an unknown rule id' '
	$PY -c "import json; s=json.load(open(\"out.sarif\")); s[\"runs\"][0][\"results\"][0][\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"]=\"/abs/a.c\"; json.dump(s, open(\"bad1.sarif\",\"w\"))" &&
	$PY -c "import json; s=json.load(open(\"out.sarif\")); s[\"runs\"][0][\"results\"][0][\"ruleId\"]=\"pinconv-NOPE\"; json.dump(s, open(\"bad2.sarif\",\"w\"))" &&
	test_must_fail sarif_check bad1.sarif &&
	test_must_fail sarif_check bad2.sarif
'

test_expect_success 'output is deterministic and also written to the report dir' '
	env KDIR=tree PINCONV_PLAN=plan.json FORMAT=sarif $LINT >a.sarif 2>/dev/null;
	env KDIR=tree PINCONV_PLAN=plan.json FORMAT=sarif $LINT >b.sarif 2>/dev/null;
	test_cmp a.sarif b.sarif &&
	test_cmp a.sarif "$PINCONV_REPORTS"/tree-*/lint.sarif
'

test_expect_success 'lint-baseline writes fingerprints; with BASELINE= the tree is clean' '
	env KDIR=tree PINCONV_PLAN=plan.json BASELINE=base.json $LINT --write-baseline 2>err &&
	grep "baseline of 2 finding(s) written" err &&
	env KDIR=tree PINCONV_PLAN=plan.json BASELINE=base.json $LINT >out 2>err &&
	test ! -s out && grep "2 suppressed by baseline" err
'

test_expect_success 'the baseline still matches after the code moved down 7 lines' '
	write_plan 7 moved.json &&
	env KDIR=tree PINCONV_PLAN=moved.json BASELINE=base.json $LINT >out 2>err &&
	test ! -s out && grep "2 suppressed by baseline" err
'

test_expect_success 'a new mismatch is not hidden by the baseline' '
	$PY -c "
import json; p = json.load(open(\"plan.json\"))
r = dict(p[\"releases\"][0], file=\"drivers/bar/c.c\", line=44, function=\"bar_stop\",
         chain=[{\"file\": \"drivers/bar/c.c\", \"line\": 25, \"what\": \"pinned by pin_user_pages_fast()\"}])
p[\"releases\"].append(r); json.dump(p, open(\"new.json\", \"w\"))" &&
	test_must_fail env KDIR=tree PINCONV_PLAN=new.json BASELINE=base.json $LINT >out 2>/dev/null &&
	test "$(grep -c error: out)" = 1 && grep "^drivers/bar/c.c:44:3: error:" out
'

test_expect_success 'SINCE: setup a git history for the small tree' '
	(cd tree && git init -q && git add -f -A . &&
	 git -c user.name=t -c user.email=t@t commit -qm base) &&
	env KDIR=tree PINCONV_PLAN=plan.json SINCE=HEAD $LINT >out 2>/dev/null &&
	test ! -s out
'

test_expect_success 'SINCE: a change on a chain hop in another file brings back the MISMATCH' '
	(cd tree && sed -i "5s/.*/struct change;/" drivers/foo/b.c &&
	 git -c user.name=t -c user.email=t@t commit -qam field) &&
	test_must_fail env KDIR=tree PINCONV_PLAN=plan.json SINCE=HEAD~1 $LINT >out 2>/dev/null &&
	grep -c "error:" out >n && test "$(cat n)" = 1 && ! grep warning: out
'

test_expect_success 'SINCE: a change elsewhere in the same file reports nothing' '
	(cd tree && sed -i "50s/.*/int other;/" drivers/foo/b.c &&
	 git -c user.name=t -c user.email=t@t commit -qam other) &&
	env KDIR=tree PINCONV_PLAN=plan.json SINCE=HEAD~1 $LINT >out 2>/dev/null &&
	test ! -s out
'

test_expect_success 'SINCE: an uncommitted edit of a release site counts, and a deletion next to it too' '
	(cd tree && sed -i "40s/.*/put_page(p);/" drivers/foo/a.c) &&
	env KDIR=tree PINCONV_PLAN=plan.json SINCE=HEAD $LINT >out 2>/dev/null &&
	grep "^drivers/foo/a.c:35:8: warning:" out && ! grep error: out &&
	(cd tree && git checkout -q drivers/foo/a.c && sed -i "21d" drivers/foo/a.c) &&
	test_must_fail env KDIR=tree PINCONV_PLAN=plan.json SINCE=HEAD $LINT >out 2>/dev/null &&
	grep "^drivers/foo/a.c:20:3: error:" out &&
	(cd tree && git checkout -q drivers/foo/a.c)
'

# Bad input: one "pinconv: ..." line on stderr, exit 2, nothing written.
bad() {
	rm -rf "$PINCONV_REPORTS"
	env "$@" $LINT >out 2>err
	rc=$?
	cat err
	test $rc = 2 && test "$(wc -l <err)" = 1 && grep "^pinconv: " err &&
		test ! -s out && ! ls "$PINCONV_REPORTS"/*/lint.* 2>/dev/null
}

test_expect_success 'bad input: SINCE= a revision that does not exist' '
	bad KDIR=tree PINCONV_PLAN=plan.json SINCE=no-such-rev &&
	grep "SINCE=no-such-rev: no such revision" err
'

test_expect_success 'bad input: SINCE= on a KDIR without git history' '
	bad KDIR=old PINCONV_PLAN=plan.json SINCE=HEAD &&
	grep "needs git history" err
'

test_expect_success 'bad input: unknown FORMAT, missing BASELINE, broken plan, not a tree' '
	bad KDIR=tree PINCONV_PLAN=plan.json FORMAT=xml && grep "unknown FORMAT=xml" err &&
	bad KDIR=tree PINCONV_PLAN=plan.json BASELINE=nope.json && grep "baseline nope.json" err &&
	echo "{" >broken.json &&
	bad KDIR=tree PINCONV_PLAN=broken.json && grep "not valid JSON" err &&
	bad KDIR=tree/drivers PINCONV_PLAN=plan.json && grep "not a kernel tree" err
'

test_done
