/* The right pairing: nothing to report. */
static int afu_dma_pin_pages(struct dfl_afu_dma_region *region, int npages)
{
	int pinned;

	pinned = pin_user_pages_fast(region->user_addr, npages, FOLL_WRITE,
				     region->pages);
	if (pinned < 0)
		return pinned;
	if (pinned != npages) {
		unpin_user_pages(region->pages, pinned);
		return -EFAULT;
	}
	return 0;
}

static int one_page(unsigned long uaddr)
{
	struct page *page;

	if (pin_user_pages_unlocked(uaddr, 1, &page, FOLL_WRITE) != 1)
		return -EFAULT;
	unpin_user_pages_dirty_lock(&page, 1, true);
	return 0;
}
