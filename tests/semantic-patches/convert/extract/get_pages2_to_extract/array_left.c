static ssize_t fill_from_iter(struct iov_iter *from, struct page **pages,
			      size_t length, int maxpages)
{
	size_t start;
	ssize_t copied;
	int i, n;

	copied = iov_iter_get_pages2(from, pages, length, maxpages, &start);
	if (copied < 0)
		return -EFAULT;
	n = DIV_ROUND_UP(copied + start, PAGE_SIZE);
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	return copied;
}
