// Only a local with two or more definitions has versions, so only such a
// local gets def-use facts: `page` in single_def() is defined once and
// gives none; `pg` in two_defs() is defined by an assignment and by &pg
// passed to a call, and each definition reaches its own uses.
static void single_def(struct page **pages, int i)
{
	struct page *page;

	page = pages[i];
	get_page(page);
	put_page(page);
}

static int two_defs(unsigned long uaddr, struct page *spare)
{
	struct page *pg;

	if (get_user_pages_fast(uaddr, 1, 0, &pg) != 1) {
		pg = spare;
		get_page(pg);
	}
	return put_and_count(pg);
}
