// The release of field_acquire.c's pages, through struct pc_ctx.pages.
#include "ctx.h"

void pc_unmap(struct pc_ctx *ctx)
{
	int i;

	sg_free_table(&ctx->sgt);
	for (i = 0; i < ctx->nr; i++)
		put_page(ctx->pages[i]);
}
