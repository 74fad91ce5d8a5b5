/* A pinned array handed back with release_pages() on the error path. */
static long pin_range(unsigned long start, unsigned long nr, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = pin_user_pages(start, nr, FOLL_WRITE | FOLL_LONGTERM, pages);
	mmap_read_unlock(current->mm);
	if (got > 0 && got != nr) {
		release_pages(pages, got);
		return -EFAULT;
	}
	return got;
}
