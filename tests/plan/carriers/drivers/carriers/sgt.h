struct st_tt {
	struct device *dev;
	struct page **pages;
	unsigned int num_pages;
	struct sg_table *sg;
};
int st_pin_userptr(struct st_tt *ttm, unsigned long userptr);
void st_unpin_userptr(struct st_tt *ttm);
