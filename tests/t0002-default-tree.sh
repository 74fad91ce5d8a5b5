#!/bin/bash
# The default tree: Debian's linux-source tarball, unpacked once into the
# cache under its package version, never half-used.
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

test_expect_success 'the tree is keyed by the package version, which its marker holds' '
	d=$("$PINCONV/scripts/default-tree.sh" 6.1) &&
	v=$(dpkg-query -W -f "\${Version}" linux-source-6.1) &&
	test "$d" = "$PINCONV_CACHE/trees/$(echo "$v" | tr -c "A-Za-z0-9.+\n-" _)/linux-source-6.1" &&
	test "$("$PINCONV/scripts/default-tree.sh" --version 6.1)" = "$v"
'

test_expect_success 'a version Debian does not ship is a clear error, exit 2' '
	"$PINCONV/scripts/default-tree.sh" 4.19 2>err; test $? = 2 &&
	grep "^pinconv: linux-source-4.19 is not installed" err
'

test_expect_success 'PINCONV_DEB_<ver> takes the tree from a package file: another point release beside the installed one' '
	mkdir -p pkg/DEBIAN pkg/usr/src src/linux-source-9.9/include/linux &&
	echo "VERSION = 9" >src/linux-source-9.9/Makefile &&
	tar -C src -cJf pkg/usr/src/linux-source-9.9.tar.xz linux-source-9.9 &&
	printf "Package: linux-source-9.9\nVersion: 9.9.3-1~deb12u1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n" >pkg/DEBIAN/control &&
	dpkg-deb -Zxz --build pkg old.deb >/dev/null &&
	d=$(PINCONV_DEB_9_9=$TRASH/old.deb "$PINCONV/scripts/default-tree.sh" 9.9 2>err) &&
	test "$d" = "$PINCONV_CACHE/trees/9.9.3-1_deb12u1/linux-source-9.9" &&
	grep "VERSION = 9" "$d/Makefile" && grep "unpacking .*old.deb (9.9.3-1~deb12u1)" err &&
	test "$(PINCONV_DEB_9_9=$TRASH/old.deb "$PINCONV/scripts/default-tree.sh" --version 9.9)" = 9.9.3-1~deb12u1 &&
	PINCONV_DEB_9_9=$TRASH/nothere.deb "$PINCONV/scripts/default-tree.sh" 9.9 2>err; test $? = 2 &&
	grep "^pinconv: PINCONV_DEB_9_9=.*: no such file" err
'

test_expect_success 'two unpacks at once: the second waits for the first and uses its tree' '
	export PINCONV_CACHE=$TRASH/cache2
	"$PINCONV/scripts/default-tree.sh" 6.1 >a 2>erra &
	sleep 1 &&
	"$PINCONV/scripts/default-tree.sh" 6.1 >b 2>errb && wait &&
	test_cmp a b && test "$(cat erra errb | grep -c "^pinconv: unpacking")" = 1 &&
	grep "waiting for another run" errb
'

test_done
