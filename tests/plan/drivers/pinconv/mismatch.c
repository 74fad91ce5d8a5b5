// MISMATCH: a pin released by put_page().
static int mismatch(unsigned long uaddr, struct page **pages, int n)
{
	int i, got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);

	for (i = 0; i < got; i++) {
		sg_set_page(sgl, pages[i], PAGE_SIZE, 0);
		put_page(pages[i]);
	}
	return got;
}
