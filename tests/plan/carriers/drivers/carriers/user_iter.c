// A ->read_iter that refuses kernel-backed iterators (modelled on
// fs/fuse/dev.c fuse_dev_read() and fuse_copy_fill() of 6.12): the pages
// its helper takes come from user-backed iterators only.
#include <linux/mm.h>
#include <linux/uio.h>

struct ui_copy_state {
	struct iov_iter *iter;
	struct page *pg;
};

static int ui_copy_fill(struct ui_copy_state *cs)
{
	struct page *page;
	size_t off;
	ssize_t err;

	err = iov_iter_get_pages2(cs->iter, &page, PAGE_SIZE, 1, &off);
	if (err < 0)
		return err;
	cs->pg = page;
	return 0;
}

static void ui_copy_finish(struct ui_copy_state *cs)
{
	if (cs->pg) {
		flush_dcache_page(cs->pg);
		put_page(cs->pg);
	}
	cs->pg = NULL;
}

ssize_t ui_dev_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct ui_copy_state cs;
	int err;

	if (!user_backed_iter(to))
		return -EINVAL;
	cs.iter = to;
	cs.pg = NULL;
	err = ui_copy_fill(&cs);
	ui_copy_finish(&cs);
	return err;
}
