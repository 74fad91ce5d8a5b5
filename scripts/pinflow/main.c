// SPDX-License-Identifier: GPL-2.0
/*
 * pinflow - solve the page-flow graph written by scripts/facts.py.
 *
 *   pinflow GRAPH.json [OUT.json]
 *
 * Writes, for every release site (same order as the graph's), the origins
 * reaching it, the acquisitions reaching it, its verdict with a reason,
 * and the chain of hops from an origin to it; for every acquisition, the
 * releases it reaches.  Errors: one "pinflow: ..." line, exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"
#include "solve.h"

#define MAXHOPS 64

static json_t *int_array(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *bits(unsigned mask, const char *(*name)(int), int nbits)
{
	json_t *a = json_array();

	for (int b = 0; b < nbits; b++)
		if (mask & (1u << b))
			json_array_append_new(a, json_string(name(b)));
	return a;
}

static json_t *result_json(const struct graph *g, const struct solution *s)
{
	json_t *root = json_object(), *rels = json_array(), *acqs = json_array();
	int hops[MAXHOPS];

	for (int r = 0; r < g->nreleases; r++) {
		const struct rel_result *rr = &s->rel[r];
		json_t *o = json_object(), *fh = json_object();
		int main_o = -1, other_o = -1, n;

		/* The chain shows a GUP origin first, then one other origin. */
		static const int pref[] = { O_GUP, O_ITER, O_PIN, O_EXTRACT };

		for (size_t i = 0; i < sizeof(pref) / sizeof(pref[0]); i++)
			if (rr->origins & (1u << pref[i])) {
				main_o = pref[i];
				break;
			}
		for (int b = 0; b < O_NR; b++)
			if (b != main_o && (rr->origins & (1u << b)) &&
			    b != O_GUP && b != O_PIN && b != O_EXTRACT) {
				other_o = b;
				break;
			}
		n = main_o >= 0 ? chain(g, s, r, main_o, hops, MAXHOPS) : 0;
		json_object_set_new(o, "chain", int_array(hops, n));
		n = other_o >= 0 ? chain(g, s, r, other_o, hops, MAXHOPS) : 0;
		json_object_set_new(o, "other_chain", int_array(hops, n));
		json_object_set_new(o, "other_origin",
				    json_string(other_o >= 0 ? origin_name(other_o) : ""));
		json_object_set_new(o, "verdict", json_string(verdict_name(rr->verdict)));
		json_object_set_new(o, "reason", json_string(rr->reason));
		json_object_set_new(o, "origins", bits(rr->origins, origin_name, O_NR));
		json_object_set_new(o, "flags", bits(rr->flags, flag_name, F_NR));
		for (int f = 0; f < F_NR; f++)
			if (rr->flag_hop[f] >= 0)
				json_object_set_new(fh, flag_name(f), json_integer(rr->flag_hop[f]));
		json_object_set_new(o, "flag_hops", fh);
		json_object_set_new(o, "acqs", int_array(rr->acqs, rr->nacqs));
		json_array_append_new(rels, o);
	}
	for (int a = 0; a < g->nacqs; a++) {
		const struct acq_result *ar = &s->acq[a];
		json_t *o = json_object();

		json_object_set_new(o, "kinds", bits(ar->kinds, origin_name, O_NR));
		json_object_set_new(o, "flags", bits(ar->flags, flag_name, F_NR));
		json_object_set_new(o, "releases", int_array(ar->rels, ar->nrels));
		json_t *fh = json_object();
		for (int f = 0; f < F_NR; f++)
			if (ar->flag_hop[f] >= 0)
				json_object_set_new(fh, flag_name(f), json_integer(ar->flag_hop[f]));
		json_object_set_new(o, "flag_hops", fh);
		json_array_append_new(acqs, o);
	}
	json_object_set_new(root, "releases", rels);
	json_object_set_new(root, "acquisitions", acqs);
	return root;
}

static json_t *name_list(const char *(*name)(int), int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(name(i)));
	return a;
}

static const char *verdict_at(int v)
{
	return verdict_name(v);
}

/* The names the solver reads and writes, for tests/t0105-kapi-table.sh
 * to check against scripts/kapi.json's "verdicts" and "solver". */
static int print_names(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "verdicts", name_list(verdict_at, V_NR));
	json_object_set_new(o, "origins", name_list(origin_name, O_NR));
	json_object_set_new(o, "iter_origins", name_list(iter_name, I_NR));
	json_object_set_new(o, "flags", name_list(flag_name, F_NR));
	json_object_set_new(o, "release_classes", name_list(rclass_name, R_NR));
	json_object_set_new(o, "acquisition_kinds", name_list(acq_kind_name, 3));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(o);
	return 0;
}

int main(int argc, char **argv)
{
	struct graph g;
	struct solution s;
	json_error_t err;
	const char *msg = NULL;
	json_t *in, *out;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--names"))
		return print_names();
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pinflow GRAPH.json [OUT.json] | pinflow --names\n");
		return 2;
	}
	in = json_load_file(argv[1], 0, &err);
	if (!in) {
		fprintf(stderr, "pinflow: %s:%d: %s\n", argv[1], err.line, err.text);
		return 2;
	}
	if (graph_from_json(&g, in, &msg)) {
		fprintf(stderr, "pinflow: %s: %s\n", argv[1], msg);
		json_decref(in);
		return 2;
	}
	json_decref(in);
	if (solve(&g, &s)) {
		fprintf(stderr, "pinflow: out of memory\n");
		return 2;
	}
	out = result_json(&g, &s);
	if (argc == 3) {
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
		rc = json_dump_file(out, tmp, JSON_COMPACT);
		if (!rc && rename(tmp, argv[2]))
			rc = -1;
	} else {
		rc = json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
	}
	if (rc) {
		fprintf(stderr, "pinflow: cannot write %s\n", argc == 3 ? argv[2] : "stdout");
		return 2;
	}
	json_decref(out);
	solution_free(&g, &s);
	graph_free(&g);
	return 0;
}
