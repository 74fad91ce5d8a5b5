struct op_transport {
	void *(*get_mr)(struct scatterlist *sg, unsigned long nr_sg, void *priv);
	void (*free_mr)(void *trans_private);
};
struct op_sock {
	struct op_transport *rs_transport;
};
struct op_mr {
	struct scatterlist *sg;
	unsigned int sg_len;
};
