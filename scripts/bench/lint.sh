#!/bin/bash
# bench/lint.sh — make lint on a real tree (KDIR=, default linux-source-6.12),
# in a git hard-link copy of it (SINCE needs history; KDIR is never written).
#
#   lint.whole_tree_wall_s        first lint of the copy: plan made (facts
#                                 from the per-file cache as it is), report;
#                                 target <= 60 s on 2 cores
#   lint.unchanged_wall_s         lint again, tree unchanged: the plan is
#                                 reused (key: git content + engine files)
#   lint.since_one_commit_wall_s  SINCE=HEAD~1 after committing a one-line
#                                 comment to a GUP caller: plan_reuse.py
#                                 re-runs spatch on that file, finds its
#                                 facts unchanged, reuses the plan; target
#                                 <= 10 s
#   lint.since_rerun_wall_s       the same SINCE run again (plan reused)
#   lint.since_code_change_wall_s SINCE=HEAD~1 after a commit that adds a
#                                 function to that file: its facts change,
#                                 so the plan is remade (warm caches)
#   lint.errors / lint.warnings   of the whole-tree run
#
# Cold-cache analysis time is bench/plan.sh's figure.  Prints "name: value".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON3:-/usr/bin/python3}
kdir=${KDIR:-$("$here/default-tree.sh" 6.12)} || exit 2
[ -f "$here/plan.py" ] || { echo "pinconv: bench/lint: scripts/plan.py is missing" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pinconv-bench-lint.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
unset SINCE BASELINE FORMAT NOTES OUT PINCONV_PLAN API
export PINCONV_REPORTS=$work/reports PINCONV_QUIET=1

ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
# run NAME [ENV...]: time one lint of the copy, print NAME's figure.
run() {
	local name=$1 t0 t1 rc
	shift
	t0=$(ms)
	env KDIR="$g" "$@" $PY "$here/lint.py" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	t1=$(ms)
	if [ $rc -ge 2 ]; then
		echo "pinconv: bench/lint: $name failed: $(tail -1 "$work/$name.err")" >&2
		exit 2
	fi
	echo "lint.$name: $(secs "$t0" "$t1")$extra"
}

g=$work/tree
cp -al "$kdir" "$g" &&
	(cd "$g" && git init -q && git config gc.auto 0 && git add -f -A . &&
	 git -c user.name=b -c user.email=b@b commit -q -m base) || exit 2

extra=" (target <= 60)" run whole_tree_wall_s FORMAT=json
cp "$work/whole_tree_wall_s.out" "$work/lint.json"
extra="" run unchanged_wall_s
$PY -c 'import json, sys; s = json.load(open(sys.argv[1]))["summary"]
print("lint.errors: %d" % s["errors"]); print("lint.warnings: %d" % s["warnings"])' "$work/lint.json"

# One commit touching a GUP caller (a new file renamed into place: the
# copy shares inodes with KDIR).
f=$(cd "$g" && git grep -l "get_user_pages_fast(" -- '*.c' | head -1)
[ -n "$f" ] || exit 0
(cd "$g" && { cat "$f" && echo "/* bench */"; } >"$f.new" && mv "$f.new" "$f" &&
	git -c user.name=b -c user.email=b@b commit -q -am "bench: one line") || exit 2
extra=" (one commit touching $f; target <= 10)" run since_one_commit_wall_s SINCE=HEAD~1
extra="" run since_rerun_wall_s SINCE=HEAD~1
(cd "$g" && { cat "$f" && printf "static inline int pinconv_bench(int x)\n{\n\treturn x;\n}\n"; } >"$f.new" &&
	mv "$f.new" "$f" && git -c user.name=b -c user.email=b@b commit -q -am "bench: code") || exit 2
extra=" (a new function in $f: re-plan)" run since_code_change_wall_s SINCE=HEAD~1
