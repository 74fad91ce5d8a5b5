/* iov_iter_get_pages_alloc2() takes references; unpin_user_pages() is wrong. */
static ssize_t copy_in(struct iov_iter *iter, size_t len)
{
	struct page **pages;
	size_t off;
	ssize_t n;

	n = iov_iter_get_pages_alloc2(iter, &pages, len, &off);
	if (n <= 0)
		return n;
	consume(pages, n, off);
	unpin_user_pages(pages, DIV_ROUND_UP(n + off, PAGE_SIZE));
	kvfree(pages);
	return n;
}

static ssize_t copy_in2(struct iov_iter *iter, struct page **pages, size_t len)
{
	size_t off;
	ssize_t n = iov_iter_get_pages2(iter, pages, len, 16, &off);

	if (n > 0)
		unpin_user_pages_dirty_lock(pages, DIV_ROUND_UP(n + off, PAGE_SIZE), true);
	return n;
}
