/// Facts: which assignment of a local page pointer reaches which use of
/// it (def-use pairs), so the page-flow graph can tell apart the values
/// one local holds on different paths.  In fs/fuse/dev.c:fuse_copy_fill()
/// `page` holds an alloc_page() page on the pipe path and an
/// iov_iter_get_pages2() page on the other: only the first reaches
/// buf->page.  A definition is an assignment `v = E` or `&v` passed to a
/// call (the callee may write it); one JSON line per (definition, use):
/// "k": "du", name, dline (the definition's line), line/col (the use's).
/// Only `struct page *` locals: folio locals (mm/memory.c, mm/vmscan.c)
/// make the path search time out, and GUP pages flow as pages.
/// scripts/facts.py versions a local with two or more definitions by
/// definition line; a use with no pair here sees every version.
//
// Confidence: High (a fact, not a finding)
// Options: --very-quiet --no-includes --include-headers

virtual report

@initialize:python@
@@
import json

def pinconv_emit(k, p, **kw):
    d = dict(k=k, file=p[0].file, line=int(p[0].line),
             col=int(p[0].column), func=p[0].current_element)
    d.update(kw)
    print(json.dumps(d, sort_keys=True))

@defuse exists@
local idexpression struct page *v;
expression E, E2;
identifier f;
position pd, pu;
@@
(
v@pd = E
|
f(...,&v@pd,...)
)
... when != v = E2
    when != &v
    when any
v@pu

@script:python@
v << defuse.v;
pd << defuse.pd;
pu << defuse.pu;
@@
pinconv_emit("du", pu, name=v, dline=int(pd[0].line))
