// CONVERT: get_user_pages_fast() into a local array, data read through
// kmap, released by a set_page_dirty_lock() + put_page() loop.
static int convert_read(unsigned long uaddr, int n, char *out)
{
	struct page *pages[16];
	int i, got;

	got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (got <= 0)
		return got;
	for (i = 0; i < got; i++) {
		void *p = kmap_local_page(pages[i]);

		memcpy(out, p, PAGE_SIZE);
		kunmap_local(p);
	}
	for (i = 0; i < got; i++) {
		set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
	return 0;
}
