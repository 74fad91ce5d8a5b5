#!/bin/bash
# spatch runs many files per process (scan.chunks, --file-groups); a typedef
# it guesses in one file must not change how it parses the next, and a file
# it gives up on (timeout) must cost only its own facts.  Without
# --no-saved-typedefs, parsing net/core/skbuff.c first changed the facts
# of virt/kvm/kvm_main.c (6.12), so a cold plan and a cached one (other
# groups) differed.  Cost: ~20 s of spatch.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)

test_expect_success 'the facts of kvm_main.c are the same alone and after skbuff.c in one spatch' '
	$PY - "$T612" "$PINCONV/scripts" <<-\PYEOF
	import json, os, sys, tempfile
	kdir = sys.argv[1]
	sys.path.insert(0, sys.argv[2])
	import facts, scan
	with tempfile.TemporaryDirectory() as wd:
	    rule = facts.combined_rule(wd)
	    out = []
	    for group in (["net/core/skbuff.c", "virt/kvm/kvm_main.c"], ["virt/kvm/kvm_main.c"]):
	        sub = tempfile.mkdtemp(dir=wd)
	        scan.macro_file(sub)
	        (files, rc, stdout, err, gave_up), = scan.run_parallel(kdir, dict(os.environ), [group],
	                                                     sub, "one", rule)
	        assert rc == 0 and files == group and not gave_up, (rc, files, err[-300:])
	        out.append(sorted(l for l in stdout.splitlines()
	                          if l.startswith("{") and "kvm_main.c" in json.loads(l)["file"]))
	assert out[0], "no facts for kvm_main.c"
	assert out[0] == out[1], (len(out[0]), len(out[1]),
	                          sorted(set(out[0]) ^ set(out[1]))[:5])
	print(len(out[0]), "facts, the same in both runs")
	PYEOF
'

test_expect_success 'a file spatch gives up on loses its facts; the next one in its spatch keeps its own' '
	mkdir -p tree &&
	$PY - tree <<-\PYEOF &&
	import sys
	with open(sys.argv[1] + "/big.c", "w") as f:
	    for i in range(3000):
	        f.write("static int f%d(struct page **pages, struct page *p)\n{\n" % i)
	        for j in range(12):
	            f.write("\tp = pages[%d];\n\tget_page(p);\n\tput_page(pages[%d]);\n" % (j, j))
	        f.write("\treturn g%d(p);\n}\n" % i)
	with open(sys.argv[1] + "/small.c", "w") as f:
	    f.write("static void g(struct page *page)\n{\n\tput_page(page);\n}\n")
	PYEOF
	PINCONV_SPATCH_TIMEOUT=1 $PY - "$PWD/tree" "$PINCONV/scripts" <<-\PYEOF
	import os, sys, tempfile
	kdir = sys.argv[1]
	sys.path.insert(0, sys.argv[2])
	import facts, scan
	assert scan.SPATCH_TIMEOUT == 1
	with tempfile.TemporaryDirectory() as wd:
	    rule = facts.combined_rule(wd)
	    scan.macro_file(wd)
	    (files, rc, out, err, gave_up), = scan.run_parallel(
	        kdir, dict(os.environ), [["big.c", "small.c"]], wd, "one", rule)
	    assert rc == 0 and gave_up == {"big.c": "timeout"}, (rc, gave_up, err[-300:])
	    assert "\"small.c\"" in out, out[-300:]
	    recs, failed = scan.run_groups(kdir, dict(os.environ), ["big.c", "small.c"], wd, rule)
	    assert failed == {"big.c": "timeout"}, failed
	    got = sorted(set(r["file"] for r in recs))
	    assert got == ["small.c"], got
	    assert {"k": "call", "callee": "put_page", "args": ["page"]}.items() <= \
	        [r for r in recs if r["k"] == "call"][0].items(), recs
	print("big.c timed out alone; small.c:", len(recs), "facts")
	PYEOF
'

test_expect_success 'scan and facts run spatch with --no-saved-typedefs' '
	$PY -c "import sys; sys.path.insert(0, \"$PINCONV/scripts\"); import scan; print(scan.SPATCH_OPTS)" >opts &&
	grep -- "--no-saved-typedefs" opts
'
test_done
