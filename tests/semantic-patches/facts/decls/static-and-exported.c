static void helper_release(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_page(pages[i]);
}

int exported_pin(struct pc_ctx *ctx, unsigned long uaddr)
{
	struct page *page;

	return get_user_pages_fast(uaddr, 1, 0, &page);
}
