/* One page pinned into a local, dropped with put_page(). */
static int poke_user_word(unsigned long uaddr, u32 val)
{
	struct page *page;
	u32 *p;

	if (pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) != 1)
		return -EFAULT;
	p = kmap_local_page(page);
	p[offset_in_page(uaddr) / sizeof(u32)] = val;
	kunmap_local(p);
	set_page_dirty_lock(page);
	put_page(page);
	return 0;
}
