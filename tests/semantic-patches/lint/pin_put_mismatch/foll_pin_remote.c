/* FOLL_PIN passed to get_user_pages_remote() (as mm/ code may) is a pin. */
static long grab_remote(struct mm_struct *mm, unsigned long addr, long n,
			struct page **pages, int *locked)
{
	long got = get_user_pages_remote(mm, addr, n, FOLL_WRITE | FOLL_PIN,
					 pages, locked);
	if (got <= 0)
		return got;
	do_something(pages, got);
	release_pages(pages, got);
	return got;
}
