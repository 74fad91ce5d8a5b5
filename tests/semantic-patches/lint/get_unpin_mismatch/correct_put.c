/* The right pairings: nothing to report. */
static int fsl_memcpy(unsigned long vaddr, int num_pages, struct page **pages)
{
	int num_pinned, i;

	num_pinned = get_user_pages_fast(vaddr, num_pages, 0, pages);
	if (num_pinned != num_pages)
		goto exit;
	do_copy(pages, num_pages);
exit:
	if (pages && num_pinned > 0) {
		for (i = 0; i < num_pinned; i++)
			put_page(pages[i]);
	}
	return 0;
}

static int pinned(unsigned long vaddr, int n, struct page **pages)
{
	int got = pin_user_pages_fast(vaddr, n, 0, pages);

	if (got > 0)
		unpin_user_pages(pages, got);
	return got;
}
