// The sg table of sgtable_fill.c walked page by page and each page put.
#include <linux/mm.h>
#include "sgt.h"

void st_unpin_userptr(struct st_tt *ttm)
{
	struct sg_page_iter sg_iter;

	dma_unmap_sgtable(ttm->dev, ttm->sg, DMA_BIDIRECTIONAL, 0);
	for_each_sgtable_page(ttm->sg, &sg_iter, 0) {
		struct page *page = sg_page_iter_page(&sg_iter);

		set_page_dirty(page);
		mark_page_accessed(page);
		put_page(page);
	}
	sg_free_table(ttm->sg);
}
