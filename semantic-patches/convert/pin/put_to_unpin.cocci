/// Release pages that pin_user_pages*() pinned with the FOLL_PIN calls:
/// put_page() -> unpin_user_page(), release_pages() -> unpin_user_pages(),
/// set_page_dirty_lock() + put_page() -> unpin_user_pages_dirty_lock(),
/// over one page or in a loop, and a put_page() loop -> unpin_user_pages().
///
/// Only the release calls at the positions pinconv's plan marks CONVERT are
/// touched: PINCONV_SITES holds "file:line:col" words (col 0-based, as
/// spatch counts), or "@path" of a file holding them.  A loop is folded into
/// one call only when its index is not read after the loop.  Everything is
/// renamed first to a marker (PINCONV_put_page, PINCONV_release_pages):
/// later rules see lines that earlier rules moved, and positions cannot be
/// inherited over modifications, so the marker carries the choice.
///
// Confidence: High (at the positions the plan proves convertible)
// Options: --no-includes --include-headers

virtual patch

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

@dirty_loop@
identifier i;
expression P, N, D;
@@
(
- for (i = 0; i < N; i++) {
-	if (D)
-		set_page_dirty_lock(P[i]);
-	PINCONV_put_page(P[i]);
- }
+ unpin_user_pages_dirty_lock(P, N, D);
|
- for (i = 0; i < N; i++) {
-	set_page_dirty_lock(P[i]);
-	PINCONV_put_page(P[i]);
- }
+ unpin_user_pages_dirty_lock(P, N, true);
)
  ... when != i

@put_loop@
identifier i;
expression P, N;
@@
- for (i = 0; i < N; i++)
-	PINCONV_put_page(P[i]);
+ unpin_user_pages(P, N);
  ... when != i

@dirty_one@
expression E, D;
@@
(
- if (D)
-	set_page_dirty_lock(E);
- PINCONV_put_page(E);
+ unpin_user_pages_dirty_lock(&E, 1, D);
|
- set_page_dirty_lock(E);
- PINCONV_put_page(E);
+ unpin_user_pages_dirty_lock(&E, 1, true);
)

@one@
expression E, P, N;
@@
(
- PINCONV_put_page(E)
+ unpin_user_page(E)
|
- PINCONV_release_pages(P, N)
+ unpin_user_pages(P, N)
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
