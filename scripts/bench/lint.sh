#!/bin/bash
# bench/lint.sh — make lint on a real tree (KDIR=, default linux-source-6.12).
#
#   lint.cold_wall_s       whole-tree lint (plan included) with an empty
#                          spatch cache; target <= 60 s on 2 cores
#   lint.warm_wall_s       the same again, caches warm
#   lint.since_wall_s      SINCE=HEAD~1 after a one-line commit, on a git
#                          hard-link copy of the tree already scanned once;
#                          target <= 10 s
#   lint.errors/warnings   what the whole-tree run reported
#
# Prints "name: value" lines.  Works in temporary directories and a
# hard-link copy; never writes to KDIR.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
kdir=${KDIR:-$("$here/default-tree.sh" 6.12)} || exit 2
[ -f "$here/plan.py" ] || { echo "pinconv: bench/lint: scripts/plan.py is missing" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pinconv-bench-lint.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

export PINCONV_SPATCH_CACHE=$work/cache PINCONV_REPORTS=$work/reports PINCONV_QUIET=1
t0=$(ms)
KDIR=$kdir FORMAT=json $PY "$here/lint.py" >"$work/lint.json" 2>"$work/err"
rc=$?
t1=$(ms)
if [ $rc -ge 2 ]; then
	echo "pinconv: bench/lint: lint failed: $(tail -1 "$work/err")" >&2
	exit 2
fi
KDIR=$kdir $PY "$here/lint.py" >/dev/null 2>&1
t2=$(ms)
echo "lint.cold_wall_s: $(secs "$t0" "$t1") (target <= 60)"
echo "lint.warm_wall_s: $(secs "$t1" "$t2")"
$PY -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]
print("lint.errors: %d" % s["errors"]); print("lint.warnings: %d" % s["warnings"])' "$work/lint.json"

# SINCE on a git tree: a hard-link copy with one commit, scanned once,
# then a one-line change committed (written as a new file: the copy
# shares inodes with KDIR).
g=$work/git
cp -al "$kdir" "$g" || exit 2
(cd "$g" && git init -q && git add -f -A . &&
	git -c user.name=b -c user.email=b@b commit -q -m base) || exit 2
KDIR=$g $PY "$here/lint.py" >/dev/null 2>&1
f=$(cd "$g" && git grep -l "get_user_pages_fast(" -- '*.c' | head -1)
if [ -n "$f" ]; then
	(cd "$g" && { cat "$f"; echo "/* bench */"; } >"$f.new" && mv "$f.new" "$f" &&
		git -c user.name=b -c user.email=b@b commit -q -am "bench: one line") || exit 2
	t3=$(ms)
	KDIR=$g SINCE=HEAD~1 $PY "$here/lint.py" >/dev/null 2>&1
	t4=$(ms)
	echo "lint.since_wall_s: $(secs "$t3" "$t4") (one commit touching $f; target <= 10)"
fi
