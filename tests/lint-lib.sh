# lint-lib.sh — git scratch trees for the lint tests (t03*), sourced after lib.sh.
#
#   git_tree VERSION      path of a git repository whose one commit is the
#                         cached linux-source-VERSION tree: a hard-link copy
#                         (cp -al) with `git add` over it, made once (about
#                         30 s for 6.12) under the pinconv cache and reused.
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
	dest=$(lint_cache)/linux-source-$ver
	if [ -f "$dest/.git/pinconv-complete" ]; then
		echo "$dest"
		return 0
	fi
	src=$("$PINCONV/scripts/default-tree.sh" "$ver") || return 1
	mkdir -p "$(lint_cache)"
	tmp=$(mktemp -d "$(lint_cache)/.make-$ver.XXXXXX") || return 1
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

# check_record JSON RECORD: a lint.json against a hand-read record,
# "file:line call REAL|FP reason" a line; the errors in JSON are exactly the record's.
check_record() {
	$PY - "$1" "$2" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	got = sorted("%s:%d %s" % (f["file"], f["line"], f["call"])
	             for f in j["findings"] if f["level"] == "error")
	rec = [l.split() for l in sys.argv[2].splitlines() if l.strip()]
	assert all(r[2] in ("REAL", "FP") for r in rec), "record lines need REAL or FP"
	want = sorted("%s %s" % (r[0], r[1]) for r in rec)
	print("errors:", len(got), "recorded:", len(want),
	      "false positives:", sum(r[2] == "FP" for r in rec))
	for g in sorted(set(got) - set(want)):
	    print("not recorded:", g)
	for w in sorted(set(want) - set(got)):
	    print("recorded, not reported:", w)
	assert got == want
	EOF
}
