#!/bin/bash
# make lint SINCE= on a changed git tree reuses the last plan when no
# change can alter it (scripts/plan_reuse.py), and re-plans otherwise;
# a reused plan is byte-identical to a fresh one.  On a git copy of the
# real 6.12 tree.  Cost: one full plan, two re-plans (warm caches), a
# fresh plan for the comparison.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lint-lib.sh"

LINT="$PY $PINCONV/scripts/lint.py"
export GIT_CEILING_DIRECTORIES=$TRASH
unset SINCE BASELINE FORMAT NOTES PINCONV_PLAN API
export OUT=$TRASH/out
errors() { json_get "$1" "j[\"summary\"][\"errors\"]"; }
# acrn_errors LINT: the MISMATCH errors in acrn_vm_destroy() (6.12's real bug)
acrn_errors() {
	json_get "$1" "sum(f[\"level\"] == \"error\" and f[\"function\"] == \"acrn_vm_destroy\" for f in j[\"findings\"])"
}
commit() { (cd linux && git add -f -A . && git_commit -m "$1"); }

test_expect_success 'setup: a git copy of 6.12, linted once (a full plan, its state recorded)' '
	scratch_tree 6.12 linux &&
	KDIR=linux FORMAT=json $LINT >base.json 2>base.err; cat base.err &&
	acrn_errors base.json >acrn && test "$(cat acrn)" = 1 &&
	test -f out/plan-state.json
'

test_expect_success 'a comment added to an analysed file (fs/fuse/dev.c): the plan is reused' '
	{ cat linux/fs/fuse/dev.c && echo "/* pinconv t0340 */"; } >dev.c.new &&
	mv dev.c.new linux/fs/fuse/dev.c && commit "fuse: a comment" &&
	KDIR=linux SINCE=HEAD~1 FORMAT=json $LINT >c1.json 2>c1.err; cat c1.err &&
	grep "tree changed since the last plan (1 changed file(s), none can change the plan), reusing" c1.err &&
	test "$(errors c1.json)" = 0
'

test_expect_success 'the reused plan is the plan a fresh run makes of that tree' '
	KDIR=linux OUT=$TRASH/fresh $PY "$PINCONV/scripts/plan.py" >/dev/null 2>&1 &&
	cmp out/plan.json fresh/plan.json
'

test_expect_success 'a new file with no page in it: reused' '
	printf "int pinconv_t0340(int a)\n{\n\treturn a + 1;\n}\n" >linux/lib/pinconv_t0340.c &&
	commit "lib: a new file" &&
	KDIR=linux SINCE=HEAD~1 $LINT >c2.out 2>c2.err; cat c2.err &&
	grep "none can change the plan), reusing" c2.err
'

test_expect_success 'a new file naming get_user_pages() only in a comment: reused' '
	printf "/* not get_user_pages(): a struct page in a comment */\nint pinconv_t0340c(int a)\n{\n\treturn a;\n}\n" >linux/lib/pinconv_t0340c.c &&
	commit "lib: a comment" &&
	KDIR=linux SINCE=HEAD~1 $LINT >c2c.out 2>c2c.err; cat c2c.err &&
	grep "none can change the plan), reusing" c2c.err
'

test_expect_success 'a file that starts calling get_user_pages_fast(): re-planned' '
	printf "int pinconv_t0340b(unsigned long a, struct page **p)\n{\n\treturn get_user_pages_fast(a, 1, 0, p);\n}\n" >linux/lib/pinconv_t0340b.c &&
	commit "lib: a GUP caller" &&
	KDIR=linux SINCE=HEAD~1 FORMAT=json $LINT >c3.json 2>c3.err; cat c3.err &&
	grep "re-planning: lib/pinconv_t0340b.c: it calls a GUP-family function" c3.err &&
	json_get out/plan.json "[a[\"file\"] for a in j[\"acquisitions\"] if a[\"file\"].startswith(\"lib/pinconv\")]" >acq &&
	grep "lib/pinconv_t0340b.c" acq
'

test_expect_success 'the acrn bug fixed (put_page -> unpin_user_page in acrn_vm_destroy()): re-planned, the error is gone' '
	plant_in linux drivers/virt/acrn/vm.c acrn_vm_destroy "put_page(vm->monitor_page)" \
		"put_page(vm->monitor_page)" "unpin_user_page(vm->monitor_page)" &&
	commit "virt: acrn: unpin the monitor page" &&
	KDIR=linux FORMAT=json $LINT >c4.json 2>c4.err; cat c4.err &&
	grep "re-planning: drivers/virt/acrn/vm.c: its facts changed" c4.err &&
	test "$(errors c4.json)" = $(($(errors base.json) - 1)) &&
	test "$(acrn_errors c4.json)" = 0
'

test_expect_success 'an analysed file renamed (git sees a rename): re-planned' '
	(cd linux && git mv drivers/virt/acrn/vm.c drivers/virt/acrn/vm_t0340.c) &&
	commit "virt: acrn: rename vm.c" &&
	KDIR=linux FORMAT=json $LINT >c5.json 2>c5.err; cat c5.err &&
	grep "re-planning: drivers/virt/acrn/vm.c (analysed) was removed" c5.err
'
test_done
