/* dfl-afu-dma-region.c's pin path with the error unwind using put_page(). */
static int afu_dma_pin_pages(struct dfl_feature_platform_data *pdata,
			     struct dfl_afu_dma_region *region)
{
	int npages = region->length >> PAGE_SHIFT;
	int ret, pinned, i;

	region->pages = kcalloc(npages, sizeof(struct page *), GFP_KERNEL);
	if (!region->pages)
		return -ENOMEM;

	pinned = pin_user_pages_fast(region->user_addr, npages, FOLL_WRITE,
				     region->pages);
	if (pinned < 0) {
		ret = pinned;
		goto free_pages;
	} else if (pinned != npages) {
		ret = -EFAULT;
		goto put_pages;
	}
	return 0;

put_pages:
	for (i = 0; i < pinned; i++)
		put_page(region->pages[i]);
free_pages:
	kfree(region->pages);
	return ret;
}
