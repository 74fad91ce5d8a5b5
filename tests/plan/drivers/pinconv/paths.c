// One local, two definitions on two paths (fs/fuse/dev.c:fuse_copy_fill's
// shape): `page` holds an allocated page on one path, a GUP page on the
// other.  Only the allocated one is stored in the ring and freed there;
// the GUP page reaches only put_page(st->pg).  A flow-insensitive graph
// would let the GUP page reach __free_page() too.
struct paths_ring {
	struct page *slot;
};

struct paths_state {
	struct page *pg;
	struct paths_ring *ring;
	int kernel;
};

static int paths_fill(struct paths_state *st, unsigned long uaddr)
{
	struct page *page;

	if (st->kernel) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		st->ring->slot = page;
	} else {
		if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) != 1)
			return -EFAULT;
		st->pg = page;
	}
	return 0;
}

static void paths_copy(struct paths_state *st, void *buf)
{
	void *kaddr = kmap_local_page(st->pg);

	memcpy(buf, kaddr, PAGE_SIZE);
	kunmap_local(kaddr);
	put_page(st->pg);
	st->pg = NULL;
}

static void paths_drain(struct paths_ring *ring)
{
	__free_page(ring->slot);
	ring->slot = NULL;
}
