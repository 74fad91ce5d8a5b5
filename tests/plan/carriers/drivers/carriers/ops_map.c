// Pins put in a scatterlist and handed to a transport through its ops
// table, two pointer hops away (modelled on net/rds/rdma.c
// rds_pin_pages() and __rds_rdma_map() of 6.12): rs->rs_transport->get_mr().
#include <linux/mm.h>
#include "ops.h"

static int op_pin_pages(unsigned long user_addr, unsigned int nr_pages,
			struct page **pages, int write)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	int ret;

	if (write)
		gup_flags |= FOLL_WRITE;
	ret = pin_user_pages_fast(user_addr, nr_pages, gup_flags, pages);
	if (ret >= 0 && ret < nr_pages) {
		unpin_user_pages(pages, ret);
		ret = -EFAULT;
	}
	return ret;
}

int op_rdma_map(struct op_sock *rs, unsigned long addr, unsigned int nr_pages)
{
	struct page **pages = kcalloc(nr_pages, sizeof(struct page *), GFP_KERNEL);
	struct scatterlist *sg;
	void *trans_private;
	int ret, i;

	ret = op_pin_pages(addr, nr_pages, pages, 1);
	if (ret < 0)
		return ret;
	sg = kmalloc_array(nr_pages, sizeof(*sg), GFP_KERNEL);
	sg_init_table(sg, nr_pages);
	for (i = 0; i < nr_pages; ++i)
		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);
	trans_private = rs->rs_transport->get_mr(sg, nr_pages, NULL);
	kfree(pages);
	return trans_private ? 0 : -ENOMEM;
}
