#!/bin/bash
# What pinconv reads from a tree: version, API profile, the acquiring
# family with its signatures, and MAINTAINERS sections.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612) T61=$(tree_61)
facts() { $PY -c "import sys; sys.path.insert(0, '$PINCONV/scripts'); import pinconv_tree as pt; $1"; }
facts_args() { code=$1; shift; $PY -c "import sys; sys.path.insert(0, '$PINCONV/scripts'); import pinconv_tree as pt; $code" "$@"; }

test_expect_success 'version and profile of linux-source-6.12: the version is the package'"'"'s upstream part' '
	facts "i = pt.tree_info(\"$T612\"); print(i[\"path\"], i[\"version\"], i[\"api_profile\"], i[\"extract_api\"])" >got &&
	pkg=$(tree_pkg_version 6.12) && say "package $pkg" &&
	echo "$T612 ${pkg%%-*} pin True" >expect && test_cmp expect got &&
	grep -E "^[^ ]+ 6\.12\.[0-9]+ " got
'

test_expect_success 'linux-source-6.1 has the pin API but no iov_iter_extract_pages' '
	test "$(facts "print(pt.api_profile(\"$T61\"))")" = "('\''pin'\'', False)"
'

test_expect_success 'the family comes from the headers: names differ between 6.1 and 6.12' '
	facts "print(\" \".join(sorted(pt.gup_family(\"$T612\"))))" >612 &&
	facts "print(\" \".join(sorted(pt.gup_family(\"$T61\"))))" >61 &&
	grep -w get_user_page_vma_remote 612 && ! grep -w get_user_page_vma_remote 61 &&
	grep -w iov_iter_extract_pages 612 && ! grep -w iov_iter_extract_pages 61 &&
	grep -w pin_user_pages_fast_only 61 && ! grep -w pin_user_pages_fast_only 612
'

test_expect_success 'signatures: pages and flags argument positions read from prototypes' '
	facts "f = pt.gup_family(\"$T612\"); print(f[\"get_user_pages_remote\"][\"pages_arg\"], f[\"get_user_pages_remote\"][\"flags_arg\"], f[\"get_user_pages_unlocked\"][\"pages_arg\"], f[\"get_user_pages_unlocked\"][\"flags_arg\"], f[\"iov_iter_extract_pages\"][\"kind\"], f[\"get_dump_page\"][\"returns_page\"])" >out &&
	echo "4 3 2 3 extract True" >expect && test_cmp expect out
'

test_expect_success 'the family search near family names finds what the declaration regex over whole headers finds' '
	$PY - "$T612" "$T61" "$PINCONV/scripts" <<-\PYEOF
	import os, sys
	sys.path.insert(0, sys.argv[3])
	import pinconv_tree as pt
	n = 0
	for k in sys.argv[1:3]:
	    for hdr in pt.FAMILY_HEADERS:
	        text = pt.strip_comments(open(os.path.join(k, hdr), errors="replace").read())
	        # The reference: every match of the regex over the whole text.
	        ref = [m.group(2, 3) for m in pt._DECL.finditer(text)
	               if pt.FAMILY_RE.match(m.group(2))]
	        got = [m.group(2, 3) for m in pt._family_decls(text)]
	        assert got == ref, (k, hdr, sorted(set(got) ^ set(ref))[:3])
	        n += len(got)
	assert n > 20, n
	print(n, "declarations agree")
	PYEOF
'

test_expect_success 'a v5.3-like tree with put_user_page() placeholders gets that profile' '
	mkdir -p old/include/linux && cp "$T61/Makefile" "$T61/MAINTAINERS" old/ &&
	grep -v unpin_user_page "$T61/include/linux/mm.h" >old/include/linux/mm.h &&
	echo "void put_user_page(struct page *page);" >>old/include/linux/mm.h &&
	test "$(facts "print(pt.choose_profile(\"old\"))")" = "('\''put_user_page'\'', False)"
'

test_expect_success 'API= overrides the profile; an unknown API is a usage error' '
	test "$(facts "print(pt.choose_profile(\"$T61\", \"put_user_page\"))")" = "('\''put_user_page'\'', False)" &&
	facts "pt.choose_profile(\"$T61\", \"bogus\")" 2>err; test $? = 2 && grep "unknown API=bogus" err
'

test_expect_success 'MAINTAINERS sections agree with get_maintainer.pl' '
	files="fs/fuse/dev.c block/bio.c drivers/infiniband/core/umem.c
	       drivers/misc/vmw_vmci/vmci_host.c net/9p/trans_virtio.c fs/nfs/direct.c
	       drivers/vhost/scsi.c kernel/events/core.c" &&
	facts_args "m = pt.Maintainers(\"$T612\"); [print(m.section_of(f)) for f in sys.argv[1:]]" $files >ours &&
	for f in $files; do
		read -r sec &&
		(cd "$T612" && perl scripts/get_maintainer.pl --no-git --sections -f "$f" 2>/dev/null) |
			grep -Fx "$sec" >/dev/null || { echo "$f: $sec not listed by get_maintainer.pl"; exit 1; }
	done <ours
'

test_expect_success 'strip_comments() (one regex) agrees with the reference loop on real files and edge cases' '
	$PY - "$T612" "$PINCONV/scripts" <<-\PYEOF
	import glob, os, sys
	sys.path.insert(0, sys.argv[2])
	import pinconv_tree as pt
	k = sys.argv[1]
	files = sorted(glob.glob(k + "/fs/fuse/*.[ch]") + glob.glob(k + "/mm/*.c") +
	               glob.glob(k + "/include/linux/*.h"))
	texts = [open(f, errors="replace").read() for f in files]
	texts += ["\"abc", "\x27a", "x = \"a\\", "\x27\\\x27\x27", "\"a\nb\"", "/* x",
	          "//", "\"", "it\x27s\n ok", "a\"b\\\nc\"d", "\"\\"]
	bad = [i for i, t in enumerate(texts) if pt.strip_comments(t) != pt._strip_comments_loop(t)]
	assert not bad, [files[i] if i < len(files) else repr(texts[i]) for i in bad][:5]
	print(len(texts), "texts agree")
	PYEOF
'

test_expect_success 'candidates: files that name the family without calling it are not (6.12)' '
	$PY - "$T612" "$PINCONV/scripts" >out <<-\PYEOF &&
	import sys
	sys.path.insert(0, sys.argv[2])
	import pinconv_tree as pt, scan
	k = sys.argv[1]
	fam = pt.gup_family(k)
	c = scan.candidates(k, fam)
	# mm/vmscan.c, mm/filemap.c and kernel/ptrace.c name get_user_pages*()
	# in comments only; mm/gup.c and include/linux/uio.h declare and
	# define them; fs/fuse/file.c, mm/memory.c, block/bio.c and
	# include/linux/mm.h (inline wrappers) call one.
	print([f in c for f in ("mm/vmscan.c", "mm/filemap.c", "kernel/ptrace.c",
	                        "mm/gup.c", "include/linux/uio.h")],
	      [f in c for f in ("fs/fuse/file.c", "mm/memory.c", "block/bio.c",
	                        "include/linux/mm.h")])
	PYEOF
	echo "[False, False, False, False, False] [True, True, True, True]" >expect &&
	test_cmp expect out &&
	grep -q "get_user_pages" "$T612/mm/vmscan.c" && grep -q "get_user_pages" "$T612/kernel/ptrace.c" &&
	grep -q "^long get_user_pages(" "$T612/mm/gup.c"
'

test_done
