/* Arguments are read back from the source: a call spanning lines, a
 * comment inside, a string holding a comma and a parenthesis, nested
 * calls, an iterator's arguments and a macro body. */
static int fill(struct sg_table *sgt, struct page **pages, int n)
{
	struct scatterlist *sg;
	int i;

	pr_debug("pages (%d, %d)\n", n,
		 /* how many */ sgt->nents);
	sg_set_page(&sgt->sgl[0],
		    pages[ 0 ],	PAGE_SIZE,   /* whole page */
		    offset_in_page(min(n, 4)));
	for_each_sg(sgt->sgl, sg, sgt->nents, i)
		put_page(sg_page(sg));
	return 0;
}

/* In a macro body, a line continuation is whitespace. */
#define fill_one(sgt, page)				\
({							\
	sg_set_page((sgt)->sgl, page,			\
		    PAGE_SIZE, 0);			\
})
