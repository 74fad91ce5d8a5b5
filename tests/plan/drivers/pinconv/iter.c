// MIXED: a release helper shared by an IOVEC caller and a BVEC caller of
// the same iov_iter_get_pages2() path.
static void iter_put_pages(struct page **pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_page(pages[i]);
}

static ssize_t iter_grab(struct iov_iter *it, struct page **pages)
{
	size_t off;
	ssize_t got = iov_iter_get_pages2(it, pages, PAGE_SIZE, 1, &off);

	if (got > 0) {
		void *p = kmap_local_page(pages[0]);

		kunmap_local(p);
		iter_put_pages(pages, 1);
	}
	return got;
}

static ssize_t iter_from_user(const struct iovec __user *uvec, int nr)
{
	struct iovec iovstack[8], *iov = iovstack;
	struct iov_iter it;
	struct page *pages[1];

	import_iovec(ITER_DEST, uvec, nr, 8, &iov, &it);
	return iter_grab(&it, pages);
}

static ssize_t iter_from_bvec(struct bio_vec *bv, int nr)
{
	struct iov_iter it;
	struct page *pages[1];

	iov_iter_bvec(&it, ITER_SOURCE, bv, nr, PAGE_SIZE);
	return iter_grab(&it, pages);
}
