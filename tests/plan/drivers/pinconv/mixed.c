// MIXED: one release helper sees GUP pages and a page of its own.
static void mixed_release(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_page(pages[i]);
}

static int mixed_user(unsigned long uaddr, struct page **pages, int n)
{
	int got = get_user_pages_fast(uaddr, n, 0, pages);

	if (got > 0) {
		sg_set_page(sgl, pages[0], PAGE_SIZE, 0);
		mixed_release(pages, got);
	}
	return got;
}

static int mixed_bounce(struct page **pages)
{
	pages[0] = alloc_page(GFP_KERNEL);
	if (!pages[0])
		return -ENOMEM;
	mixed_release(pages, 1);
	return 0;
}
