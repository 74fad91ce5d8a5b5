/// Extract pages from an iov_iter instead of taking references on them:
/// iov_iter_get_pages2() -> iov_iter_extract_pages().  The new call pins
/// user-backed iterators (IOVEC/UBUF) and takes nothing on the others
/// (BVEC/KVEC hold their own references), so the answer of
/// iov_iter_extract_will_pin() is remembered next to the pages, in a
/// <field>_pinned member beside the struct member that carries them, as
/// bio's BIO_PAGE_PINNED and fuse's args.is_pinned do; the release becomes
/// "if (pinned) unpin_user_page()".
///
/// With -D mixed (the release also sees pages of other origins, which hold
/// a reference): pages of iterators that are not pinned get the reference
/// iov_iter_get_pages2() used to take, every other store to the member
/// clears the flag, and the release is "unpin if pinned, else put_page()";
/// nothing changes for the other origins.
///
/// Shape handled: one page extracted into a local ("&page") that is then
/// stored in a struct member, released with put_page(<expr>-><member>).
/// Sites of other shapes keep their calls (pinconv reports them).
/// Only positions in PINCONV_SITES ("file:line:col" words, col 0-based,
/// or "@path") are touched.
///
// Confidence: Moderate (review the flag's lifetime)
// Options: --no-includes --include-headers

virtual patch
virtual mixed

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

// Mark the wanted sites; renaming keeps every line where it was.
@mark@
expression IT, SZ, N, OFF, E;
identifier PG;
position p : script:python() { wanted(p) };
@@
(
- iov_iter_get_pages2@p(IT, &PG, SZ, N, OFF)
+ PINCONV_get_pages2(IT, &PG, SZ, N, OFF)
|
- put_page@p(E)
+ PINCONV_put_page(E)
)

// The member the extracted page is stored in.
@carrier@
identifier fn, PG, F, S;
struct S *E;
expression IT, SZ, N, OFF, R;
typedef bool;
fresh identifier FP = F ## "_pinned";
@@
fn(...)
{
<...
(
  PINCONV_get_pages2(IT, &PG, SZ, N, OFF);
|
  R = PINCONV_get_pages2(IT, &PG, SZ, N, OFF);
)
  ...
  E->F = PG;
+ E->FP = iov_iter_extract_will_pin(IT);
...>
}

@carrier_ref depends on carrier && mixed@
identifier carrier.PG, carrier.FP, carrier.S;
struct S *carrier.E;
@@
  E->FP = iov_iter_extract_will_pin(...);
+ if (!E->FP)
+ 	get_page(PG);

@extract depends on carrier@
identifier carrier.fn, carrier.PG;
expression IT, SZ, N, OFF;
fresh identifier PP = PG ## "p";
@@
fn(...)
{
...
  struct page *PG;
+ struct page **PP = &PG;
<...
- PINCONV_get_pages2(IT, &PG, SZ, N, OFF)
+ iov_iter_extract_pages(IT, &PP, SZ, N, 0, OFF)
...>
}

@member depends on extract@
identifier carrier.F, carrier.FP, carrier.S;
@@
struct S {
  ...
  struct page *F;
+ bool FP;
  ...
};

@release depends on extract && !mixed@
identifier carrier.F, carrier.FP, carrier.S;
struct S *E;
@@
- PINCONV_put_page(E->F);
+ if (E->FP)
+ 	unpin_user_page(E->F);

@release_mixed depends on extract && mixed@
identifier carrier.F, carrier.FP, carrier.S;
struct S *E;
@@
- PINCONV_put_page(E->F);
+ if (E->FP)
+ 	unpin_user_page(E->F);
+ else
+ 	put_page(E->F);

// With -D mixed, every other store of a page to the member clears the flag.
@other_store depends on extract && mixed@
identifier carrier.F, carrier.FP, carrier.S;
struct S *E;
expression X;
@@
  E->F = X;
+ E->FP = false;
  ... when != E->FP = iov_iter_extract_will_pin(...);

// A site this rule cannot rewrite keeps its original call.
@undo@
expression IT, SZ, N, OFF, E;
identifier PG;
@@
(
- PINCONV_get_pages2(IT, &PG, SZ, N, OFF)
+ iov_iter_get_pages2(IT, &PG, SZ, N, OFF)
|
- PINCONV_put_page(E)
+ put_page(E)
)
