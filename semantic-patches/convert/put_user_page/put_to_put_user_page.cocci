/// Release pages that get_user_pages*() returned with the put_user_page()
/// family, so the later switch to FOLL_PIN is a change inside mm/ only:
/// put_page() -> put_user_page(), release_pages() -> put_user_pages(),
/// set_page_dirty_lock() + put_page(), over one page or in a loop ->
/// put_user_pages_dirty_lock(), and a put_page() loop -> put_user_pages().
///
/// Only the release calls at the positions pinconv's plan marks CONVERT are
/// touched: PINCONV_SITES holds "file:line:col" words (col 0-based, as
/// spatch counts), or "@path" of a file holding them.  The tree decides the
/// signature: v5.4+ put_user_pages_dirty_lock() takes make_dirty (the
/// default here); with -D no_make_dirty (v5.2-v5.3) only an unconditional
/// dirty loop is folded.  Wanted calls are renamed to a marker first, as in
/// ../pin/put_to_unpin.cocci.
///
// Confidence: High (at the positions the plan proves convertible)
// Options: --no-includes --include-headers

virtual patch
virtual no_make_dirty

@initialize:python@
@@
import os

sites = set()
_v = os.environ.get("PINCONV_SITES", "")
if _v.startswith("@"):
	with open(_v[1:]) as _f:
		_v = _f.read()
for _w in _v.split():
	sites.add(_w[2:] if _w.startswith("./") else _w)

def wanted(p):
	f = p[0].file[2:] if p[0].file.startswith("./") else p[0].file
	return "%s:%s:%s" % (f, p[0].line, p[0].column) in sites

// Mark the wanted releases; renaming keeps every line where it was.
@mark@
expression E, P, N;
position p : script:python() { wanted(p) };
@@
(
- put_page@p(E)
+ PINCONV_put_page(E)
|
- release_pages@p(P, N)
+ PINCONV_release_pages(P, N)
)

@dirty_loop depends on !no_make_dirty@
identifier i;
expression P, N, D;
@@
(
- for (i = 0; i < N; i++) {
-	if (D)
-		set_page_dirty_lock(P[i]);
-	PINCONV_put_page(P[i]);
- }
+ put_user_pages_dirty_lock(P, N, D);
|
- for (i = 0; i < N; i++) {
-	set_page_dirty_lock(P[i]);
-	PINCONV_put_page(P[i]);
- }
+ put_user_pages_dirty_lock(P, N, true);
)
  ... when != i

@dirty_loop2 depends on no_make_dirty@
identifier i;
expression P, N;
@@
- for (i = 0; i < N; i++) {
-	set_page_dirty_lock(P[i]);
-	PINCONV_put_page(P[i]);
- }
+ put_user_pages_dirty_lock(P, N);
  ... when != i

@put_loop@
identifier i;
expression P, N;
@@
- for (i = 0; i < N; i++)
-	PINCONV_put_page(P[i]);
+ put_user_pages(P, N);
  ... when != i

@dirty_one depends on !no_make_dirty@
expression E, D;
@@
(
- if (D)
-	set_page_dirty_lock(E);
- PINCONV_put_page(E);
+ put_user_pages_dirty_lock(&E, 1, D);
|
- set_page_dirty_lock(E);
- PINCONV_put_page(E);
+ put_user_pages_dirty_lock(&E, 1, true);
)

@one@
expression E, P, N;
@@
(
- PINCONV_put_page(E)
+ put_user_page(E)
|
- PINCONV_release_pages(P, N)
+ put_user_pages(P, N)
)

// A loop index the folding above left unused would break -Werror builds.
@depends on dirty_loop@
identifier dirty_loop.i;
type T;
@@
- T i;
  ... when != i

@depends on put_loop@
identifier put_loop.i;
type T;
@@
- T i;
  ... when != i

@depends on dirty_loop2@
identifier dirty_loop2.i;
type T;
@@
- T i;
  ... when != i
