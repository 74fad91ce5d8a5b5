#!/bin/bash
# spatch runs several small files per process (scan.size_groups); a typedef it
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
	import facts, scan
	with tempfile.TemporaryDirectory() as wd:
	    rule = facts.combined_rule(wd)
	    out = []
	    for group in (["net/core/skbuff.c", "virt/kvm/kvm_main.c"], ["virt/kvm/kvm_main.c"]):
	        sub = tempfile.mkdtemp(dir=wd)
	        scan.macro_file(sub)
	        (files, rc, stdout, err), = scan.run_parallel(kdir, dict(os.environ), [group],
	                                                     sub, "one", rule)
	        assert rc == 0 and files == group, (rc, files, err[-300:])
	        out.append(sorted(l for l in stdout.splitlines()
	                          if l.startswith("{") and "kvm_main.c" in json.loads(l)["file"]))
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
