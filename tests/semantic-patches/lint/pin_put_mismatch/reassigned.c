/* The array is refilled with allocated pages before the put: no report. */
static int bounce(unsigned long uaddr, int n, struct page **pages)
{
	int got, i;

	got = pin_user_pages_fast(uaddr, n, 0, pages);
	if (got != n) {
		unpin_user_pages(pages, got);
		return -EFAULT;
	}
	copy_out(pages, n);
	unpin_user_pages(pages, n);
	pages = bounce_pages;
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	return 0;
}
