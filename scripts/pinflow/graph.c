// SPDX-License-Identifier: GPL-2.0
/*
 * graph.c - read the page-flow graph (JSON) into compact arrays.
 */
#include <stdlib.h>
#include <string.h>
#include "graph.h"

static const char *const origin_names[O_NR] = {
	"gup", "pin", "extract", "alloc", "pagecache", "virt", "zero",
	"pipe", "bvec", "kvec", "iter", "unknown", "discard",
};
static const char *const iter_names[I_NR] = {
	"iter-user", "iter-bvec", "iter-kvec", "iter-pipe", "iter-pagecache",
	"iter-discard", "iter-unknown",
};
static const char *const flag_names[F_NR] = {
	"dma", "cpu", "meta", "getref", "escape",
};
/* Acquisition kinds, and the origin each gives its pages. */
static const char *const acq_kind_names[3] = { "get", "pin", "extract" };
static const int acq_kind_origin[3] = { O_GUP, O_PIN, O_EXTRACT };
static const char *const rclass_names[R_NR] = {
	"put", "unpin", "cond", "free", "putuser",
};

const char *origin_name(int o)
{
	return o >= 0 && o < O_NR ? origin_names[o] : "?";
}

const char *flag_name(int f)
{
	return f >= 0 && f < F_NR ? flag_names[f] : "?";
}

const char *iter_name(int i)
{
	return i >= 0 && i < I_NR ? iter_names[i] : "?";
}

const char *acq_kind_name(int k)
{
	return k >= 0 && k < 3 ? acq_kind_names[k] : "?";
}

const char *rclass_name(int c)
{
	return c >= 0 && c < R_NR ? rclass_names[c] : "?";
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int origin_parse(const char *s)
{
	return lookup(origin_names, O_NR, s);
}

int iter_parse(const char *s)
{
	return lookup(iter_names, I_NR, s);
}

int flag_parse(const char *s)
{
	return lookup(flag_names, F_NR, s);
}

int rclass_parse(const char *s)
{
	return lookup(rclass_names, R_NR, s);
}

int graph_set_edges(struct graph *g, int nnodes, const int (*e)[3], int nedges)
{
	int *fill;

	g->nnodes = nnodes;
	g->nedges = nedges;
	g->out_start = calloc(nnodes + 1, sizeof(int));
	g->out = malloc((nedges ? nedges : 1) * sizeof(struct edge));
	g->eidx_from = malloc((nedges ? nedges : 1) * sizeof(int));
	fill = calloc(nnodes + 1, sizeof(int));
	if (!g->out_start || !g->out || !g->eidx_from || !fill) {
		free(fill);
		return -1;
	}
	for (int i = 0; i < nedges; i++)
		g->out_start[e[i][0] + 1]++;
	for (int n = 0; n < nnodes; n++)
		g->out_start[n + 1] += g->out_start[n];
	for (int i = 0; i < nedges; i++) {
		int at = g->out_start[e[i][0]] + fill[e[i][0]]++;

		g->out[at].to = e[i][1];
		g->out[at].hop = e[i][2];
		g->eidx_from[at] = e[i][0];
	}
	free(fill);
	return 0;
}

static int cmp_flag(const void *a, const void *b)
{
	const struct nflag *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->flag != y->flag)
		return x->flag < y->flag ? -1 : 1;
	return x->hop < y->hop ? -1 : x->hop > y->hop;
}

int graph_set_flags(struct graph *g)
{
	qsort(g->flags, g->nflags, sizeof(*g->flags), cmp_flag);
	g->flag_start = calloc(g->nnodes + 1, sizeof(int));
	if (!g->flag_start)
		return -1;
	for (int i = 0; i < g->nflags; i++)
		g->flag_start[g->flags[i].node + 1]++;
	for (int n = 0; n < g->nnodes; n++)
		g->flag_start[n + 1] += g->flag_start[n];
	return 0;
}

static int get_int(json_t *o, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static int parse_seed(struct seed *s, json_t *o, int nnodes)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));

	s->node = get_int(o, "node", -1);
	s->hop = get_int(o, "hop", -1);
	s->acq = get_int(o, "acq", -1);
	s->iter = get_int(o, "iter", -1);
	s->is_iter = 0;
	s->kind = -1;
	s->acq_kind = -1;
	if (!kind || s->node < 0 || s->node >= nnodes || s->iter >= nnodes)
		return -1;
	if (s->acq >= 0) {
		int k = lookup(acq_kind_names, 3, kind);

		if (k < 0)
			return -1;
		s->acq_kind = acq_kind_origin[k];
		return 0;
	}
	s->kind = origin_parse(kind);
	if (s->kind >= 0)
		return 0;
	s->kind = iter_parse(kind);
	s->is_iter = 1;
	return s->kind >= 0 ? 0 : -1;
}

int graph_from_json(struct graph *g, json_t *root, const char **msg)
{
	json_t *nodes = json_object_get(root, "nodes");
	json_t *edges = json_object_get(root, "edges");
	json_t *seeds = json_object_get(root, "seeds");
	json_t *flags = json_object_get(root, "flags");
	json_t *rels = json_object_get(root, "releases");
	json_t *hops = json_object_get(root, "hops");
	int (*e)[3];
	size_t i;
	json_t *v;

	memset(g, 0, sizeof(*g));
	if (!json_is_array(nodes) || !json_is_array(edges) || !json_is_array(seeds) ||
	    !json_is_array(flags) || !json_is_array(rels) || !json_is_array(hops)) {
		*msg = "graph needs arrays nodes, hops, edges, seeds, flags, releases";
		return -1;
	}
	g->nhops = json_array_size(hops);
	e = malloc((json_array_size(edges) + 1) * sizeof(*e));
	if (!e) {
		*msg = "out of memory";
		return -1;
	}
	json_array_foreach(edges, i, v) {
		int nn = json_array_size(nodes);

		for (int k = 0; k < 3; k++)
			e[i][k] = (int)json_integer_value(json_array_get(v, k));
		if (json_array_size(v) != 3 || e[i][0] < 0 || e[i][0] >= nn ||
		    e[i][1] < 0 || e[i][1] >= nn || e[i][2] < 0 || e[i][2] >= g->nhops) {
			*msg = "bad edge (want [from, to, hop] within range)";
			free(e);
			return -1;
		}
	}
	if (graph_set_edges(g, json_array_size(nodes), (const int (*)[3])e,
			    json_array_size(edges))) {
		free(e);
		*msg = "out of memory";
		return -1;
	}
	free(e);
	g->nseeds = json_array_size(seeds);
	g->seeds = calloc(g->nseeds + 1, sizeof(*g->seeds));
	json_array_foreach(seeds, i, v) {
		if (parse_seed(&g->seeds[i], v, g->nnodes)) {
			*msg = "bad seed (node, kind, hop, acq, iter)";
			return -1;
		}
		if (g->seeds[i].acq >= g->nacqs)
			g->nacqs = g->seeds[i].acq + 1;
	}
	g->nflags = json_array_size(flags);
	g->flags = calloc(g->nflags + 1, sizeof(*g->flags));
	json_array_foreach(flags, i, v) {
		const char *f = json_string_value(json_array_get(v, 1));

		g->flags[i].node = (int)json_integer_value(json_array_get(v, 0));
		g->flags[i].flag = f ? flag_parse(f) : -1;
		g->flags[i].hop = (int)json_integer_value(json_array_get(v, 2));
		if (g->flags[i].flag < 0 || g->flags[i].node < 0 ||
		    g->flags[i].node >= g->nnodes) {
			*msg = "bad flag ([node, dma|cpu|meta|getref|escape, hop])";
			return -1;
		}
	}
	if (graph_set_flags(g)) {
		*msg = "out of memory";
		return -1;
	}
	g->nreleases = json_array_size(rels);
	g->releases = calloc(g->nreleases + 1, sizeof(*g->releases));
	json_array_foreach(rels, i, v) {
		const char *c = json_string_value(json_object_get(v, "class"));
		struct release *r = &g->releases[i];

		r->node = get_int(v, "node", -1);
		r->hop = get_int(v, "hop", -1);
		if (!c || r->node < 0 || r->node >= g->nnodes) {
			*msg = "bad release (node, class, hop)";
			return -1;
		}
		if (rclass_parse(c) < 0) {
			*msg = "bad release class (put, unpin, cond, free, putuser)";
			return -1;
		}
		r->cls = rclass_parse(c);
	}
	return 0;
}

void graph_free(struct graph *g)
{
	free(g->out_start);
	free(g->out);
	free(g->eidx_from);
	free(g->seeds);
	free(g->flags);
	free(g->flag_start);
	free(g->releases);
	memset(g, 0, sizeof(*g));
}
