#!/bin/bash
# spatch runs several files per process (GNU parallel -X); a typedef it
# guesses in one file must not change how it parses the next.  Without
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
	os.environ["PINCONV_JOBS"] = "1"    # one job slot: both files in one spatch
	import facts
	with tempfile.TemporaryDirectory() as wd:
	    rule = facts.combined_rule(wd)
	    out = []
	    for files in (["net/core/skbuff.c", "virt/kvm/kvm_main.c"], ["virt/kvm/kvm_main.c"]):
	        sub = tempfile.mkdtemp(dir=wd)
	        recs, failed = facts.spatch_files(kdir, files, sub, rule)
	        assert not failed, failed
	        out.append(sorted(json.dumps(r, sort_keys=True) for r in recs
	                          if r["file"] == "virt/kvm/kvm_main.c"))
	assert out[0], "no facts for kvm_main.c"
	assert out[0] == out[1], (len(out[0]), len(out[1]),
	                          sorted(set(out[0]) ^ set(out[1]))[:5])
	print(len(out[0]), "facts, the same in both runs")
	PYEOF
'

test_expect_success 'scan and facts run spatch with --no-saved-typedefs' '
	$PY -c "import sys; sys.path.insert(0, \"$PINCONV/scripts\"); import scan; print(scan.SPATCH_OPTS)" >opts &&
	grep -- "--no-saved-typedefs" opts
'
test_done
