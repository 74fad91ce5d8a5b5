#!/bin/bash
# make fleet (scripts/fleet.py through scripts/pinconv): scan, plan and lint
# over the 6.1 and 6.12 trees and two revisions of a git copy of 6.12 (the
# second pins vmci's notify page by hand and plants a wrong release in
# dfl-afu), with GNU parallel:
#   - on this machine: exact statuses, the summary's counts against the
#     jobs' own plan.json/lint.json, the merged SARIF and gcc lines, the
#     history's new MISMATCH and CONVERT -> PINNED, the user's checkout
#     only read;
#   - across two hosts, this machine (':') and an sshd on a loopback port
#     started here with throwaway keys, whose jobs use their own cache and
#     get the project by rsync: the same summary, byte for byte;
#   - killed half way and resumed: the joblog shows that only the jobs not
#     finished ran again, and the summary is again the same;
#   - STAGES=lint,report over the history: the later revision's report is
#     made with BASE= the earlier one, and the summary links it.
# Costs about three warm plans per tree and run (facts from the per-file
# cache); nothing is timed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint-lib.sh"

export GIT_CEILING_DIRECTORIES=$TRASH
unset OUT TREES STAGES HOSTS JOBS RESUME REMOTE_DIR SUBSYS API SINCE BASELINE \
	FORMAT NOTES PINCONV_PLAN KDIR BASE SERIES
FLEET="$PY $PINCONV/scripts/pinconv fleet"
CACHE=${PINCONV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinconv}
T61=$(tree_61)
T612=$(tree_612)
H=$TRASH/hist
DFL=drivers/fpga/dfl-afu-dma-region.c
VMCI=drivers/misc/vmw_vmci

# At the end: stop the sshd; drop the second host's checkouts (1.7 GB,
# never reused: the next run has a new trash).
trap 'test -f "$TRASH/ssh/sshd.pid" && kill "$(cat "$TRASH/ssh/sshd.pid")" 2>/dev/null
rm -rf "$TRASH/host2/cache/pinconv/fleet/trees"' EXIT

test_expect_success 'setup: a git copy of 6.12 with a second commit; the TREES file' '
	scratch_tree 6.12 hist &&
	plant_in hist $VMCI/vmci_host.c vmci_host_setup_notify "get_user_pages_fast(uva" \
		get_user_pages_fast pin_user_pages_fast &&
	plant_in hist $VMCI/vmci_context.c vmci_ctx_unset_notify "put_page(notify_page)" \
		put_page unpin_user_page &&
	plant_in hist $DFL afu_dma_unpin_pages "unpin_user_pages(" unpin_user_pages release_pages &&
	(cd hist && GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
		git_commit -am "vmci: pin the notify page; fpga: release_pages (wrong)") &&
	git -C hist rev-parse HEAD >head.commit &&
	git -C hist rev-parse HEAD~1 >base.commit &&
	src_line hist $DFL afu_dma_unpin_pages "release_pages(" >dfl.line &&
	printf "# two Debian trees and two revisions of one branch\n%s\n%s\n\n%s@HEAD~1\n%s@HEAD\n" \
		"$T61" "$T612" "$H" "$H" >trees &&
	cat trees && touch stamp
'

test_expect_success 'fleet on this machine: one job per tree and stage, exact statuses (lint errors: 1)' '
	$FLEET --trees trees --out one >one.out 2>one.err; echo $? >one.rc
	cat one.err one.out &&
	test "$(cat one.rc)" = 1 &&
	test "$(json_get one/summary.json "j[\"status\"]")" = 1 &&
	json_get one/summary.json "\" \".join(\"%s:%s\" % (st, e[\"status\"]) for t in j[\"trees\"] for st, e in sorted(t[\"stages\"].items()))" >st &&
	cat st && test "$(cat st)" = "$(echo $(for i in 1 2 3 4; do echo lint:1 plan:0 scan:0; done))" &&
	json_get one/summary.json "\" \".join(\".\".join(t[\"version\"].split(\".\")[:2]) for t in j[\"trees\"])" >ver &&
	test "$(cat ver)" = "6.1 6.12 6.12 6.12" &&
	json_get one/summary.json "\" \".join(t[\"commit\"] or \"-\" for t in j[\"trees\"])" >commits &&
	test "$(cat commits)" = "- - $(cat base.commit) $(cat head.commit)"
'

test_expect_success 'progress: one line per finished job when not on a terminal; the joblog has every job once' '
	grep "^fleet: " one.out >lines && test_line_count = 12 lines &&
	tail -n +2 one/joblog | cut -f1,7,8 | sort -n >jl && cat jl &&
	test_line_count = 12 jl &&
	test "$(cut -f1 jl | tr "\n" " ")" = "1 2 3 4 5 6 7 8 9 10 11 12 " &&
	test "$(cut -f2,3 jl | sort -u)" = "$(printf "0\t0")"
'

test_expect_success 'the summary counts are those of the jobs'"'"' own scan.json, plan.json and lint.json' '
	$PY - one <<-\EOF
	import collections, json, os, sys
	out = sys.argv[1]
	s = json.load(open(os.path.join(out, "summary.json")))
	for t in s["trees"]:
	    d = os.path.join(out, "jobs", t["key"])
	    scan = json.load(open(os.path.join(d, "scan", "scan.json")))
	    plan = json.load(open(os.path.join(d, "plan", "plan.json")))
	    lint = json.load(open(os.path.join(d, "lint", "lint.json")))
	    st = t["stages"]
	    assert st["scan"]["sites"] == len(scan["sites"]) > 100, t["spec"]
	    v = collections.Counter(r["verdict"] for r in plan["releases"])
	    assert st["plan"]["verdicts"] == {k: v.get(k, 0) for k in st["plan"]["verdicts"]}
	    assert sum(st["plan"]["verdicts"].values()) == len(plan["releases"])
	    # Every lint error is a MISMATCH release of the plan.
	    assert st["lint"]["errors"] == v["MISMATCH"] == lint["summary"]["errors"] > 0
	    assert st["lint"]["warnings"] == lint["summary"]["warnings"]
	    print(t["spec"], st["scan"]["sites"], "sites", dict(v), st["lint"])
	EOF
'

test_expect_success 'one SARIF with a run per tree, and the gcc lines per tree' '
	$PY - one <<-\EOF
	import json, os, sys
	out = sys.argv[1]
	s = json.load(open(os.path.join(out, "summary.json")))
	sar = json.load(open(os.path.join(out, "lint.sarif")))
	assert sar["version"] == "2.1.0" and len(sar["runs"]) == len(s["trees"]) == 4
	ids = [r["automationDetails"]["id"] for r in sar["runs"]]
	assert len(set(ids)) == 4, ids
	text = open(os.path.join(out, "lint.txt")).read()
	parts = text.split("\n# ")
	for t, run, part in zip(s["trees"], sar["runs"], [p.lstrip("# ") for p in parts]):
	    lint = t["stages"]["lint"]
	    assert run["properties"]["tree"]["spec"] == t["spec"]
	    lv = [x["level"] for x in run["results"]]
	    assert lv.count("error") == lint["errors"] and lv.count("warning") == lint["warnings"]
	    assert part.startswith(t["spec"] + " (Linux "), part[:80]
	    assert part.count(": error: ") == lint["errors"], t["spec"]
	    assert part.count(": warning: ") == lint["warnings"]
	print(ids)
	EOF
'

test_expect_success 'history: the planted wrong release is a new MISMATCH, vmci moved CONVERT -> PINNED' '
	json_get one/summary.json "j[\"history\"]" &&
	$PY - one "$H" "$(cat dfl.line)" <<-\EOF
	import json, os, sys
	s = json.load(open(os.path.join(sys.argv[1], "summary.json")))
	h, = s["history"]
	assert (h["base"], h["head"]) == (sys.argv[2] + "@HEAD~1", sys.argv[2] + "@HEAD")
	new = [(x["kind"], x["file"], x["function"], x["head_call"], x["line"]) for x in h["new_mismatch"]]
	assert new == [("release", "drivers/fpga/dfl-afu-dma-region.c", "afu_dma_unpin_pages",
	                "release_pages", int(sys.argv[3]))], new
	assert h["fixed_mismatch"] == [], h["fixed_mismatch"]
	moved = sorted((x["kind"], x["file"], x["function"], x["base_call"], x["head_call"])
	               for x in h["convert_to_pinned"])
	assert moved == [
	    ("acquisition", "drivers/misc/vmw_vmci/vmci_host.c", "vmci_host_setup_notify",
	     "get_user_pages_fast", "pin_user_pages_fast"),
	    ("release", "drivers/misc/vmw_vmci/vmci_context.c", "vmci_ctx_unset_notify",
	     "put_page", "unpin_user_page")], moved
	t = {x["spec"]: x for x in s["trees"]}
	b, hd = t[h["base"]]["stages"]["lint"], t[h["head"]]["stages"]["lint"]
	assert hd["errors"] == b["errors"] + 1, (b, hd)
	EOF
	grep -A8 "HEAD~1 (" one/summary.md >hist.md && cat hist.md &&
	grep "New MISMATCH errors: 1" hist.md &&
	grep "release $DFL:$(cat dfl.line) afu_dma_unpin_pages(): release_pages()" hist.md &&
	grep "CONVERT -> PINNED: 2" hist.md
'

test_expect_success 'the revisions are checked out under the cache; the user'"'"'s checkout is only read' '
	find hist -path hist/.git -prune -o -newer stamp -print >new && cat new && test ! -s new &&
	test "$(git -C hist rev-parse HEAD)" = "$(cat head.commit)" &&
	GIT_OPTIONAL_LOCKS=0 git -C hist status --porcelain >st && test ! -s st &&
	git -C hist worktree list >wt && test_line_count = 1 wt &&
	test "$(git -C hist for-each-ref | wc -l)" = 1 &&
	for c in $(cat base.commit head.commit); do
		w=$(echo "$CACHE"/fleet/trees/$c/hist@*) &&
		test "$(git -C "$w" rev-parse HEAD)" = $c &&
		git -C "$w" status --porcelain >wst && test ! -s wst || exit 1
	done &&
	grep -q "release_pages(" "$CACHE"/fleet/trees/$(cat head.commit)/hist@*/$DFL &&
	! grep -q "release_pages(" "$CACHE"/fleet/trees/$(cat base.commit)/hist@*/$DFL
'

# An sshd on a free loopback port, as root, with a host key and an
# authorized key made here and a config of its own; its sessions get
# XDG_CACHE_HOME=host2/cache (SetEnv), so the second "host" keeps its own
# caches (seeded by hard links from this one's per-file caches, which are
# only ever replaced by rename).  /run/sshd is sshd's privilege-separation
# directory, made when missing; nothing of the system's ssh setup is used.
start_sshd() {
	mkdir -p ssh host2/cache/pinconv &&
	ssh-keygen -q -t ed25519 -N "" -f ssh/hostkey &&
	ssh-keygen -q -t ed25519 -N "" -f ssh/userkey &&
	cp ssh/userkey.pub ssh/authorized_keys &&
	port=$($PY -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	ln -s "$(cd "$CACHE/trees" && pwd -P)" host2/cache/pinconv/trees &&
	for d in facts spatch family; do
		if [ -d "$CACHE/$d" ]; then cp -al "$CACHE/$d" host2/cache/pinconv/ || return 1; fi
	done &&
	cat >ssh/sshd_config <<-EOF &&
	ListenAddress 127.0.0.1
	Port $port
	HostKey $TRASH/ssh/hostkey
	AuthorizedKeysFile $TRASH/ssh/authorized_keys
	PidFile $TRASH/ssh/sshd.pid.daemon
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	SetEnv XDG_CACHE_HOME=$TRASH/host2/cache
	EOF
	cat >ssh/config <<-EOF &&
	Host fleethost
	  HostName 127.0.0.1
	  Port $port
	  User root
	  IdentityFile $TRASH/ssh/userkey
	  IdentitiesOnly yes
	  StrictHostKeyChecking yes
	  UserKnownHostsFile $TRASH/ssh/known_hosts
	  BatchMode yes
	  LogLevel ERROR
	EOF
	echo "[127.0.0.1]:$port $(cat ssh/hostkey.pub)" >ssh/known_hosts &&
	mkdir -p -m 0755 /run/sshd &&
	{ /usr/sbin/sshd -D -e -f "$TRASH/ssh/sshd_config" </dev/null >ssh/sshd.log 2>&1 &
	  echo $! >ssh/sshd.pid; } &&
	for i in $(seq 50); do
		ssh -F ssh/config fleethost true 2>/dev/null && return 0
		sleep 0.2
	done
	cat ssh/sshd.log
	return 1
}

if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ] && command -v rsync >/dev/null; then
test_expect_success 'setup: an sshd on a loopback port with a throwaway key' '
	start_sshd && ssh -F ssh/config fleethost "echo \$XDG_CACHE_HOME" >env &&
	test "$(cat env)" = "$TRASH/host2/cache"
'

test_expect_success 'fleet on two hosts (: and the sshd): the same summary, byte for byte' '
	export PARALLEL_SSH="ssh -F $TRASH/ssh/config" &&
	test_must_fail env HOSTS=:,fleethost REMOTE_DIR=$TRASH/host2/pinconv \
		$FLEET --trees trees --out two >two.out 2>two.err; rc=$?
	cat two.err two.out &&
	for f in summary.md summary.json lint.sarif lint.txt; do
		cmp one/$f two/$f || exit 1
	done &&
	tail -n +2 two/joblog | cut -f2 | sort | uniq -c >hosts && cat hosts &&
	grep " :$" hosts && grep " fleethost$" hosts &&
	test "$(tail -n +2 two/joblog | cut -f7 | sort -u)" = 0
'

test_expect_success 'two hosts: the remote got the project by rsync, ran with its own cache, its results came back' '
	test -x host2/pinconv/scripts/fleet.py && test -x host2/pinconv/scripts/pinflow/pinflow &&
	test ! -e host2/pinconv/.git &&
	nonce=$(json_get two/.fleet/run.json "j[\"nonce\"]") &&
	ls host2/cache/pinconv/fleet/work/$nonce >remote.keys && cat remote.keys &&
	test -s remote.keys &&
	tail -n +2 two/joblog | awk -F"\t" "\$2 == \"fleethost\"" | cut -f9 |
		sed "s/.* --nonce [0-9a-f]* //" | tr -d "\\047" | cut -d" " -f1,2 >remote.jobs &&
	cat remote.jobs && test -s remote.jobs &&
	while read stage key; do
		j=two/jobs/$key/$stage/tree.json &&
		test "$(cat two/jobs/$key/$stage/status)" -le 1 &&
		test "$(json_get $j "j[\"host\"]")" = fleethost &&
		test "$(json_get $j "j[\"work\"]")" = "$TRASH/host2/cache/pinconv/fleet/work/$nonce/$key" &&
		case $key in
		hist@*) json_get $j "j[\"kdir\"]" | grep "^$TRASH/host2/cache/pinconv/fleet/trees/";;
		esac || { echo "no result of fleethost for $stage $key"; exit 1; }
	done <remote.jobs
'
else
	test_skip 'fleet on two hosts (: and an sshd started here)' 'needs root, /usr/sbin/sshd and rsync (scripts/deps.sh)'
fi

test_expect_success 'killed half way, resumed: only the unfinished jobs run again, the same summary' '
	{ JOBS=2 $FLEET --trees trees --out three >three.out 2>three.err & echo $! >pid; } &&
	for i in $(seq 3600); do
		test -f three/joblog && test "$(tail -n +2 three/joblog | wc -l)" -ge 3 && break
		kill -0 "$(cat pid)" || break
		sleep 1
	done &&
	kill -TERM "$(cat pid)" &&
	{ wait "$(cat pid)"; echo $? >killed.rc; } ; cat three.err &&
	test "$(cat killed.rc)" = 2 &&
	grep "interrupted; RESUME=1" three.err &&
	cp three/joblog joblog.killed &&
	test "$(json_get three/summary.json "j[\"jobs\"][\"not run\"] > 0")" = True &&
	test_must_fail env JOBS=2 $FLEET --out three --resume >resume.out 2>resume.err; rc=$?
	cat resume.err resume.out &&
	$PY - joblog.killed three/joblog <<-\EOF &&
	import sys
	rows = lambda p: [l.split("\t") for l in open(p).read().splitlines()[1:]]
	before, after = rows(sys.argv[1]), rows(sys.argv[2])
	assert after[:len(before)] == before
	done = {int(r[0]) for r in before if r[6] == "0" and r[7] == "0"}
	redo = [int(r[0]) for r in after[len(before):]]
	print("done before the kill:", sorted(done), "run on resume:", sorted(redo))
	assert 0 < len(done) < 12
	assert not set(redo) & done and len(redo) == len(set(redo))
	assert set(redo) | done == set(range(1, 13))
	assert all(r[6] == "0" for r in after[len(before):])
	EOF
	for f in summary.md summary.json lint.sarif lint.txt; do
		cmp one/$f three/$f || exit 1
	done
'

test_expect_success 'STAGES=lint,report over the history: the later revision reported with BASE= the earlier, linked' '
	printf "%s@HEAD~1\n%s@HEAD\n" "$H" "$H" >hist.trees &&
	test_must_fail env STAGES=lint,report $FLEET --trees hist.trees --out four >four.out 2>four.err;
	cat four.err four.out &&
	hk=$(json_get four/summary.json "j[\"trees\"][1][\"key\"]") &&
	test "$(json_get four/summary.json "j[\"history\"][0][\"report\"]")" = jobs/$hk/report/index.html &&
	test "$(json_get four/summary.json "[t[\"stages\"][\"report\"][\"status\"] for t in j[\"trees\"]]")" = "[0, 0]" &&
	grep "(BASE= $H@HEAD~1)" four.out &&
	grep "Report with BASE= the earlier revision: \[jobs/$hk/report/index.html\]" four/summary.md &&
	grep -i "since linux" four/jobs/$hk/report/report.md &&
	grep "afu_dma_unpin_pages" four/jobs/$hk/report/report.md
'

test_expect_success 'bad input: exit 2 with one line, nothing run' '
	test_expect_code() { want=$1; shift; "$@"; got=$?; test $got = $want || { echo "exit $got, want $want: $*"; return 1; }; } &&
	test_expect_code 2 $FLEET --out bad0 2>e0 && grep "TREES= is needed" e0 &&
	echo /nonexistent >bad.trees &&
	test_expect_code 2 $FLEET --trees bad.trees --out bad1 2>e1 && grep "not a kernel tree" e1 &&
	echo "$H@no-such-rev" >bad2.trees &&
	test_expect_code 2 $FLEET --trees bad2.trees --out bad2 2>e2 && grep "no such revision" e2 &&
	test_expect_code 2 $FLEET --trees trees --stages scan,bogus --out bad3 2>e3 && grep "unknown stage bogus" e3 &&
	test_expect_code 2 $FLEET --trees trees --stages convert --out bad4 2>e4 && grep "needs SUBSYS=" e4 &&
	test_expect_code 2 $FLEET --out bad5 --resume 2>e5 && grep "no run to resume" e5 &&
	test ! -e bad1/joblog && test ! -e bad2/joblog && test ! -e bad3 && test ! -e bad4
'

test_done
