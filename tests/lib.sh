# lib.sh — a small test library in the manner of git's t/test-lib.sh.
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'scan lists a file spatch cannot parse' '
#           ... commands; the last status decides ...
#   '
#   test_done
#
# Each test runs in a subshell inside "$TRASH" (a fresh directory per test
# file).  Output is TAP: "ok N - title" / "not ok N - title", and the file
# ends with "# passed N, failed N".  Set verbose=t to see the commands'
# output; it is otherwise shown only for failures.

set -u
TEST_NAME=$(basename "$0" .sh)
PINCONV=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON3:-/usr/bin/python3}
TRASH_ROOT=${TRASH_ROOT:-$PINCONV/tests/trash}
TRASH=$TRASH_ROOT/$TEST_NAME
rm -rf "$TRASH"
mkdir -p "$TRASH"
export PINCONV PY TRASH
export PINCONV_REPORTS=$TRASH/reports
test_count=0
test_passed=0
test_failed=0
test_skipped=0

# The default trees, unpacked once into the cache (scripts/default-tree.sh).
tree_612() { "$PINCONV/scripts/default-tree.sh" 6.12; }
tree_61() { "$PINCONV/scripts/default-tree.sh" 6.1; }
# tree_pkg_version 6.12: the Debian package version of linux-source-6.12
# as its tree's marker holds it, for records read by hand on one version.
tree_pkg_version() { "$PINCONV/scripts/default-tree.sh" --version "$1"; }

# src_line KDIR FILE FUNCTION TEXT [N]: the line of FILE holding TEXT in
# FUNCTION's definition (the N-th such line), so tests name a site by
# function and call, never by a line number of one package version.
src_line() {
	local k=$1
	shift
	(cd "$k" && $PY "$PINCONV/tests/lib/srcfn.py" line "$@")
}
# src_hash KDIR FILE FUNCTION: a short hash of FUNCTION's text.
src_hash() {
	local k=$1
	shift
	(cd "$k" && $PY "$PINCONV/tests/lib/srcfn.py" hash "$@")
}

say() { printf '%s\n' "$*"; }

test_expect_success() {
	local title=$1 body=$2 log
	test_count=$((test_count + 1))
	log=$TRASH/.log.$test_count
	if (cd "$TRASH" && eval "$body") >"$log" 2>&1; then
		test_passed=$((test_passed + 1))
		say "ok $test_count - $title"
		[ "${verbose:-}" = t ] && sed 's/^/#   /' "$log"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $title"
		tail -n 40 "$log" | sed 's/^/#   /'
	fi
	return 0
}

# test_skip TITLE WHY: a test that cannot run here, said so (never passed).
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count - $1 # SKIP $2"
}

test_done() {
	say "1..$test_count"
	say "# $TEST_NAME: passed $test_passed, failed $test_failed, skipped $test_skipped"
	[ "$test_failed" -eq 0 ]
}

# Helpers for bodies.
test_cmp() { diff -u "$1" "$2"; }
# test_line_count OP N FILE, as in git's t/: test_line_count = 1 patches
test_line_count() {
	local n
	n=$(wc -l <"$3")
	if ! test "$n" "$1" "$2"; then
		echo "test_line_count: $3 has $n lines, want $1 $2" >&2
		cat "$3" >&2
		return 1
	fi
}
test_must_fail() {
	"$@"
	local rc=$?
	if [ $rc -eq 0 ]; then
		echo "expected failure, got success: $*" >&2
		return 1
	fi
	return 0
}
# tree_hash DIR: one hash over every file's content and mode, for "the
# user's tree is never modified".
tree_hash() {
	(cd "$1" && find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}
# json_get FILE EXPR: evaluate a Python expression over the JSON in FILE (as j).
json_get() { $PY -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
