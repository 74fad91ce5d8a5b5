#!/bin/bash
# bench/plan.sh — make plan (scan + facts + solve) on linux-source-6.12
# and 6.1 (issue 4: full analysis of 6.12 <= 60 s wall on 2 cores, solver
# <= 2 s, peak RSS <= 2 GiB), and the verdict counts of each tree.
#
#   plan.<tree>.cold_wall_s     empty facts cache: every candidate file
#                               through spatch (the figure of the issue)
#   plan.<tree>.warm_wall_s     facts cached per file content (a re-run)
#   plan.<tree>.solve_s         scripts/pinflow alone
#   plan.<tree>.peak_rss_mib    the largest process of the cold run
#   plan.<tree>.files / rounds  candidate files, iterations to the fixed point
#   plan.<tree>.<VERDICT>       releases per verdict; .acquisitions,
#                               .acq_without_release
#   plan.<tree>.ref_parse_s     spatch --parse-c kernel/events/core.c just
#                               before the cold run: this machine's speed
#                               at that moment (the same 2-core kind has
#                               been seen 1.7x apart from hour to hour);
#                               a rough guide only: it does not scale the
#                               cold plan reliably (README)
#
# Reports and caches go to a temporary directory; the trees are read only.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON3:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/pinconv-bench-plan.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
make -s -C "$here/pinflow" >/dev/null || exit 2
unset OUT API
for ver in 6.12 6.1; do
	kdir=$("$here/default-tree.sh" "$ver") || exit 2
	name=${ver/./_}
	start=$(date +%s.%N)
	(cd "$kdir" && spatch --parse-c kernel/events/core.c >/dev/null 2>&1)
	printf 'plan.%s.ref_parse_s: %.2f\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
	for run in cold warm; do
		rm -rf "$work/reports"
		[ $run = cold ] && rm -rf "$work/cache"
		start=$(date +%s.%N)
		PINCONV_CACHE=$work/cache/pinconv PINCONV_REPORTS=$work/reports KDIR=$kdir \
			PINCONV_TIMES=1 PINCONV_QUIET=1 \
			/usr/bin/time -f 'rss_kib %M' -o "$work/time.$run" \
			$PY "$here/plan.py" >"$work/out.$run" 2>"$work/err.$run" || {
			echo "pinconv: bench/plan: make plan failed on $ver" >&2
			tail -3 "$work/err.$run" >&2
			exit 2
		}
		end=$(date +%s.%N)
		printf 'plan.%s.%s_wall_s: %.1f\n' "$name" "$run" "$(echo "$end - $start" | bc)"
	done
	sed -n 's/.*solve \([0-9.]*\) s.*/\1/p' "$work/out.cold" | sed "s/^/plan.$name.solve_s: /"
	awk -v n="$name" '/rss_kib/ {printf "plan.%s.peak_rss_mib: %d\n", n, $2 / 1024}' "$work/time.cold"
	plan=$(ls "$work"/reports/*/plan.json)
	$PY - "$plan" "$name" "$work/out.warm" <<-\EOP
	import collections, json, re, sys
	j = json.load(open(sys.argv[1]))
	n = sys.argv[2]
	c = collections.Counter(r["verdict"] for r in j["releases"])
	for v in ("CONVERT", "MIXED", "EXTRA_REF", "ESCAPES", "KEEP_GET", "PINNED",
	          "MISMATCH", "UNKNOWN"):
	    print("plan.%s.%s: %d" % (n, v, c.get(v, 0)))
	print("plan.%s.acquisitions: %d" % (n, len(j["acquisitions"])))
	print("plan.%s.acq_without_release: %d" % (n, sum(1 for a in j["acquisitions"] if not a["releases"])))
	m = re.search(r"(\d+) files, (\d+) rounds", open(sys.argv[3]).read())
	if m:
	    print("plan.%s.files: %s" % (n, m.group(1)))
	    print("plan.%s.rounds: %s" % (n, m.group(2)))
	EOP
done
