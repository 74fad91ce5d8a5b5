struct pc_ctx {
	struct page **pages;
	int nr;
	struct sg_table sgt;
};
int pc_map(struct pc_ctx *ctx, unsigned long uaddr);
void pc_unmap(struct pc_ctx *ctx);
