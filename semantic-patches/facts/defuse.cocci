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
/// definition line; a use with no pair here sees every version.  So only
/// such locals are searched: page_def counts each local's definitions
/// first (a plain match, cheap), and the path search starts only from a
/// definition of a local that has another (it cost a sixth of all the
/// fact rules on the kernel's files when it started from every one).
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

# (file, function, local) -> positions of its definitions
_pinconv_defs = {}


def pinconv_def(p, v):
    q = p[0]
    _pinconv_defs.setdefault((q.file, q.current_element, v), set()).add(
        (q.line, q.column))


def pinconv_redefined(p, v):
    """Whether the local v defined at p has another definition."""
    q = p[0]
    return len(_pinconv_defs.get((q.file, q.current_element, v), ())) > 1

@page_def@
local idexpression struct page *v;
expression E;
identifier f;
position pd;
@@
(
v@pd = E
|
f(...,&v@pd,...)
)

@script:python@
v << page_def.v;
pd << page_def.pd;
@@
pinconv_def(pd, v)

// Two rules, not a disjunction: spatch cannot check pd's constraint
// inside one.
@defuse_assign exists@
local idexpression struct page *v;
expression E, E2;
position pd : script:python(v) { pinconv_redefined(pd, v) };
position pu;
@@
v@pd = E
... when != v = E2
    when != &v
    when any
v@pu

@script:python@
v << defuse_assign.v;
pd << defuse_assign.pd;
pu << defuse_assign.pu;
@@
pinconv_emit("du", pu, name=v, dline=int(pd[0].line))

@defuse_addr exists@
local idexpression struct page *v;
expression E2;
identifier f;
position pd : script:python(v) { pinconv_redefined(pd, v) };
position pu;
@@
f(...,&v@pd,...)
... when != v = E2
    when != &v
    when any
v@pu

@script:python@
v << defuse_addr.v;
pd << defuse_addr.pd;
pu << defuse_addr.pu;
@@
pinconv_emit("du", pu, name=v, dline=int(pd[0].line))
