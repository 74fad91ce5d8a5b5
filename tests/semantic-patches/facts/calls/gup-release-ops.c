struct xfer_ops {
	int (*map)(struct device *dev, struct page *page);
};

static int xfer(const struct xfer_ops *ops, struct device *dev,
		unsigned long uaddr, struct page **pages, int n)
{
	int i, got;

	got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	for (i = 0; i < got; i++)
		ops->map(dev, pages[i]);
	release_pages(pages, got);
	return got;
}
