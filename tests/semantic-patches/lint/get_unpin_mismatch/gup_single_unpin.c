/* vmci_host.c-like: one page by reference into a local, then unpinned. */
static int vmci_map_one(unsigned long uva)
{
	struct page *page;
	int retval;

	retval = get_user_pages_fast(uva, 1, FOLL_WRITE, &page);
	if (retval != 1)
		return VMCI_ERROR_GENERIC;
	touch(page);
	unpin_user_page(page);
	return 0;
}

static long remote_one(struct mm_struct *mm, unsigned long addr, int *locked)
{
	struct page *page;
	long got = get_user_pages_remote(mm, addr, 1, FOLL_FORCE, &page, locked);

	if (got == 1)
		unpin_user_page(page);
	return got;
}
