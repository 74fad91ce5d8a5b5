struct copy_state {
	struct page *pg;
};

static struct page *take(struct copy_state *cs, struct page **pages, int i)
{
	struct page *page = pages[i];
	struct page *old;

	old = cs->pg;
	cs->pg = page;
	container_of(cs, struct outer, cs)->last = old;
	return old;
}
