/// Facts: every call with its arguments, as JSON Lines: "k": "call" for
/// a call by name, "icall" for a call through a struct member (e.g.
/// ops->map(dev, page)), "iter" for an iterator macro such as
/// for_each_sg(sgl, sg, n, i); "args" lists the arguments in order.
/// Acquisitions, releases, other page origins and uses are told apart by
/// callee name afterwards (scripts/facts.py), so one rule serves every
/// family and every tree.  A macro's type argument (container_of's
/// struct, min_t's type) is listed like any other: it names no page.
//
// One match per call, the list split by spatch (TermList.elements):
// matching each argument on its own (callee(before, e, after)) cost
// twice as much.
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

@call_args@
identifier callee;
expression list es;
position p;
@@
callee@p(es)

@script:python@
callee << call_args.callee;
es << call_args.es;
p << call_args.p;
@@
if es.elements:
    pinconv_emit("call", p, callee=callee, args=list(es.elements))

@icall_args@
expression base;
identifier member;
expression list es;
position p;
@@
base->member@p(es)

@script:python@
member << icall_args.member;
es << icall_args.es;
p << icall_args.p;
@@
if es.elements:
    pinconv_emit("icall", p, member=member, args=list(es.elements))

@iter_args@
iterator I;
expression list es;
statement S;
position p;
@@
I@p(es) S

@script:python@
I << iter_args.I;
es << iter_args.es;
p << iter_args.p;
@@
if es.elements:
    pinconv_emit("iter", p, iterator=I, args=list(es.elements))
