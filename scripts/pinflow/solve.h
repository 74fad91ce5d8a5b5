/* SPDX-License-Identifier: GPL-2.0 */
/*
 * solve.h - which origins reach each release site, and its verdict.
 *
 * Origins are propagated over the graph to a fixed point (a bit per
 * origin kind, with the edge that first brought each bit, for chains);
 * iov_iter acquisitions take their kinds from what reaches their
 * iterator.  Every acquisition is then followed alone, to list the
 * releases it reaches and what is done with its pages on the way.
 */
#ifndef PINFLOW_SOLVE_H
#define PINFLOW_SOLVE_H

#include "graph.h"

enum verdict {
	V_CONVERT, V_MIXED, V_EXTRA_REF, V_ESCAPES, V_KEEP_GET, V_PINNED,
	V_MISMATCH, V_UNKNOWN, V_NR
};

struct rel_result {
	unsigned origins;	/* bits of enum origin */
	unsigned flags;		/* bits of enum flag, over the acquisitions reaching it */
	int flag_hop[F_NR];
	int *acqs;		/* acquisition indexes reaching it, ascending */
	int nacqs;
	enum verdict verdict;
	char reason[320];
};

struct acq_result {
	unsigned kinds;		/* what its pages are: gup, pin, extract, bvec, iter... */
	unsigned flags;
	int flag_hop[F_NR];	/* the first hop of each flag seen, or -1 */
	int *rels;		/* release indexes it reaches, ascending */
	int nrels;
};

struct solution {
	unsigned *omask;	/* per node */
	unsigned *imask;	/* per node, iterator origins */
	int *parent;		/* per node and origin: edge index, -2 - seed, or -1 */
	struct rel_result *rel;
	struct acq_result *acq;
};

const char *verdict_name(enum verdict v);
/* The verdict for a release of class cls seeing origins, with flags of
 * the acquisitions reaching it; reason gets one sentence. */
enum verdict decide(enum rclass cls, unsigned origins, unsigned flags,
		    char *reason, size_t len);
int solve(const struct graph *g, struct solution *s);
/* The hops from an origin of kind o to release r, origin first; returns
 * how many were written to hops (at most max). */
int chain(const struct graph *g, const struct solution *s, int r, int o,
	  int *hops, int max);
void solution_free(const struct graph *g, struct solution *s);

#endif
