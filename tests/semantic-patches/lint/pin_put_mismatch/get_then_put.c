/* FOLL_GET pages released by put_page(): a reference, not this rule's business. */
static int qaic_map(unsigned long addr, int nr_pages, struct page **page_list)
{
	int ret, i;

	ret = get_user_pages_fast(addr, nr_pages, 0, page_list);
	if (ret < 0)
		return ret;
	for (i = 0; i < ret; ++i)
		put_page(page_list[i]);
	return 0;
}
