#!/bin/bash
# Golden tests for every semantic patch, in the shape of Coccinelle's tests/:
#
#   semantic-patches/<dir>/<rule>.cocci
#   tests/semantic-patches/<dir>/<rule>/<case>.c     input
#   tests/semantic-patches/<dir>/<rule>/<case>.res   expected file after the rule (patch mode)
#   tests/semantic-patches/<dir>/<rule>/<case>.out   expected stdout (report / facts mode)
#   tests/semantic-patches/<dir>/<rule>/<case>.args  extra spatch arguments (optional)
#   tests/semantic-patches/<dir>/<rule>/<case>.env   KEY=VALUE lines for the rule (optional)
#
# A case with neither .res nor .out is an error, and so is a rule with no case.
. "$(dirname "$0")/lib.sh"

SPATCH_ARGS=(--very-quiet --no-includes --include-headers --timeout 60 --python "$PY")

run_case() {
	local rule=$1 c=$2 base=${2%.c} args=() name
	name=$(basename "$base")
	# .args may name the project's files as $PINCONV/...
	[ -f "$base.args" ] && read -r -a args <<<"$(eval echo "$(cat "$base.args")")"
	mkdir -p "$TRASH/golden"
	cp "$c" "$TRASH/golden/$name.c"
	(
		cd "$TRASH/golden" || exit 1
		if [ -f "$base.env" ]; then
			set -a
			. "$base.env"
			set +a
		fi
		spatch "${SPATCH_ARGS[@]}" "${args[@]}" --sp-file "$PINCONV/$rule" \
			"$name.c" -o "$name.result.c" >"$name.stdout" 2>"$name.stderr"
		rc=$?
		[ $rc -eq 0 ] || { cat "$name.stderr"; exit 1; }
		[ -f "$name.result.c" ] || cp "$name.c" "$name.result.c"
		[ -f "$base.res" ] || [ -f "$base.out" ] || { echo "no .res or .out for $c"; exit 1; }
		if [ -f "$base.res" ]; then diff -u "$base.res" "$name.result.c" || exit 1; fi
		if [ -f "$base.out" ]; then diff -u "$base.out" "$name.stdout" || exit 1; fi
	)
}

cd "$PINCONV" || exit 1
for rule in $(find semantic-patches -name '*.cocci' | LC_ALL=C sort); do
	dir=tests/${rule%.cocci}
	cases=$(ls "$dir"/*.c 2>/dev/null | LC_ALL=C sort)
	if [ -z "$cases" ]; then
		test_expect_success "$rule has golden tests" "echo 'no cases in $dir'; false"
		continue
	fi
	for c in $cases; do
		test_expect_success "$rule: $(basename "${c%.c}")" "run_case $rule $PINCONV/$c"
	done
done

# calls.cocci and moves.cocci each carry the source-reading helpers (a rule
# must run alone, as above); scripts/facts.py joins the rules into one file
# keeping one copy of identical initialize blocks.  Copies that drifted
# apart would both be kept, the later one redefining the helpers of both.
test_expect_success 'the fact rules that read the source carry the same helpers' '
	$PY - "$PINCONV/scripts" <<-\PYEOF
	import os, sys
	sys.path.insert(0, sys.argv[1])
	import facts
	blocks = [facts.INIT.search(open(os.path.join(facts.RULE_DIR, n + ".cocci")).read()).group(1)
	          for n in ("calls", "moves")]
	assert "def pinconv_text" in blocks[0], blocks[0][:200]
	assert blocks[0] == blocks[1], "calls.cocci and moves.cocci helpers differ"
	PYEOF
'
test_done
