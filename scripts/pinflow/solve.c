// SPDX-License-Identifier: GPL-2.0
/*
 * solve.c - origins to a fixed point, one walk per acquisition, verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "solve.h"

#define BIT(n) (1u << (n))
#define GET_PAGES (BIT(O_GUP) | BIT(O_ITER))
#define PINNED_PAGES (BIT(O_PIN) | BIT(O_EXTRACT))
#define OTHER_PAGES (BIT(O_ALLOC) | BIT(O_PAGECACHE) | BIT(O_VIRT) | \
		     BIT(O_ZERO) | BIT(O_PIPE) | BIT(O_BVEC) | BIT(O_KVEC) | \
		     BIT(O_ITER))

static const char *const verdict_names[V_NR] = {
	"CONVERT", "MIXED", "EXTRA_REF", "ESCAPES", "KEEP_GET", "PINNED",
	"MISMATCH", "UNKNOWN",
};

const char *verdict_name(enum verdict v)
{
	return v < V_NR ? verdict_names[v] : "?";
}

static void names(unsigned mask, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (int o = 0; o < O_NR && at < len; o++)
		if (mask & BIT(o))
			at += snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
				       origin_name(o));
}

enum verdict decide(enum rclass cls, unsigned origins, unsigned flags,
		    char *reason, size_t len)
{
	char other[160];

	names(origins & ~BIT(O_GUP), other, sizeof(other));
	switch (cls) {
	case R_FREE:
		if ((origins & (GET_PAGES | PINNED_PAGES)) && (origins & BIT(O_ALLOC))) {
			snprintf(reason, len, "frees allocated pages whose carrier GUP pages share (%s): check it never sees them", other);
			return V_UNKNOWN;
		}
		if (origins & (GET_PAGES | PINNED_PAGES)) {
			snprintf(reason, len, "frees a page GUP returned (it belongs to the process)");
			return V_MISMATCH;
		}
		snprintf(reason, len, "frees pages of other origins only");
		return V_UNKNOWN;
	case R_UNPIN:
		if ((origins & BIT(O_GUP)) && (origins & PINNED_PAGES)) {
			snprintf(reason, len, "both FOLL_GET and FOLL_PIN pages reach it: the release needs a flag");
			return V_MIXED;
		}
		if (origins & BIT(O_GUP)) {
			snprintf(reason, len, "FOLL_GET pages released by an unpin call");
			return V_MISMATCH;
		}
		if (origins & PINNED_PAGES) {
			snprintf(reason, len, "already pin/unpin");
			return V_PINNED;
		}
		snprintf(reason, len, "unpins pages of other origins (%s)", other);
		return V_MISMATCH;
	case R_COND:
		if (origins & PINNED_PAGES) {
			snprintf(reason, len, "already pinned; the release unpins only pinned pages");
			return V_PINNED;
		}
		if (origins & BIT(O_GUP)) {
			snprintf(reason, len, "FOLL_GET pages reach a release that only unpins pinned pages");
			return V_MISMATCH;
		}
		snprintf(reason, len, "releases only pinned pages; no pinned origin seen");
		return V_PINNED;
	case R_PUTUSER:
		/* v5.2-v5.5: put_user_page*() marks the release of FOLL_GET
		 * GUP pages (a reference drop still; renamed unpin_* in v5.6). */
		if (origins & PINNED_PAGES) {
			snprintf(reason, len, "pinned pages released by put_user_page*(), a reference drop");
			return V_MISMATCH;
		}
		if ((origins & GET_PAGES) && (origins & OTHER_PAGES & ~BIT(O_ITER))) {
			snprintf(reason, len, "put_user_page*() sees GUP pages and pages of other origins (%s)", other);
			return V_MIXED;
		}
		if (origins & GET_PAGES) {
			snprintf(reason, len, "already put_user_page*(): GUP pages released as such (v5.2-v5.5 API)");
			return V_PINNED;
		}
		snprintf(reason, len, "put_user_page*() on pages GUP did not return (%s)", other);
		return V_MISMATCH;
	case R_PUT:
	case R_NR:
		break;
	}
	if ((origins & PINNED_PAGES) && (origins & (GET_PAGES | OTHER_PAGES))) {
		snprintf(reason, len, "pinned pages and pages of other origins (%s) reach it: the release needs a flag", other);
		return V_MIXED;
	}
	if ((origins & PINNED_PAGES) && (flags & BIT(F_GETREF))) {
		snprintf(reason, len, "get_page() on pinned pages: this put balances it (a pin-aware reference, folio_add_pin(), would not need it)");
		return V_EXTRA_REF;
	}
	if (origins & PINNED_PAGES) {
		snprintf(reason, len, "pinned pages released by a reference drop");
		return V_MISMATCH;
	}
	if (!(origins & GET_PAGES)) {
		snprintf(reason, len, "no GUP origin reaches it");
		return V_UNKNOWN;
	}
	if (flags & BIT(F_GETREF)) {
		snprintf(reason, len, "get_page() on a GUP page: the extra reference needs a pin-aware counterpart");
		return V_EXTRA_REF;
	}
	if (flags & BIT(F_ESCAPE)) {
		snprintf(reason, len, "the GUP pages reach a call no analysis resolves (function pointer)");
		return V_ESCAPES;
	}
	if (origins & OTHER_PAGES) {
		if (origins & BIT(O_ITER))
			snprintf(reason, len, "also sees pages of other origins (%s): an iov_iter may be ITER_BVEC/KVEC; the release must be conditional", other);
		else
			snprintf(reason, len, "also sees pages of other origins (%s): the release needs a flag", other);
		return V_MIXED;
	}
	if (origins & BIT(O_UNKNOWN)) {
		snprintf(reason, len, "pages also come from parameters whose callers are not all known");
		return V_UNKNOWN;
	}
	if (flags & (BIT(F_DMA) | BIT(F_CPU))) {
		snprintf(reason, len, "every page it sees comes from FOLL_GET GUP and is accessed (%s)",
			 (flags & BIT(F_DMA)) ? ((flags & BIT(F_CPU)) ? "DMA and CPU" : "DMA") : "CPU");
		return V_CONVERT;
	}
	if (flags & BIT(F_META)) {
		snprintf(reason, len, "pages are used only for struct page metadata or their pfn (pin_user_pages.rst case 3/4)");
		return V_KEEP_GET;
	}
	snprintf(reason, len, "every page it sees comes from FOLL_GET GUP; no use of the data seen (pages handed on)");
	return V_CONVERT;
}

/* Propagate masks along edges to a fixed point (FIFO, so parents are
 * short paths).  parent may be NULL. */
static void propagate(const struct graph *g, unsigned *mask, int *parent, int nbits)
{
	int *queue = malloc((g->nnodes + 1) * sizeof(int));
	char *inq = calloc(g->nnodes + 1, 1);
	int head = 0, tail = 0, count = 0;

	for (int n = 0; n < g->nnodes; n++)
		if (mask[n]) {
			queue[tail] = n;
			tail = (tail + 1) % (g->nnodes + 1);
			inq[n] = 1;
			count++;
		}
	while (count) {
		int n = queue[head];

		head = (head + 1) % (g->nnodes + 1);
		count--;
		inq[n] = 0;
		for (int e = g->out_start[n]; e < g->out_start[n + 1]; e++) {
			int to = g->out[e].to;
			unsigned add = mask[n] & ~mask[to];

			if (!add)
				continue;
			if (parent)
				for (int b = 0; b < nbits; b++)
					if (add & BIT(b))
						parent[to * nbits + b] = e;
			mask[to] |= add;
			if (!inq[to]) {
				inq[to] = 1;
				queue[tail] = to;
				tail = (tail + 1) % (g->nnodes + 1);
				count++;
			}
		}
	}
	free(queue);
	free(inq);
}

static unsigned acq_kinds(const struct seed *sd, const unsigned *imask)
{
	unsigned im, k = 0;

	if (sd->acq_kind != O_GUP || sd->iter < 0)
		return BIT(sd->acq_kind);
	im = imask[sd->iter];
	if (im & BIT(I_USER))
		k |= BIT(O_GUP);
	if (im & BIT(I_BVEC))
		k |= BIT(O_BVEC);
	if (im & BIT(I_KVEC))
		k |= BIT(O_KVEC);
	if (im & BIT(I_PIPE))
		k |= BIT(O_PIPE);
	if (im & BIT(I_PAGECACHE))
		k |= BIT(O_PAGECACHE);
	if (im & BIT(I_UNKNOWN) || !im)
		k |= BIT(O_ITER);
	return k;
}

static int push(int **arr, int *n, int v)
{
	int *p = realloc(*arr, (*n + 1) * sizeof(int));

	if (!p)
		return -1;
	p[(*n)++] = v;
	*arr = p;
	return 0;
}

/* Follow one acquisition alone: the releases it reaches, its flags. */
static int walk_acq(const struct graph *g, struct solution *s, int a, int start,
		    const int *rel_start, const int *rel_of, int *stamp, int *queue)
{
	struct acq_result *ar = &s->acq[a];
	int head = 0, tail = 0;
	int fh[F_NR];

	for (int f = 0; f < F_NR; f++)
		fh[f] = -1;
	stamp[start] = a + 1;
	queue[tail++] = start;
	while (head < tail) {
		int n = queue[head++];

		for (int i = g->flag_start[n]; i < g->flag_start[n + 1]; i++) {
			int f = g->flags[i].flag;

			ar->flags |= BIT(f);
			if (fh[f] < 0)
				fh[f] = g->flags[i].hop;
		}
		for (int i = rel_start[n]; i < rel_start[n + 1]; i++) {
			int r = rel_of[i];
			struct rel_result *rr = &s->rel[r];

			if (push(&ar->rels, &ar->nrels, r) || push(&rr->acqs, &rr->nacqs, a))
				return -1;
		}
		for (int e = g->out_start[n]; e < g->out_start[n + 1]; e++) {
			int to = g->out[e].to;

			if (stamp[to] != a + 1) {
				stamp[to] = a + 1;
				queue[tail++] = to;
			}
		}
	}
	for (int f = 0; f < F_NR; f++)
		ar->flag_hop[f] = fh[f];
	/* A get_page() on pinned pages is what a put of them balances. */
	if ((ar->kinds & PINNED_PAGES) && (ar->flags & BIT(F_GETREF)))
		for (int i = 0; i < ar->nrels; i++) {
			struct rel_result *rr = &s->rel[ar->rels[i]];

			rr->flags |= BIT(F_GETREF);
			if (rr->flag_hop[F_GETREF] < 0)
				rr->flag_hop[F_GETREF] = fh[F_GETREF];
		}
	/* Only FOLL_GET acquisitions say why a put must stay or may go. */
	if (ar->kinds & GET_PAGES)
		for (int i = 0; i < ar->nrels; i++) {
			struct rel_result *rr = &s->rel[ar->rels[i]];

			rr->flags |= ar->flags;
			for (int f = 0; f < F_NR; f++)
				if (rr->flag_hop[f] < 0)
					rr->flag_hop[f] = fh[f];
		}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

int solve(const struct graph *g, struct solution *s)
{
	int *rel_start, *rel_of, *fill, *stamp, *queue;
	int nn = g->nnodes;

	memset(s, 0, sizeof(*s));
	s->omask = calloc(nn + 1, sizeof(unsigned));
	s->imask = calloc(nn + 1, sizeof(unsigned));
	s->parent = malloc(((size_t)nn * O_NR + 1) * sizeof(int));
	s->rel = calloc(g->nreleases + 1, sizeof(*s->rel));
	s->acq = calloc(g->nacqs + 1, sizeof(*s->acq));
	if (!s->omask || !s->imask || !s->parent || !s->rel || !s->acq)
		return -1;
	for (size_t i = 0; i < (size_t)nn * O_NR; i++)
		s->parent[i] = -1;

	/* 1. what reaches each iterator */
	for (int i = 0; i < g->nseeds; i++)
		if (g->seeds[i].is_iter)
			s->imask[g->seeds[i].node] |= BIT(g->seeds[i].kind);
	propagate(g, s->imask, NULL, I_NR);

	/* 2. page origins, with the seed of each bit */
	for (int i = 0; i < g->nseeds; i++) {
		const struct seed *sd = &g->seeds[i];
		unsigned k;

		if (sd->is_iter)
			continue;
		k = sd->acq >= 0 ? acq_kinds(sd, s->imask) : BIT(sd->kind);
		if (sd->acq >= 0)
			s->acq[sd->acq].kinds |= k;
		for (int b = 0; b < O_NR; b++)
			if ((k & BIT(b)) && !(s->omask[sd->node] & BIT(b)))
				s->parent[sd->node * O_NR + b] = -2 - i;
		s->omask[sd->node] |= k;
	}
	propagate(g, s->omask, s->parent, O_NR);

	/* 3. one walk per acquisition */
	rel_start = calloc(nn + 1, sizeof(int));
	rel_of = malloc((g->nreleases + 1) * sizeof(int));
	fill = calloc(nn + 1, sizeof(int));
	stamp = calloc(nn + 1, sizeof(int));
	queue = malloc((nn + 1) * sizeof(int));
	if (!rel_start || !rel_of || !fill || !stamp || !queue)
		return -1;
	for (int r = 0; r < g->nreleases; r++) {
		rel_start[g->releases[r].node + 1]++;
		for (int f = 0; f < F_NR; f++)
			s->rel[r].flag_hop[f] = -1;
	}
	for (int n = 0; n < nn; n++)
		rel_start[n + 1] += rel_start[n];
	for (int r = 0; r < g->nreleases; r++) {
		int n = g->releases[r].node;

		rel_of[rel_start[n] + fill[n]++] = r;
	}
	for (int i = 0; i < g->nseeds; i++)
		if (g->seeds[i].acq >= 0 &&
		    walk_acq(g, s, g->seeds[i].acq, g->seeds[i].node, rel_start,
			     rel_of, stamp, queue))
			return -1;
	free(rel_start);
	free(rel_of);
	free(fill);
	free(stamp);
	free(queue);

	/* 4. verdicts */
	for (int r = 0; r < g->nreleases; r++) {
		struct rel_result *rr = &s->rel[r];

		qsort(rr->acqs, rr->nacqs, sizeof(int), cmp_int);
		rr->origins = s->omask[g->releases[r].node];
		rr->verdict = decide(g->releases[r].cls, rr->origins, rr->flags,
				     rr->reason, sizeof(rr->reason));
	}
	for (int a = 0; a < g->nacqs; a++)
		qsort(s->acq[a].rels, s->acq[a].nrels, sizeof(int), cmp_int);
	return 0;
}

int chain(const struct graph *g, const struct solution *s, int r, int o,
	  int *hops, int max)
{
	int node = g->releases[r].node, n = 0, guard = g->nnodes + 1;

	if (!(s->omask[node] & BIT(o)))
		return 0;
	if (n < max)
		hops[n++] = g->releases[r].hop;
	while (guard-- > 0 && n < max) {
		int p = s->parent[node * O_NR + o];

		if (p <= -2) {
			if (g->seeds[-2 - p].hop != hops[n - 1])
				hops[n++] = g->seeds[-2 - p].hop;
			break;
		}
		if (p < 0)
			break;
		if (g->out[p].hop != hops[n - 1])
			hops[n++] = g->out[p].hop;
		node = g->eidx_from[p];
	}
	for (int i = 0; i < n / 2; i++) {
		int t = hops[i];

		hops[i] = hops[n - 1 - i];
		hops[n - 1 - i] = t;
	}
	return n;
}

void solution_free(const struct graph *g, struct solution *s)
{
	if (s->rel)
		for (int r = 0; r < g->nreleases; r++)
			free(s->rel[r].acqs);
	if (s->acq)
		for (int a = 0; a < g->nacqs; a++)
			free(s->acq[a].rels);
	free(s->omask);
	free(s->imask);
	free(s->parent);
	free(s->rel);
	free(s->acq);
	memset(s, 0, sizeof(*s));
}
