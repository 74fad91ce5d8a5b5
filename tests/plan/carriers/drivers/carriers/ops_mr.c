// The transport keeps the scatterlist in its MR and unpins each page at
// teardown through sg_page(&ibmr->sg[i]) (modelled on net/rds/ib_rdma.c
// __rds_ib_teardown_mr() of 6.12).
#include <linux/mm.h>
#include "ops.h"

void *ob_get_mr(struct scatterlist *sg, unsigned long nr_sg, void *priv)
{
	struct op_mr *ibmr = kzalloc(sizeof(*ibmr), GFP_KERNEL);

	ibmr->sg = sg;
	ibmr->sg_len = nr_sg;
	return ibmr;
}

void ob_free_mr(void *trans_private)
{
	struct op_mr *ibmr = trans_private;
	int i;

	for (i = 0; i < ibmr->sg_len; ++i) {
		struct page *page = sg_page(&ibmr->sg[i]);

		unpin_user_pages_dirty_lock(&page, 1, true);
	}
	kfree(ibmr->sg);
}
