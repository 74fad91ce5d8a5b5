// KEEP_GET: the page is only looked up for its pfn and a struct page
// flag (pin_user_pages.rst case 4), never its data.
static unsigned long keep_get_pfn(unsigned long uaddr, bool *anon)
{
	struct page *page;
	unsigned long pfn;

	if (get_user_pages_fast(uaddr, 1, 0, &page) != 1)
		return 0;
	pfn = page_to_pfn(page);
	*anon = PageAnon(page);
	put_page(page);
	return pfn;
}
