/* qaic_control.c's FOLL_GET path with its unwind loop using unpin_user_page(). */
static int find_and_map_user_pages(struct dma_xfer *xfer, u64 xfer_start_addr,
				   int nr_pages)
{
	struct page **page_list;
	int ret, i;

	page_list = kmalloc_array(nr_pages, sizeof(*page_list), GFP_KERNEL);
	if (!page_list)
		return -ENOMEM;
	ret = get_user_pages_fast(xfer_start_addr, nr_pages, 0, page_list);
	if (ret < 0)
		goto free_page_list;
	if (ret != nr_pages) {
		nr_pages = ret;
		ret = -EFAULT;
		goto put_pages;
	}
	xfer->page_list = page_list;
	xfer->nr_pages = nr_pages;
	return 0;

put_pages:
	for (i = 0; i < nr_pages; ++i)
		unpin_user_page(page_list[i]);
free_page_list:
	kfree(page_list);
	return ret;
}
