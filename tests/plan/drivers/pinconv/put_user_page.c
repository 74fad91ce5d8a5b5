// v5.2-v5.5: put_user_page*() is the pin-aware release of FOLL_GET GUP
// pages (upstream's first step; renamed unpin_user_page*() in v5.6).
// GUP pages released by it: PINNED; GUP and allocated pages sharing it:
// MIXED; FOLL_PIN pages released by it: MISMATCH.
static int marked(unsigned long uaddr, struct page **pages, int n)
{
	int got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);

	if (got > 0) {
		sg_set_page(sgl, pages[0], PAGE_SIZE, 0);
		put_user_pages_dirty_lock(pages, got, true);
	}
	return got;
}

static void drop_one(struct page *page)
{
	put_user_page(page);
}

static int shared(unsigned long uaddr, bool bounce)
{
	struct page *page;

	if (bounce)
		page = alloc_page(GFP_KERNEL);
	else if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) != 1)
		return -EFAULT;
	copy_to_page(page);
	drop_one(page);
	return 0;
}

static int pinned_put(unsigned long uaddr, struct page **pages)
{
	int got = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, pages);

	if (got == 1)
		put_user_page(pages[0]);
	return got;
}
