// ESCAPES: the pages reach a callback nobody in the tree registers.
struct esc_ops {
	void (*consume)(struct page *page);
};

static int escapes(const struct esc_ops *ops, unsigned long uaddr)
{
	struct page *page;

	if (get_user_pages_fast(uaddr, 1, 0, &page) != 1)
		return -EFAULT;
	ops->consume(page);
	put_page(page);
	return 0;
}
