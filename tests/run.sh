#!/bin/bash
# run.sh — run every test file (tests/t[0-9]*.sh), in order, and print
# the closing "N passed, N failed" line.  TESTS='t01*' narrows the set.
set -u
cd "$(dirname "$0")"
passed=0 failed=0 skipped=0 bad_files=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
for t in ${TESTS:-t[0-9]*.sh}; do
	[ -f "$t" ] || continue
	echo "*** $t"
	t0=$SECONDS
	bash "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	out=$(grep '^# t[0-9].*: passed' "$log")
	p=$(sed -n 's/.*passed \([0-9]*\),.*/\1/p' <<<"$out")
	f=$(sed -n 's/.*failed \([0-9]*\),.*/\1/p' <<<"$out")
	s=$(sed -n 's/.*skipped \([0-9]*\)$/\1/p' <<<"$out")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	# A test file that died before test_done, or failed without saying
	# which test, counts as one failure.
	if [ -z "$out" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
		failed=$((failed + 1))
		bad_files+=("$t")
	fi
	echo "# $t: $((SECONDS - t0)) s"
done
[ ${#bad_files[@]} -gt 0 ] && echo "test files that did not finish: ${bad_files[*]}"
echo "# total: $((SECONDS - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
