// SPDX-License-Identifier: GPL-2.0
/*
 * gup_shim.c — what gup_test.c needs from selftests/mm/vm_util.c when a
 * tree's vm_util.h only declares them (6.12): the page size cache behind
 * psize()/pshift().  Linking vm_util.c itself would pull in pagemap and
 * userfaultfd helpers the guest never uses.
 */
unsigned int __page_size;
unsigned int __page_shift;
