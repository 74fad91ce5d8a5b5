// A bio_vec array filled by a helper that is given the array (modelled
// on fs/ceph/file.c __iter_get_bvecs(), iter_get_bvecs_alloc() and
// put_bvecs() of 6.12): the pages reach put_page(bvecs[i].bv_page).
#include <linux/mm.h>

#define BV_PAGES 64

static ssize_t bv_fill(struct iov_iter *iter, size_t maxsize, struct bio_vec *bvecs)
{
	size_t size = 0;
	int bvec_idx = 0;

	while (size < maxsize) {
		struct page *pages[BV_PAGES];
		ssize_t bytes;
		size_t start;
		int idx = 0;

		bytes = iov_iter_get_pages2(iter, pages, maxsize - size, BV_PAGES, &start);
		if (bytes < 0)
			return size ?: bytes;
		size += bytes;
		for ( ; bytes; idx++, bvec_idx++) {
			int len = min_t(int, bytes, PAGE_SIZE - start);

			bvec_set_page(&bvecs[bvec_idx], pages[idx], len, start);
			bytes -= len;
			start = 0;
		}
	}
	return size;
}

static ssize_t bv_alloc(struct iov_iter *iter, size_t maxsize,
			struct bio_vec **bvecs, int *num_bvecs)
{
	struct bio_vec *bv;
	ssize_t bytes;
	int npages = iov_iter_npages(iter, INT_MAX);

	bv = kvmalloc_array(npages, sizeof(*bv), GFP_KERNEL | __GFP_ZERO);
	if (!bv)
		return -ENOMEM;
	bytes = bv_fill(iter, maxsize, bv);
	if (bytes < 0) {
		kvfree(bv);
		return bytes;
	}
	*bvecs = bv;
	*num_bvecs = npages;
	return bytes;
}

static void bv_put(struct bio_vec *bvecs, int num_bvecs, bool should_dirty)
{
	int i;

	for (i = 0; i < num_bvecs; i++) {
		if (bvecs[i].bv_page) {
			if (should_dirty)
				set_page_dirty_lock(bvecs[i].bv_page);
			put_page(bvecs[i].bv_page);
		}
	}
	kvfree(bvecs);
}

ssize_t bv_direct_io(struct kiocb *iocb, struct iov_iter *iter, size_t size)
{
	struct bio_vec *bvecs;
	int num_pages;
	ssize_t len;

	len = bv_alloc(iter, size, &bvecs, &num_pages);
	if (len < 0)
		return len;
	bv_put(bvecs, num_pages, true);
	return len;
}
