/* SPDX-License-Identifier: GPL-2.0 */
/*
 * graph.h - the page-flow graph scripts/facts.py writes: carriers (nodes),
 * moves between them (edges, each with the file:line hop that justifies
 * it), seeds (where pages come from), flags (what is done with them) and
 * release sites.
 */
#ifndef PINFLOW_GRAPH_H
#define PINFLOW_GRAPH_H

#include <stddef.h>
#include <jansson.h>

/* Page origin kinds, one bit each. */
enum origin {
	O_GUP, O_PIN, O_EXTRACT, O_ALLOC, O_PAGECACHE, O_VIRT, O_ZERO,
	O_PIPE, O_BVEC, O_KVEC, O_ITER, O_UNKNOWN, O_DISCARD, O_NR
};
/* iov_iter origin kinds (what an iterator is set up from). */
enum iter_origin {
	I_USER, I_BVEC, I_KVEC, I_PIPE, I_PAGECACHE, I_DISCARD, I_UNKNOWN, I_NR
};
/* What is done with pages: uses, extra references, escapes. */
enum flag { F_DMA, F_CPU, F_META, F_GETREF, F_ESCAPE, F_NR };
/* Release classes. */
enum rclass { R_PUT, R_UNPIN, R_COND, R_FREE, R_PUTUSER, R_NR };

struct edge {
	int to;
	int hop;
};

struct seed {
	int node;
	int hop;
	int acq;		/* acquisition index, or -1 */
	int iter;		/* iterator node of an iov_iter acquisition, or -1 */
	int is_iter;		/* seeds an iterator, not pages */
	int kind;		/* enum origin, enum iter_origin, or -1 for an acquisition */
	int acq_kind;		/* acquisitions: O_GUP, O_PIN or O_EXTRACT */
};

struct nflag {
	int node;
	int flag;
	int hop;
};

struct release {
	int node;
	int hop;
	enum rclass cls;
};

struct graph {
	int nnodes, nedges, nseeds, nflags, nreleases, nhops, nacqs;
	int *out_start;		/* CSR: out_start[n] .. out_start[n + 1] */
	struct edge *out;
	int *eidx_from;		/* edge i goes from eidx_from[i] */
	struct seed *seeds;
	struct nflag *flags;
	int *flag_start;	/* flags sorted by node, CSR like out */
	struct release *releases;
};

const char *origin_name(int o);
int origin_parse(const char *s);
int iter_parse(const char *s);
int flag_parse(const char *s);
const char *flag_name(int f);
const char *iter_name(int i);
const char *rclass_name(int c);
const char *acq_kind_name(int k);
int rclass_parse(const char *s);

/* Builds a graph from the JSON object; returns 0, or -1 with msg set. */
int graph_from_json(struct graph *g, json_t *root, const char **msg);
/* Builds the CSR arrays from an edge list (from, to, hop). */
int graph_set_edges(struct graph *g, int nnodes, const int (*e)[3], int nedges);
int graph_set_flags(struct graph *g);
void graph_free(struct graph *g);

#endif
