// A struct field across two files: the pages go into ctx->pages here,
// are mapped for DMA, and are released in field_release.c.
#include "ctx.h"

int pc_map(struct pc_ctx *ctx, unsigned long uaddr)
{
	struct page **pages;
	int got;

	pages = kvmalloc_array(ctx->nr, sizeof(*pages), GFP_KERNEL);
	got = get_user_pages_fast(uaddr, ctx->nr, 0, pages);
	if (got < 0)
		return got;
	ctx->pages = pages;
	return sg_alloc_table_from_pages(&ctx->sgt, ctx->pages, got, 0,
					 got * PAGE_SIZE, GFP_KERNEL);
}
