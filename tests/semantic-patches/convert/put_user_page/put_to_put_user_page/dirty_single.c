static void finish(struct copy_state *cs)
{
	if (cs->pg) {
		if (cs->write)
			set_page_dirty_lock(cs->pg);
		put_page(cs->pg);
	}
	cs->pg = NULL;
}

static void drop(struct page *page, struct page **pages, int nr)
{
	set_page_dirty_lock(page);
	put_page(page);
	release_pages(pages, nr);
}
