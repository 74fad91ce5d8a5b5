#!/bin/bash
# scripts/kapi.json is the one table of the kernel page API: the C solver
# knows the same verdicts, origins, iterator kinds, flags, release classes
# and acquisition kinds (pinflow --names), and every stage reads the table
# rather than a copy of it.
. "$(dirname "$0")/lib.sh"

test_expect_success 'pinflow --names equals kapi.json (verdicts and the solver section)' '
	cp -r "$PINCONV/scripts/pinflow" src && make -s -C src clean && make -s -C src pinflow &&
	src/pinflow --names >names.json &&
	$PY - "$PINCONV/scripts/kapi.json" names.json <<-\PYEOF
	import json, sys
	k = json.load(open(sys.argv[1]))
	c = json.load(open(sys.argv[2]))
	want = dict(k["solver"], verdicts=k["verdicts"])
	bad = [key for key in sorted(set(want) | set(c)) if want.get(key) != c.get(key)]
	for key in bad:
	    print("%s: kapi.json %s, pinflow %s" % (key, want.get(key), c.get(key)))
	sys.exit(1 if bad else 0)
	PYEOF
'

test_expect_success 'kapi.json names only classes, kinds and flags the solver knows' '
	$PY - "$PINCONV/scripts/kapi.json" <<-\PYEOF
	import json, sys
	k = json.load(open(sys.argv[1]))
	s = k["solver"]
	bad = [n for n, v in k["releases"].items() if v["class"] not in s["release_classes"]]
	bad += [kind for kind in k["origins"] if kind not in s["origins"]]
	bad += [v["kind"] for v in k["iter_setup"].values() if "iter-" + v["kind"] not in s["iter_origins"]]
	bad += [cls for cls in k["uses"] if cls not in s["flags"]]
	print(bad)
	sys.exit(1 if bad else 0)
	PYEOF
'

test_expect_success 'facts, plan, convert and report read the table, not a copy' '
	(cd "$PINCONV/scripts" && $PY -c "
import kapi, facts, plan, conversion, report
assert facts.RELEASES is kapi.RELEASES and facts.USES is kapi.USES
assert facts.ORIGINS is kapi.ORIGINS and facts.SAME_PAGE is kapi.SAME_PAGE
assert plan.VERDICTS is kapi.VERDICTS and report.VERDICTS is kapi.VERDICTS
assert conversion.PRIMITIVES is kapi.CONVERT_PRIMITIVES
assert report.release_is_pin is kapi.release_is_pin
print(\"ok\")") &&
	! grep -nE "\"(put_page|unpin_user_pages?)\": \(" "$PINCONV"/scripts/*.py &&
	! grep -nE "^VERDICTS = \(" "$PINCONV"/scripts/*.py
'

test_expect_success 'a release class the solver does not know is refused by it' '
	echo "{\"nodes\": [\"X\"], \"edges\": [], \"hops\": [{\"file\": \"a.c\", \"line\": 1, \"what\": \"x\"}], \"seeds\": [], \"flags\": [], \"releases\": [{\"node\": 0, \"class\": \"drop\", \"hop\": 0}]}" >bad.json &&
	test_expect_code_2() { "$@"; test $? = 2; } &&
	test_expect_code_2 src/pinflow bad.json out.json 2>err && grep "bad release class" err
'
test_done
