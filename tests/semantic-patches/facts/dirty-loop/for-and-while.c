static void release_dirty(struct page **pages, int n, bool dirty)
{
	int i;

	for (i = 0; i < n; i++) {
		if (dirty)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}

static void release_one_by_one(struct page **pages, int n)
{
	while (n--) {
		struct page *page = pages[n];

		set_page_dirty(page);
		put_page(page);
	}
}

static void release_clean(struct page **pages, int n)
{
	int i;

	/* not dirtied: no fact */
	for (i = 0; i < n; i++)
		put_page(pages[i]);
}
