// SPDX-License-Identifier: GPL-2.0-only
///
/// Pages taken with get_user_pages*() or iov_iter_get_pages*() hold a
/// plain page reference (FOLL_GET) and must be released with put_page()
/// or release_pages(), never with unpin_user_page*(): unpinning a page
/// that was not pinned subtracts GUP_PIN_COUNTING_BIAS from its refcount
/// (a WARN and a refcount underflow, then a use after free).  The fix is
/// either the matching put, or converting the acquisition to
/// pin_user_pages*() / iov_iter_extract_pages().
/// See Documentation/core-api/pin_user_pages.rst.
///
/// This rule looks within one function.  Pages that reach their release
/// through a struct field or a helper in another function are the
/// provenance plan's job (make lint).
///
// Confidence: High
// Options: --no-includes --include-headers
//

virtual report
virtual org
virtual context

@r depends on context || org || report exists@
expression P, E, E0, E1, E2, E3, F;
identifier gup = {get_user_pages, get_user_pages_fast,
                  get_user_pages_fast_only};
identifier gupr = get_user_pages_remote;
identifier gupu = get_user_pages_unlocked;
identifier iter = {iov_iter_get_pages, iov_iter_get_pages2};
identifier unpin = unpin_user_page;
identifier unpins = {unpin_user_pages, unpin_user_pages_dirty_lock};
position a, f;
@@

(
* gup@a(E1, E2, E3, P, ...)
|
* gupr@a(E0, E1, E2, E3, P, ...)
|
* gupu@a(E1, E2, P, ...)
|
* iter@a(E1, P, ...)
)
  ... when != P = F
      when any
(
* unpin@f(P[E])
|
* unpins@f(P, ...)
)

@s depends on context || org || report exists@
expression Q, E, E0, E1, E2, E3, F;
identifier gup = {get_user_pages, get_user_pages_fast,
                  get_user_pages_fast_only};
identifier gupr = get_user_pages_remote;
identifier gupu = get_user_pages_unlocked;
identifier itera = {iov_iter_get_pages_alloc, iov_iter_get_pages_alloc2};
identifier unpin = unpin_user_page;
identifier unpins = {unpin_user_pages, unpin_user_pages_dirty_lock};
position a, f;
@@

(
* gup@a(E1, E2, E3, &Q, ...)
|
* gupr@a(E0, E1, E2, E3, &Q, ...)
|
* gupu@a(E1, E2, &Q, ...)
|
* itera@a(E1, &Q, ...)
)
  ... when != Q = F
      when any
(
* unpin@f(Q)
|
* unpin@f(Q[E])
|
* unpins@f(Q, ...)
)

@script:python depends on report@
a << r.a;
f << r.f;
@@

coccilib.report.print_report(f[0],
	"ERROR: pages taken by reference (get_user_pages*/iov_iter_get_pages*) on line %s must be released by put_page()/release_pages(), not unpinned" % a[0].line)

@script:python depends on org@
a << r.a;
f << r.f;
@@

coccilib.org.print_todo(f[0],
	"ERROR: pages taken by reference (get_user_pages*/iov_iter_get_pages*) on line %s must be released by put_page()/release_pages(), not unpinned" % a[0].line)

@script:python depends on report@
a << s.a;
f << s.f;
@@

coccilib.report.print_report(f[0],
	"ERROR: pages taken by reference (get_user_pages*/iov_iter_get_pages*) on line %s must be released by put_page()/release_pages(), not unpinned" % a[0].line)

@script:python depends on org@
a << s.a;
f << s.f;
@@

coccilib.org.print_todo(f[0],
	"ERROR: pages taken by reference (get_user_pages*/iov_iter_get_pages*) on line %s must be released by put_page()/release_pages(), not unpinned" % a[0].line)
