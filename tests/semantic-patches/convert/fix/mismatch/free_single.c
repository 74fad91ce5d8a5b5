/* One page of get_user_pages_fast() freed: it loses its reference. */
static int peek(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_fast(addr, 1, 0, &page) != 1)
		return -EFAULT;
	if (check(page)) {
		__free_page(page);
		return -EINVAL;
	}
	put_page(page);
	return 0;
}
