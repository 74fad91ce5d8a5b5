static void release_all(struct page **pages, int n, bool dirty)
{
	int i;

	for (i = 0; i < n; i++) {
		if (dirty)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}

static void put_all(struct region *r)
{
	unsigned long i;

	for (i = 0; i < r->nr_pages; i++)
		put_page(r->pages[i]);
	kfree(r->pages);
}

static void one(struct ctx *c)
{
	struct page *p = c->page;

	c->page = NULL;
	if (p) {
		kunmap(p);
		put_page(p);
	}
	put_page(c->other);
}

static void keep_index(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_page(pages[i]);
	pr_debug("released %d\n", i);
}
