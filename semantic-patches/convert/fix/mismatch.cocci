/// Fix releases the plan finds MISMATCH (pages released with the wrong
/// primitive), at the plan's positions only:
///
/// - pages pinned by pin_user_pages*() (FOLL_PIN) dropped with put_page():
///   put_page() -> unpin_user_page();
/// - a page of get_user_pages*() freed with __free_page(): the page belongs
///   to the process, so it must lose the reference GUP took, not be freed:
///   __free_page(X) -> put_page(X); and when X is one page of the array the
///   call filled and the call took all of its N pages (pinconv checks that
///   the result is compared with N and the function returns otherwise),
///   every page the call took is released: release_pages(P, N).
///
/// PINCONV_SITES holds "file:line:col" words (or "@path"), as in the other
/// convert rules; PINCONV_FIX_ARRAYS holds "@path" of a JSON object
/// {"file:line:col": [P, N]} for the array releases (P the pages array, N
/// the number of pages, as the acquisition's arguments spell them).
///
// Confidence: High (at the positions the plan proves MISMATCH)
// Options: --no-includes --include-headers

virtual patch

@initialize:python@
@@
import json
import os

sites = set()
_v = os.environ.get("PINCONV_SITES", "")
if _v.startswith("@"):
	with open(_v[1:]) as _f:
		_v = _f.read()
for _w in _v.split():
	sites.add(_w[2:] if _w.startswith("./") else _w)
arrays = {}
_a = os.environ.get("PINCONV_FIX_ARRAYS", "")
if _a.startswith("@"):
	with open(_a[1:]) as _f:
		arrays = json.load(_f)

def key(p):
	f = p[0].file[2:] if p[0].file.startswith("./") else p[0].file
	return "%s:%s:%s" % (f, p[0].line, p[0].column)

def wanted(p):
	return key(p) in sites

@unpin@
expression E;
position p : script:python() { wanted(p) };
@@
- put_page@p(E)
+ unpin_user_page(E)

@freed@
expression X;
position p : script:python() { wanted(p) and key(p) in arrays };
@@
__free_page@p(X)

@script:python arr@
p << freed.p;
pages;
n;
@@
coccinelle.pages = cocci.make_expr(arrays[key(p)][0])
coccinelle.n = cocci.make_expr(arrays[key(p)][1])

@@
expression freed.X;
position freed.p;
expression arr.pages, arr.n;
@@
- __free_page@p(X)
+ release_pages(pages, n)

@@
expression X;
position p : script:python() { wanted(p) and key(p) not in arrays };
@@
- __free_page@p(X)
+ put_page(X)
