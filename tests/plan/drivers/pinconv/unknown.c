// UNKNOWN: a release helper whose address is taken (a callback): its
// callers are not all known, so the GUP pages are not all it sees.
static void unknown_release(struct page *page)
{
	put_page(page);
}

static const struct unk_ops unknown_ops = {
	.release = unknown_release,
};

static int unknown_user(unsigned long uaddr)
{
	struct page *page;

	if (get_user_pages_fast(uaddr, 1, 0, &page) != 1)
		return -EFAULT;
	copy_page_to_iter(page, 0, PAGE_SIZE, to);
	unknown_release(page);
	return 0;
}
