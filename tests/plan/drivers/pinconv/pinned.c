// PINNED: already pin_user_pages() + unpin_user_pages().
static int pinned(unsigned long uaddr, struct page **pages, int n)
{
	int got = pin_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);

	if (got > 0) {
		sg_set_page(sgl, pages[0], PAGE_SIZE, 0);
		unpin_user_pages(pages, got);
	}
	return got;
}
