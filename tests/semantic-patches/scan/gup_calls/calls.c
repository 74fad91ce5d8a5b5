/* Calls of the family in the shapes kernel code uses them. */
static int pin_buffer(struct dev *d, unsigned long uaddr, int n)
{
	int ret;

	ret = get_user_pages_fast(uaddr, n, FOLL_WRITE, d->pages);
	if (ret < 0)
		return ret;
	/* get_user_pages_fast() in a comment is no call */
	pr_debug("get_user_pages_fast(%d)\n", n);
	return pin_user_pages(uaddr, n, FOLL_LONGTERM, &d->pinned[0]);
}

static struct page *one(unsigned long addr)
{
	return get_dump_page(addr);
}

SYSCALL_DEFINE3(grab, unsigned long, addr, int, n, struct page **, pages)
{
	return get_user_pages_unlocked(addr, n, pages, 0);
}

BPF_CALL_2(bpf_grab, unsigned long, addr, struct page **, pages)
{
	return get_user_pages_fast(addr, 1, 0, pages);
}

static ssize_t extract(struct iov_iter *iter, struct page ***pages)
{
	size_t off;

	return iov_iter_get_pages_alloc2(iter, pages, 4096, &off) +
	       not_in_family(iter);
}

int get_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
