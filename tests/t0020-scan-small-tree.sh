#!/bin/bash
# make scan on a small tree made of the real 6.12 headers and MAINTAINERS
# plus files that exercise what is hard: macros, parse errors, bad input.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612)
scan() { $PY "$PINCONV/scripts/scan.py"; }

test_expect_success 'setup: a small kernel tree' '
	mkdir -p tree/include/linux tree/mm tree/drivers/misc &&
	cp "$T612/Makefile" "$T612/MAINTAINERS" tree/ &&
	cp "$T612/include/linux/mm.h" "$T612/include/linux/uio.h" tree/include/linux/ &&
	cp "$PINCONV/tests/semantic-patches/scan/gup_calls/calls.c" tree/mm/calls.c &&
	cp "$T612/drivers/misc/vmw_vmci/vmci_host.c" tree/drivers/misc/ &&
	cat >tree/mm/broken.c <<-\EOC &&
	static int broken(unsigned long addr, struct page **pages)
	{
		int ret;

		WEIRD_MACRO(addr) {
			ret = get_user_pages_fast(addr, 1, FOLL_WRITE, pages) +;
		}
		return ret;
	}
	#define GRAB(a, p) get_user_pages_fast(a, 1, FOLL_WRITE, p)
	EOC
	tree_hash tree >hash.before
'

test_expect_success 'scan names functions defined through SYSCALL_DEFINE and BPF_CALL' '
	KDIR=tree OUT=out scan >notes 2>err &&
	json_get out/scan.json "sorted(s[\"function\"] for s in j[\"sites\"] if s[\"file\"] == \"mm/calls.c\")" >got &&
	echo "['\''bpf_grab'\'', '\''extract'\'', '\''one'\'', '\''pin_buffer'\'', '\''pin_buffer'\'', '\''sys_grab'\'']" >expect &&
	test_cmp expect got
'

test_expect_success 'scan reads flags and the pages lvalue as written' '
	json_get out/scan.json "[(s[\"line\"], s[\"flags\"], s[\"pages\"]) for s in j[\"sites\"] if s[\"file\"] == \"mm/calls.c\"]" >got &&
	echo "[(6, '\''FOLL_WRITE'\'', '\''d->pages'\''), (11, '\''FOLL_LONGTERM'\'', '\''d->pinned[0]'\''), (16, None, None), (21, '\''0'\'', '\''pages'\''), (26, '\''0'\'', '\''pages'\''), (33, None, '\''pages'\'')]" >expect &&
	test_cmp expect got
'

test_expect_success 'scan gives the assignment target of an API that returns the page' '
	json_get out/scan.json "[s[\"pages\"] for s in j[\"sites\"] if s[\"file\"] == \"drivers/misc/vmci_host.c\"]" >got &&
	echo "['\''page'\'']" >expect && test_cmp expect got
'

test_expect_success 'scan lists a function spatch cannot parse, with the reason' '
	json_get out/scan.json "[(u[\"file\"], u[\"line\"], u[\"reason\"]) for u in j[\"unparsed\"]]" >got &&
	grep "mm/broken.c.*, 6, .*could not parse.*line 5" got &&
	grep "^mm/broken.c:6:1: warning: get_user_pages_fast() not analysed" notes
'

test_expect_success 'scan reports a call inside a #define, named after the macro' '
	json_get out/scan.json "[(s[\"line\"], s[\"function\"]) for s in j[\"sites\"] if s[\"file\"] == \"mm/broken.c\"]" >got &&
	echo "[(10, '\''#define GRAB'\'')]" >expect && test_cmp expect got
'

test_expect_success 'scan output is valid against its schema and gcc-style on stdout' '
	$PY "$PINCONV/scripts/schema/validate.py" scan.schema.json out/scan.json && grep -E "^mm/calls.c:6:8: note: get_user_pages_fast\(\) in pin_buffer" notes
'

test_expect_success 'scan never modifies the tree' '
	tree_hash tree >hash.after && test_cmp hash.before hash.after
'

test_expect_success 'a git checkout is scanned through git grep, with the same sites' '
	cp -a tree gittree && (cd gittree && git init -q && git add -A &&
		git -c user.name=t -c user.email=t@t commit -qm base) &&
	KDIR=gittree OUT=gitout scan >/dev/null 2>&1 &&
	json_get out/scan.json "[(s[\"file\"], s[\"line\"], s[\"function\"]) for s in j[\"sites\"]]" >expect &&
	json_get gitout/scan.json "[(s[\"file\"], s[\"line\"], s[\"function\"]) for s in j[\"sites\"]]" >got &&
	test_cmp expect got && test -z "$(git -C gittree status --porcelain)"
'

test_expect_success 'scan of a directory that is not a kernel tree: one line, exit 2' '
	mkdir notakernel && KDIR=notakernel scan 2>err; test $? = 2 &&
	test $(wc -l <err) = 1 && grep "not a kernel tree" err
'

test_expect_success 'scan of a missing KDIR and an unknown API: exit 2' '
	KDIR=/nonexistent scan 2>err; test $? = 2 && grep "no such directory" err &&
	KDIR=tree API=bogus scan 2>err; test $? = 2 && grep "unknown API=bogus" err
'

test_expect_success 'scan without spatch installed: one clear line, exit 2' '
	mkdir -p nospatch && for t in grep git parallel perl find sort; do
		ln -sf "$(command -v $t)" nospatch/$t; done &&
	PATH=$TRASH/nospatch KDIR=tree OUT=out3 $PY "$PINCONV/scripts/scan.py" 2>err; test $? = 2 &&
	grep "spatch not found (run scripts/deps.sh)" err && ! test -e out3
'

test_expect_success 'deps.sh is a quiet no-op when everything is installed' '
	"$PINCONV/scripts/deps.sh" >deps.out 2>&1 && ! test -s deps.out
'

test_expect_success 'an interrupted scan leaves no report that looks complete' '
	# An empty spatch cache: the scan runs spatch (~10 s) and is still
	# running when it is stopped; a cached one can finish within 3 s.
	rm -rf out2 && mkdir empty-cache &&
	{ PINCONV_SPATCH_CACHE=$TRASH/empty-cache KDIR="$T612" OUT=out2 scan >/dev/null 2>&1 & } && pid=$! &&
	sleep 3 && kill -TERM $pid; wait $pid; test $? -ne 0 &&
	! test -e out2/scan.json && ! ls out2/*.tmp.* 2>/dev/null
'

test_done
