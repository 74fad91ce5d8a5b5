// EXTRA_REF: get_page() on a page GUP returned.
static struct page *extra_saved;

static int extra_ref(unsigned long uaddr)
{
	struct page *page;

	if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) != 1)
		return -EFAULT;
	get_page(page);
	extra_saved = page;
	memcpy_to_page(page, 0, "x", 1);
	put_page(page);
	return 0;
}
