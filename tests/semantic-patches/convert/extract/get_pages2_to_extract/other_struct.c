struct copy_state {
	int write;
	struct iov_iter *iter;
	struct pipe_buffer *currbuf;
	struct page *pg;
	unsigned len;
	unsigned offset;
};

static void copy_finish(struct copy_state *cs)
{
	if (cs->currbuf) {
		cs->currbuf = NULL;
	} else if (cs->pg) {
		if (cs->write) {
			flush_dcache_page(cs->pg);
			set_page_dirty_lock(cs->pg);
		}
		put_page(cs->pg);
	}
	cs->pg = NULL;
}

static int copy_fill(struct copy_state *cs)
{
	struct page *page;
	int err;

	copy_finish(cs);
	if (cs->currbuf) {
		page = alloc_page(GFP_HIGHUSER);
		if (!page)
			return -ENOMEM;
		cs->pg = page;
	} else {
		size_t off;
		err = iov_iter_get_pages2(cs->iter, &page, PAGE_SIZE, 1, &off);
		if (err < 0)
			return err;
		cs->len = err;
		cs->offset = off;
		cs->pg = page;
	}
	return 0;
}

struct other_state {
	struct page *pg;
};

static void other_set(struct other_state *o, struct page *p)
{
	o->pg = p;
	put_page(o->pg);
}
