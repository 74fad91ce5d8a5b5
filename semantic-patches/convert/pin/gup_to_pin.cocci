/// Take FOLL_PIN pins instead of FOLL_GET references: get_user_pages*() ->
/// pin_user_pages*() with the caller's flags kept (FOLL_WRITE, FOLL_LONGTERM,
/// ... neither widened nor narrowed), except FOLL_GET, which the pin_*
/// functions reject (mm/gup.c: "FOLL_GET and FOLL_PIN are mutually
/// exclusive") and which they imply anyway.
///
/// Only the calls at the positions in PINCONV_SITES ("file:line:col" words,
/// col 0-based as spatch counts, or "@path" of a file holding them) are
/// touched: pinconv marks an acquisition only when every release of its
/// pages is converted too, and only when the tree declares the pin_*
/// counterpart with the same parameters.
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

@r@
identifier f =~ "^(__)?get_user_pages";
position p : script:python() { wanted(p) };
@@
f@p(...)

@script:python s@
f << r.f;
g;
@@
coccinelle.g = cocci.make_ident(f.replace("get_user_pages", "pin_user_pages", 1))

@@
identifier r.f, s.g;
position r.p;
expression E;
@@
(
- f@p
+ g
  (...,
- FOLL_GET | E
+ E
  ,...)
|
- f@p
+ g
  (...,
- E | FOLL_GET
+ E
  ,...)
|
- f@p
+ g
  (...,
- FOLL_GET
+ 0
  ,...)
|
- f@p
+ g
  (...)
)
