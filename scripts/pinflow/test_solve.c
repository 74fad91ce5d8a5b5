// SPDX-License-Identifier: GPL-2.0
/*
 * test_solve.c - cmocka unit tests of the solver, on small graphs built
 * here, each shaped like a kernel pattern.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "graph.h"
#include "solve.h"

#define BIT(n) (1u << (n))

/* A graph of n nodes, edges e (hop = edge index), seeds, flags, releases. */
static void build(struct graph *g, int n, const int (*e)[3], int ne,
		  const struct seed *seeds, int ns, const struct nflag *fl, int nf,
		  const struct release *rel, int nr)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(graph_set_edges(g, n, e, ne), 0);
	g->nhops = 100;
	g->seeds = calloc(ns + 1, sizeof(*seeds));
	memcpy(g->seeds, seeds, ns * sizeof(*seeds));
	g->nseeds = ns;
	for (int i = 0; i < ns; i++)
		if (seeds[i].acq >= g->nacqs)
			g->nacqs = seeds[i].acq + 1;
	g->flags = calloc(nf + 1, sizeof(*fl));
	if (nf)
		memcpy(g->flags, fl, nf * sizeof(*fl));
	g->nflags = nf;
	assert_int_equal(graph_set_flags(g), 0);
	g->releases = calloc(nr + 1, sizeof(*rel));
	memcpy(g->releases, rel, nr * sizeof(*rel));
	g->nreleases = nr;
}

#define ACQ(node, k, a, it) { node, 90 + (a), a, it, 0, -1, k }
#define ORIGIN(node, k) { node, 80, -1, -1, 0, k, -1 }
#define ITER(node, k) { node, 70, -1, -1, 1, k, -1 }

/* get_user_pages(pages) -> page = pages[i] -> kmap(page), put_page(page) */
static void gup_local_put_converts(void **state)
{
	static const int e[][3] = { {0, 1, 1}, {1, 2, 2} };
	struct seed sd[] = { ACQ(0, O_GUP, 0, -1) };
	struct nflag fl[] = { {1, F_CPU, 5} };
	struct release rel[] = { {2, 9, R_PUT} };
	struct graph g;
	struct solution s;
	int hops[8], n;

	(void)state;
	build(&g, 3, e, 2, sd, 1, fl, 1, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_CONVERT);
	assert_int_equal(s.rel[0].origins, BIT(O_GUP));
	assert_int_equal(s.rel[0].nacqs, 1);
	assert_int_equal(s.acq[0].nrels, 1);
	n = chain(&g, &s, 0, O_GUP, hops, 8);
	assert_int_equal(n, 4);
	assert_int_equal(hops[0], 90);	/* the acquisition */
	assert_int_equal(hops[1], 1);
	assert_int_equal(hops[2], 2);
	assert_int_equal(hops[3], 9);	/* the release */
	solution_free(&g, &s);
	graph_free(&g);
}

/* fuse_copy_fill: cs->pg from iov_iter_get_pages2 or alloc_page */
static void gup_and_alloc_is_mixed(void **state)
{
	static const int e[][3] = { {0, 2, 1}, {1, 2, 2}, {2, 3, 3} };
	struct seed sd[] = { ACQ(0, O_GUP, 0, -1), ORIGIN(1, O_ALLOC) };
	struct nflag fl[] = { {2, F_DMA, 5} };
	struct release rel[] = { {3, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 4, e, 3, sd, 2, fl, 1, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_MIXED);
	assert_int_equal(s.rel[0].origins, BIT(O_GUP) | BIT(O_ALLOC));
	solution_free(&g, &s);
	graph_free(&g);
}

/* pin_user_pages() released by put_page(): a bug */
static void pin_released_by_put_is_mismatch(void **state)
{
	static const int e[][3] = { {0, 1, 1} };
	struct seed sd[] = { ACQ(0, O_PIN, 0, -1) };
	struct release rel[] = { {1, 9, R_PUT}, {1, 10, R_UNPIN} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 2, e, 1, sd, 1, NULL, 0, rel, 2);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_MISMATCH);
	assert_int_equal(s.rel[1].verdict, V_PINNED);
	assert_int_equal(s.acq[0].nrels, 2);
	solution_free(&g, &s);
	graph_free(&g);
}

/* get_page() on a GUP page */
static void get_page_on_gup_page_is_extra_ref(void **state)
{
	static const int e[][3] = { {0, 1, 1}, {1, 2, 2} };
	struct seed sd[] = { ACQ(0, O_GUP, 0, -1) };
	struct nflag fl[] = { {1, F_GETREF, 4}, {1, F_DMA, 5} };
	struct release rel[] = { {2, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 3, e, 2, sd, 1, fl, 2, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_EXTRA_REF);
	assert_int_equal(s.rel[0].flag_hop[F_GETREF], 4);
	solution_free(&g, &s);
	graph_free(&g);
}

/* pages held only for page_to_pfn()/PageAnon(): case 4 */
static void metadata_only_keeps_get(void **state)
{
	static const int e[][3] = { {0, 1, 1} };
	struct seed sd[] = { ACQ(0, O_GUP, 0, -1) };
	struct nflag fl[] = { {1, F_META, 4} };
	struct release rel[] = { {1, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 2, e, 1, sd, 1, fl, 1, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_KEEP_GET);
	solution_free(&g, &s);
	graph_free(&g);
}

/*
 * A release helper shared by an IOVEC caller and a BVEC caller: the
 * iterator parameter (node 1) gets a user iterator from one caller
 * (node 0) and a bvec from another (node 5); iov_iter_get_pages2 on it
 * (seed node 2) reaches the helper's put_page (node 4).
 */
static void bvec_and_iovec_callers_make_mixed(void **state)
{
	static const int e[][3] = { {0, 1, 1}, {5, 1, 2}, {2, 3, 3}, {3, 4, 4} };
	struct seed sd[] = { ITER(0, I_USER), ITER(5, I_BVEC), ACQ(2, O_GUP, 0, 1) };
	struct nflag fl[] = { {3, F_CPU, 6} };
	struct release rel[] = { {4, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 6, e, 4, sd, 3, fl, 1, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.acq[0].kinds, BIT(O_GUP) | BIT(O_BVEC));
	assert_int_equal(s.rel[0].verdict, V_MIXED);
	solution_free(&g, &s);
	graph_free(&g);
}

/* An iterator nobody sets up here (a ->read_iter parameter) */
static void unknown_iterator_is_mixed(void **state)
{
	static const int e[][3] = { {0, 1, 1} };
	struct seed sd[] = { ITER(2, I_UNKNOWN), ACQ(0, O_GUP, 0, 2) };
	struct release rel[] = { {1, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 3, e, 1, sd, 2, NULL, 0, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.acq[0].kinds, BIT(O_ITER));
	assert_int_equal(s.rel[0].verdict, V_MIXED);
	solution_free(&g, &s);
	graph_free(&g);
}

/* A cycle (a->b->a) terminates and still reaches the release. */
static void cycles_reach_a_fixed_point(void **state)
{
	static const int e[][3] = { {0, 1, 1}, {1, 2, 2}, {2, 1, 3}, {2, 3, 4} };
	struct seed sd[] = { ACQ(0, O_GUP, 0, -1) };
	struct nflag fl[] = { {2, F_DMA, 5} };
	struct release rel[] = { {3, 9, R_PUT} };
	struct graph g;
	struct solution s;

	(void)state;
	build(&g, 4, e, 4, sd, 1, fl, 1, rel, 1);
	assert_int_equal(solve(&g, &s), 0);
	assert_int_equal(s.rel[0].verdict, V_CONVERT);
	solution_free(&g, &s);
	graph_free(&g);
}

static void decide_covers_every_class(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(decide(R_FREE, BIT(O_GUP), 0, why, sizeof(why)), V_MISMATCH);
	assert_int_equal(decide(R_FREE, BIT(O_GUP) | BIT(O_ALLOC), 0, why, sizeof(why)), V_UNKNOWN);
	assert_int_equal(decide(R_UNPIN, BIT(O_GUP), 0, why, sizeof(why)), V_MISMATCH);
	assert_int_equal(decide(R_COND, BIT(O_EXTRACT), 0, why, sizeof(why)), V_PINNED);
	assert_int_equal(decide(R_PUTUSER, BIT(O_GUP), 0, why, sizeof(why)), V_PINNED);
	assert_int_equal(decide(R_PUTUSER, BIT(O_GUP) | BIT(O_ALLOC), 0, why, sizeof(why)), V_MIXED);
	assert_int_equal(decide(R_PUTUSER, BIT(O_ALLOC), 0, why, sizeof(why)), V_MISMATCH);
	assert_int_equal(decide(R_PUTUSER, BIT(O_PIN), 0, why, sizeof(why)), V_MISMATCH);
	assert_int_equal(decide(R_PUT, BIT(O_GUP) | BIT(O_UNKNOWN), BIT(F_DMA),
				why, sizeof(why)), V_UNKNOWN);
	assert_int_equal(decide(R_PUT, BIT(O_GUP), BIT(F_ESCAPE) | BIT(F_DMA),
				why, sizeof(why)), V_ESCAPES);
	assert_int_equal(decide(R_PUT, BIT(O_GUP), BIT(F_META) | BIT(F_CPU),
				why, sizeof(why)), V_CONVERT);
	assert_non_null(strstr(why, "CPU"));
	assert_int_equal(decide(R_PUT, BIT(O_ALLOC), 0, why, sizeof(why)), V_UNKNOWN);
	assert_int_equal(decide(R_PUT, BIT(O_PIN), BIT(F_GETREF), why, sizeof(why)), V_EXTRA_REF);
	assert_int_equal(decide(R_PUT, BIT(O_PIN), BIT(F_DMA), why, sizeof(why)), V_MISMATCH);
}

static void bad_json_is_rejected(void **state)
{
	struct graph g;
	const char *msg = NULL;
	json_error_t err;
	json_t *j = json_loads("{\"nodes\":[\"a\"],\"hops\":[],\"edges\":[[0,5,0]],"
			       "\"seeds\":[],\"flags\":[],\"releases\":[]}", 0, &err);

	(void)state;
	assert_non_null(j);
	assert_int_equal(graph_from_json(&g, j, &msg), -1);
	assert_non_null(strstr(msg, "bad edge"));
	json_decref(j);
	graph_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gup_local_put_converts),
		cmocka_unit_test(gup_and_alloc_is_mixed),
		cmocka_unit_test(pin_released_by_put_is_mismatch),
		cmocka_unit_test(get_page_on_gup_page_is_extra_ref),
		cmocka_unit_test(metadata_only_keeps_get),
		cmocka_unit_test(bvec_and_iovec_callers_make_mixed),
		cmocka_unit_test(unknown_iterator_is_mixed),
		cmocka_unit_test(cycles_reach_a_fixed_point),
		cmocka_unit_test(decide_covers_every_class),
		cmocka_unit_test(bad_json_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
