#!/bin/bash
# bench/report.sh — make report on the default 6.12 tree: generation time
# (best of 3 runs of scripts/report.py, plan.json already there) and page
# weight.  Targets from issue 8: generation <= 2 s, index.html <= 1 MiB.
# Prints "name: value" lines; makes the plan first (untimed) if missing.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON3:-/usr/bin/python3}
export KDIR=${KDIR:-$("$here/default-tree.sh" 6.12)} || exit 2
unset BASE OUT
rdir=$($PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as p; print(p.report_dir(sys.argv[2]))' \
	"$here" "$KDIR")

if [ ! -f "$rdir/plan.json" ]; then
	if [ ! -f "$here/plan.py" ]; then
		echo "pinconv: bench/report: no $rdir/plan.json and no scripts/plan.py to make it" >&2
		exit 2
	fi
	[ -f "$rdir/scan.json" ] || $PY "$here/scan.py" >/dev/null || exit 2
	$PY "$here/plan.py" >/dev/null || exit 2
fi

best=
for _ in 1 2 3; do
	t0=$(date +%s%N)
	$PY "$here/report.py" >/dev/null || exit 2
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
html=$(stat -c %s "$rdir/index.html")
# With BASE= the 6.1 report, when its plan is there (not made here).
k61=$("$here/default-tree.sh" 6.1 2>/dev/null) && b61=$($PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import pinconv_tree as p; print(p.report_dir(sys.argv[2]))' "$here" "$k61")
if [ -n "${b61:-}" ] && [ -f "$b61/plan.json" ]; then
	t0=$(date +%s%N)
	BASE=$b61 $PY "$here/report.py" >/dev/null || exit 2
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	bhtml=$(stat -c %s "$rdir/index.html")
	$PY "$here/report.py" >/dev/null || exit 2
fi
md=$(stat -c %s "$rdir/report.md")
sites=$($PY -c 'import json, sys; p = json.load(open(sys.argv[1])); print(len(p["acquisitions"]), len(p["releases"]))' "$rdir/plan.json")
printf 'report.generate_s: %d.%03d (target <= 2)\n' $((best / 1000)) $((best % 1000))
echo "report.index_html_bytes: $html ($($PY -c "print('%.3f' % ($html / 1048576))") MiB, target <= 1 MiB)"
echo "report.report_md_bytes: $md"
if [ -n "${bhtml:-}" ]; then
	printf 'report.generate_base_6.1_s: %d.%03d (target <= 2)\n' $((ms / 1000)) $((ms % 1000))
	echo "report.index_html_base_6.1_bytes: $bhtml (target <= 1 MiB)"
fi
echo "report.sites: ${sites% *} acquisition, ${sites#* } release"
