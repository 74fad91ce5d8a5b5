#!/bin/bash
# The default tree: Debian's linux-source tarball, unpacked once into the
# cache, never half-used.
. "$(dirname "$0")/lib.sh"

export PINCONV_CACHE=$TRASH/cache

test_expect_success 'default tree is unpacked once, with a completion marker' '
	d=$("$PINCONV/scripts/default-tree.sh" 6.1) &&
	test -f "$d/.pinconv-unpacked" && test -f "$d/include/linux/mm.h" &&
	test "$("$PINCONV/scripts/default-tree.sh" 6.1 2>err)" = "$d" && ! test -s err
'

test_expect_success 'an interrupted unpack (no marker) is redone, not used' '
	d=$("$PINCONV/scripts/default-tree.sh" 6.1) &&
	rm "$d/.pinconv-unpacked" "$d/mm/gup.c" &&
	"$PINCONV/scripts/default-tree.sh" 6.1 2>err && grep unpacking err &&
	test -f "$d/mm/gup.c" && test -f "$d/.pinconv-unpacked"
'

test_expect_success 'a version Debian does not ship is a clear error' '
	test_must_fail "$PINCONV/scripts/default-tree.sh" 4.19 2>err &&
	grep "linux-source-4.19.tar.xz not found" err
'

test_done
