# lint-lib.sh — git scratch trees for the lint tests (t03*), sourced after lib.sh.
#
#   git_tree VERSION      path of a git repository whose one commit is the
#                         cached linux-source-VERSION tree: a hard-link copy
#                         (cp -al) with `git add` over it, made once (about
#                         30 s for 6.12) under the pinconv cache, keyed by the
#                         tree's package version like the tree, and reused.
#   scratch_tree VERSION DEST
#                         a hard-link copy of that repository, .git included
#                         (about 3 s): a tree with history to change and
#                         commit in, without touching the cached trees.
#   plant FILE LINE FROM TO
#                         replace FROM by TO on LINE of FILE, written as a
#                         new file and renamed into place: the copies share
#                         inodes with the cached tree, so never edit in place.
#
# Git itself only ever replaces files (lock + rename), and new objects are
# new files, so the hard links stay safe.

lint_cache() { echo "${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}/lint-git"; }

git_tree() {
	local ver=$1 src dest tmp
	# Keyed like the tree itself, by its package version directory.
	src=$("$PINCONV/scripts/default-tree.sh" "$ver") || return 1
	dest=$(lint_cache)/$(basename "$(dirname "$src")")/linux-source-$ver
	if [ -f "$dest/.git/pinconv-complete" ]; then
		echo "$dest"
		return 0
	fi
	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$(dirname "$dest")/.make-$ver.XXXXXX") || return 1
	# The Debian tree's .gitignore ignores its top level: add with -f.
	if cp -al "$src" "$tmp/tree" &&
		(cd "$tmp/tree" && git init -q && git config gc.auto 0 && git add -f -A . &&
		 git -c user.name=pinconv -c user.email=pinconv@localhost \
			commit -q -m "linux-source-$ver as unpacked") >&2; then
		touch "$tmp/tree/.git/pinconv-complete"
		rm -rf "$dest"
		mv "$tmp/tree" "$dest" && rm -rf "$tmp" && echo "$dest"
	else
		rm -rf "$tmp"
		echo "lint-lib: could not make a git tree of $src" >&2
		return 1
	fi
}

scratch_tree() {
	local base
	base=$(git_tree "$1") || return 1
	cp -al "$base" "$2"
}

plant() {
	sed "$2s/$3/$4/" "$1" >"$1.new" && mv "$1.new" "$1" &&
		sed -n "$2p" "$1" | grep -q "$4"
}

git_commit() {
	git -c user.name=pinconv -c user.email=pinconv@localhost commit -q "$@"
}

# plant_in KDIR FILE FUNCTION TEXT FROM TO: plant on the line of FUNCTION
# that holds TEXT (found by src_line, not by a line number).
plant_in() {
	local l
	l=$(src_line "$1" "$2" "$3" "$4") || return 1
	plant "$1/$2" "$l" "$5" "$6"
}

# check_record JSON RECORD KDIR: the error findings of a lint.json against
# a record read by hand, one "file function call REAL|FP hash reason" a
# line (a function's finding recorded once per finding).  The hash is
# src_hash of the function as it was read: when the tree's function is not
# the text that was read (a new point release changed it), or lint reports
# an error no one has read, the test fails saying what to re-read, on which
# package version, instead of asserting a stale answer.
check_record() {
	$PY - "$1" "$2" "$3" "$PINCONV/tests/lib" "${4:-}" <<-\EOF
	import collections, json, sys
	sys.path.insert(0, sys.argv[4])
	import srcfn, hashlib, os
	j = json.load(open(sys.argv[1]))
	kdir, version = sys.argv[3], sys.argv[5] or "this tree"
	got = collections.Counter((f["file"], f["function"], f["call"])
	                          for f in j["findings"] if f["level"] == "error")
	rec = [l.split(None, 5) for l in sys.argv[2].splitlines() if l.strip()]
	assert all(len(r) == 6 and r[3] in ("REAL", "FP") for r in rec), \
	    "record lines are: file function call REAL|FP hash reason"
	want = collections.Counter((r[0], r[1], r[2]) for r in rec)
	stale = []
	for r in rec:
	    _, lines = srcfn.function_lines(os.path.join(kdir, r[0]), r[1])
	    h = hashlib.sha1("\n".join(lines).encode()).hexdigest()[:12]
	    if h != r[4]:
	        stale.append("%s %s() (recorded %s, now %s)" % (r[0], r[1], r[4], h))
	print("errors:", sum(got.values()), "recorded:", sum(want.values()),
	      "false positives:", sum(r[3] == "FP" for r in rec))
	ok = True
	for s in sorted(set(stale)):
	    print("re-read this on %s: %s changed since the record was read" % (version, s))
	    ok = False
	for k in sorted(set(got) | set(want)):
	    if got[k] > want[k]:
	        print("re-read this on %s: %d unrecorded error(s) in %s %s() at %s()"
	              % (version, got[k] - want[k], k[0], k[1], k[2]))
	        ok = False
	    elif got[k] < want[k]:
	        print("recorded, not reported on %s: %s %s() %s() (%d of %d)"
	              % (version, k[0], k[1], k[2], got[k], want[k]))
	        ok = False
	assert ok
	EOF
}
