// SPDX-License-Identifier: GPL-2.0-only
///
/// Pages pinned with pin_user_pages*() (FOLL_PIN) must be released with
/// unpin_user_page*(), never with put_page(), release_pages() or
/// put_user_page*().  A pin adds GUP_PIN_COUNTING_BIAS to the page (or
/// folio) refcount; dropping it with put_page() leaks the pin, so the page
/// stays "maybe DMA pinned" forever, and it can underflow the refcount.
/// See Documentation/core-api/pin_user_pages.rst.
///
/// This rule looks within one function: the pages array (or &page) handed
/// to a pin_user_pages*() call, or to a get_user_pages*() call whose flags
/// name FOLL_PIN, later released by the reference-counting calls.  Pages
/// that reach their release through a struct field or a helper in another
/// function are the provenance plan's job (make lint).
///
// Confidence: High
// Options: --no-includes --include-headers
//

virtual report
virtual org
virtual context

@r depends on context || org || report exists@
expression P, E, E0, E1, E2, E3, F;
identifier pin = {pin_user_pages, pin_user_pages_fast,
                  pin_user_pages_fast_only};
identifier pinr = pin_user_pages_remote;
identifier pinu = pin_user_pages_unlocked;
identifier gup = {get_user_pages, get_user_pages_fast, get_user_pages_remote,
                  get_user_pages_unlocked};
identifier rel = {put_page, put_user_page};
identifier rels = {release_pages, put_user_pages, put_user_pages_dirty_lock};
position a, f;
@@

(
* pin@a(E1, E2, E3, P, ...)
|
* pinr@a(E0, E1, E2, E3, P, ...)
|
* pinu@a(E1, E2, P, ...)
|
* gup@a(E1, E2, <+... FOLL_PIN ...+>, P, ...)
|
* gup@a(E0, E1, E2, <+... FOLL_PIN ...+>, P, ...)
)
  ... when != P = F
      when any
(
* rel@f(P[E])
|
* rels@f(P, ...)
)

@s depends on context || org || report exists@
expression Q, E1, E2, E3, E0, F;
identifier pin = {pin_user_pages, pin_user_pages_fast,
                  pin_user_pages_fast_only};
identifier pinr = pin_user_pages_remote;
identifier pinu = pin_user_pages_unlocked;
identifier rel = {put_page, put_user_page};
position a, f;
@@

(
* pin@a(E1, E2, E3, &Q, ...)
|
* pinr@a(E0, E1, E2, E3, &Q, ...)
|
* pinu@a(E1, E2, &Q, ...)
)
  ... when != Q = F
      when any
* rel@f(Q)

@script:python depends on report@
a << r.a;
f << r.f;
@@

coccilib.report.print_report(f[0],
	"ERROR: pages pinned on line %s must be released by unpin_user_page*(), not by a put" % a[0].line)

@script:python depends on org@
a << r.a;
f << r.f;
@@

coccilib.org.print_todo(f[0],
	"ERROR: pages pinned on line %s must be released by unpin_user_page*(), not by a put" % a[0].line)

@script:python depends on report@
a << s.a;
f << s.f;
@@

coccilib.report.print_report(f[0],
	"ERROR: page pinned on line %s must be released by unpin_user_page(), not by a put" % a[0].line)

@script:python depends on org@
a << s.a;
f << s.f;
@@

coccilib.org.print_todo(f[0],
	"ERROR: page pinned on line %s must be released by unpin_user_page(), not by a put" % a[0].line)
