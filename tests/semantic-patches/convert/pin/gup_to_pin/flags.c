static int host_setup_notify(struct ctx *context, unsigned long uva)
{
	struct page *page;
	int retval;

	retval = get_user_pages_fast(uva, 1, FOLL_WRITE, &page);
	if (retval != 1)
		return -EFAULT;
	context->notify_page = page;
	return 0;
}

static int add_region(struct region *r, unsigned long addr, int i)
{
	long rc;

	rc = get_user_pages_unlocked(addr, 1, r->pages + i, FOLL_GET);
	if (rc < 0)
		return rc;
	rc = get_user_pages_unlocked(addr, 1, r->pages + i, FOLL_GET | FOLL_WRITE);
	rc = get_user_pages(addr, 1, FOLL_LONGTERM | FOLL_GET, r->pages);
	/* not marked: left as it is */
	rc = get_user_pages_fast(addr, 1, FOLL_WRITE, r->pages);
	return rc;
}
