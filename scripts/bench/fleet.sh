#!/bin/bash
# bench/fleet.sh — make fleet over the two Debian trees (linux-source-6.1
# and 6.12), STAGES=scan,plan,lint, on this machine, with JOBS=1 and with
# JOBS=2 (each a fresh fleet run: every job runs; the per-file caches are
# as they are, warm after the first plan of a tree):
#
#   fleet.two_trees_jobs1_wall_s   6 jobs one at a time
#   fleet.two_trees_jobs2_wall_s   6 jobs, two at once (each stage already
#                                  runs its spatch processes in parallel)
#
# Prints "name: value".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON3:-/usr/bin/python3}
t61=$("$here/default-tree.sh" 6.1) || exit 2
t612=$("$here/default-tree.sh" 6.12) || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/pinconv-bench-fleet.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
unset OUT TREES STAGES HOSTS RESUME REMOTE_DIR SUBSYS API SINCE BASELINE FORMAT NOTES KDIR
printf "%s\n%s\n" "$t61" "$t612" >"$work/trees"

ms() { echo $(($(date +%s%N) / 1000000)); }
for j in 1 2; do
	t0=$(ms)
	JOBS=$j $PY "$here/pinconv" fleet --trees "$work/trees" --out "$work/j$j" \
		>"$work/j$j.out" 2>"$work/j$j.err"
	rc=$?
	t1=$(ms)
	if [ $rc -ge 2 ]; then
		echo "pinconv: bench/fleet: JOBS=$j failed: $(tail -1 "$work/j$j.err")" >&2
		exit 2
	fi
	awk -v a="$t0" -v b="$t1" -v j="$j" \
		'BEGIN { printf "fleet.two_trees_jobs%d_wall_s: %.1f (6 jobs)\n", j, (b - a) / 1000 }'
done
