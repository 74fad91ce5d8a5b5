// The transport's ops table (modelled on net/rds/ib.c rds_ib_transport).
#include "ops.h"

void *ob_get_mr(struct scatterlist *sg, unsigned long nr_sg, void *priv);
void ob_free_mr(void *trans_private);

struct op_transport op_ib_transport = {
	.get_mr = ob_get_mr,
	.free_mr = ob_free_mr,
};
