// GUP pages stored in an sg table here and released through the table in
// sgtable_release.c (modelled on drivers/gpu/drm/radeon/radeon_ttm.c
// radeon_ttm_tt_pin_userptr() and radeon_ttm_tt_unpin_userptr() of 6.12).
#include <linux/mm.h>
#include "sgt.h"

int st_pin_userptr(struct st_tt *ttm, unsigned long userptr)
{
	unsigned int pinned = 0;
	int r;

	do {
		unsigned int num_pages = ttm->num_pages - pinned;
		struct page **pages = ttm->pages + pinned;

		r = get_user_pages(userptr + pinned * PAGE_SIZE, num_pages, FOLL_WRITE, pages);
		if (r < 0)
			goto release_pages;
		pinned += r;
	} while (pinned < ttm->num_pages);

	r = sg_alloc_table_from_pages(ttm->sg, ttm->pages, ttm->num_pages, 0,
				      (u64)ttm->num_pages << PAGE_SHIFT, GFP_KERNEL);
	if (r)
		goto release_pages;
	return dma_map_sgtable(ttm->dev, ttm->sg, DMA_BIDIRECTIONAL, 0);

release_pages:
	release_pages(ttm->pages, pinned);
	return r;
}
