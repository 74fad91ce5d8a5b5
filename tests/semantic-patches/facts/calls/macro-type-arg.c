/* A macro's type argument is listed like any other (it names no page);
 * a call without arguments gives no fact. */
struct fuse_pg {
	struct list_head list;
	struct page *page;
};

static struct page *first_page(struct list_head *head, size_t len)
{
	struct fuse_pg *pg = container_of(head->next, struct fuse_pg, list);

	len = min_t(size_t, len, PAGE_SIZE);
	cond_resched();
	return pg->page;
}
