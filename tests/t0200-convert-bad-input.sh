#!/bin/bash
# make convert on bad input: one clear line, the right exit code, nothing
# written, the tree untouched.  None of these need a plan or a compiler run.
. "$(dirname "$0")/lib.sh"

T61=$(tree_61)
convert() { $PY "$PINCONV/scripts/convert.py"; }

test_expect_success 'an unknown API= is refused with exit 2' '
	KDIR="$T61" SUBSYS=drivers/misc/vmw_vmci API=foo OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: unknown API=foo (known: put_user_page, pin)$" err &&
	test $(wc -l <err) = 1 && test ! -e o
'

test_expect_success 'a KDIR that is not a kernel tree is refused with exit 2' '
	mkdir notatree &&
	KDIR=$TRASH/notatree SUBSYS=fs OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: KDIR=.*notatree: not a kernel tree" err && test ! -e o
'

test_expect_success 'SUBSYS= is required' '
	KDIR="$T61" SUBSYS= OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: SUBSYS= is required" err && test ! -e o
'

test_expect_success 'a missing checker (sparse) stops the run with exit 2 before any work' '
	mkdir bin &&
	for t in spatch git make gcc perl; do ln -s "$(command -v $t)" bin/$t; done &&
	PATH=$TRASH/bin KDIR="$T61" SUBSYS=drivers/misc/vmw_vmci OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: sparse not found" err && test ! -e o
'

test_expect_success 'SUBSYS outside the tree: a usage error, exit 2, writes nothing' '
	KDIR="$T61" SUBSYS=../../etc OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: SUBSYS=../../etc is not in the tree" err &&
	KDIR="$T61" SUBSYS=/no/such/dir OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: SUBSYS=/no/such/dir is not in the tree" err &&
	KDIR="$T61" SUBSYS="fs/fuse drivers/no_such_driver" OUT=o convert 2>err; test $? = 2 &&
	grep "^pinconv: SUBSYS=drivers/no_such_driver is not in the tree" err &&
	test $(wc -l <err) = 1 && test ! -e o
'

test_expect_success 'a file that is not a plan is refused with exit 2' '
	echo "{\"schema\": \"something-else\"}" >bad.json &&
	PINCONV_PLAN=$TRASH/bad.json KDIR="$T61" SUBSYS=drivers/misc/vmw_vmci OUT=o convert 2>err
	test $? = 2 && grep "not a pinconv plan" err && test ! -e o/convert
'

test_expect_success 'a plan that does not exist is refused with exit 2' '
	PINCONV_PLAN=$TRASH/none.json KDIR="$T61" SUBSYS=drivers/misc/vmw_vmci OUT=o convert 2>err
	test $? = 2 && grep "^pinconv: no plan at .*none.json" err
'
test_expect_success 'the Kconfig symbols that build a file are read from the Makefiles up the tree' '
	$PY -c "
import sys; sys.path.insert(0, \"$PINCONV/scripts\")
import kbuild
for f in (\"drivers/misc/vmw_vmci/vmci_host.c\", \"drivers/virt/nitro_enclaves/ne_misc_dev.c\",
          \"fs/fuse/dev.c\", \"mm/gup.c\"):
    print(f, *sorted(kbuild.kconfig_symbols(\"$T61\", f)))
" >got &&
	cat >expect <<-\EOF &&
	drivers/misc/vmw_vmci/vmci_host.c VMWARE_VMCI
	drivers/virt/nitro_enclaves/ne_misc_dev.c NITRO_ENCLAVES VIRT_DRIVERS
	fs/fuse/dev.c FUSE_FS
	mm/gup.c
	EOF
	test_cmp expect got
'
test_done
