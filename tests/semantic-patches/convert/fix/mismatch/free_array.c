/* bcm_vk_dma_alloc() shape: all dma->nr_pages pages taken or an early
 * return; a dma_map error frees one page and returns.  Every page the
 * call took is released instead; __free_page() of an allocated page
 * (not at a plan position) stays. */
static int dma_alloc(struct device *dev, struct bcm_vk_dma *dma, u64 data)
{
	int err, i;
	struct page *scratch = alloc_page(GFP_KERNEL);

	err = get_user_pages_fast(data & PAGE_MASK, dma->nr_pages,
				  dma->direction == DMA_FROM_DEVICE, dma->pages);
	if (err != dma->nr_pages)
		return err < 0 ? err : -EINVAL;
	if (dma_mapping_error(dev, dma_map_page(dev, dma->pages[0], 0, 1, 0))) {
		__free_page(dma->pages[0]);
		return -EIO;
	}
	for (i = 1; i < dma->nr_pages; i++) {
		if (dma_mapping_error(dev, dma_map_page(dev, dma->pages[i], 0, 1, 0))) {
			__free_page(dma->pages[i]);
			return -EIO;
		}
	}
	__free_page(scratch);
	return 0;
}
