#!/bin/bash
# make scan on Debian's linux-source-6.12 and 6.1: complete, exact,
# deterministic, and harmless to the tree.
. "$(dirname "$0")/lib.sh"

T612=$(tree_612) T61=$(tree_61)
scan() { PINCONV_QUIET=1 $PY "$PINCONV/scripts/scan.py"; }
site() { json_get "$1" "[(s[\"function\"], s[\"api\"], s[\"flags\"], s[\"pages\"], s[\"subsystem\"]) for s in j[\"sites\"] if (s[\"file\"], s[\"line\"]) == (\"$2\", $3)]"; }

test_expect_success 'scan of 6.12 leaves the tree byte-identical' '
	tree_hash "$T612" >before &&
	PINCONV_SPATCH_CACHE=$TRASH/cache612 KDIR="$T612" OUT=612 scan 2>err && cat err &&
	grep -E "Linux 6\.12\.[0-9]+, API profile pin, iov_iter_extract_pages present" err &&
	tree_hash "$T612" >after && test_cmp before after
'

test_expect_success 'scan of 6.1 reports its profile' '
	PINCONV_SPATCH_CACHE=$TRASH/cache61 KDIR="$T61" OUT=61 scan 2>err &&
	grep -E "Linux 6\.1\.[0-9]+, API profile pin, iov_iter_extract_pages absent" err
'

test_expect_success 'scan.json of both trees is valid against the schema' '
	$PY "$PINCONV/scripts/schema/validate.py" scan.schema.json 612/scan.json 61/scan.json
'

test_expect_success 'recall on 6.12: every call a token search finds is a site or explained' '
	$PY "$PINCONV/tests/lib/recall.py" 612/scan.json
'

test_expect_success 'recall on 6.1: every call a token search finds is a site or explained' '
	$PY "$PINCONV/tests/lib/recall.py" 61/scan.json
'

# Sites read in the source by hand.
test_expect_success '6.12 fs/fuse/dev.c: fuse_copy_fill takes the server buffer page with iov_iter_get_pages2' '
	site 612/scan.json fs/fuse/dev.c $(src_line "$T612" fs/fuse/dev.c fuse_copy_fill "iov_iter_get_pages2(") >got &&
	echo "[('\''fuse_copy_fill'\'', '\''iov_iter_get_pages2'\'', None, '\''page'\'', '\''FUSE: FILESYSTEM IN USERSPACE'\'')]" >expect &&
	test_cmp expect got
'

test_expect_success '6.12 fs/fuse/file.c direct I/O already uses iov_iter_extract_pages' '
	site 612/scan.json fs/fuse/file.c $(src_line "$T612" fs/fuse/file.c fuse_get_user_pages "= iov_iter_extract_pages(") | grep "fuse_get_user_pages.*iov_iter_extract_pages.*pt_pages"
'

test_expect_success '6.1 vmw_vmci: get_user_pages_fast into a local page, FOLL_WRITE' '
	site 61/scan.json drivers/misc/vmw_vmci/vmci_host.c $(src_line "$T61" drivers/misc/vmw_vmci/vmci_host.c vmci_host_setup_notify "get_user_pages_fast(uva, 1, FOLL_WRITE, &page)") >got &&
	echo "[('\''vmci_host_setup_notify'\'', '\''get_user_pages_fast'\'', '\''FOLL_WRITE'\'', '\''page'\'', '\''VMWARE VMCI DRIVER'\'')]" >expect &&
	test_cmp expect got
'

test_expect_success '6.1 block/bio.c still uses iov_iter_get_pages2 (no extract API yet)' '
	json_get 61/scan.json "sorted({s[\"api\"] for s in j[\"sites\"] if s[\"file\"] == \"block/bio.c\"})" >got &&
	echo "['\''iov_iter_get_pages2'\'']" >expect && test_cmp expect got
'

test_expect_success 'scan is deterministic: a second cold run of 6.1 is byte-identical' '
	PINCONV_SPATCH_CACHE=$TRASH/cache61b KDIR="$T61" OUT=61b scan 2>/dev/null &&
	cmp 61/scan.json 61b/scan.json && cmp 61/scan.md 61b/scan.md
'

test_expect_success 'a rerun takes unchanged files from the per-file cache, same report' '
	PINCONV_SPATCH_CACHE=$TRASH/cache61 KDIR="$T61" OUT=61c scan 2>/dev/null &&
	cmp 61/scan.json 61c/scan.json
'

test_done
