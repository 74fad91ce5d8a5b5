/// Facts: every argument of every call, with its 0-based index, as JSON
/// Lines ("k": "arg" for a call by name, "icall" for a call through a
/// struct member, e.g. ops->map(dev, page), "iterarg" for an iterator
/// macro such as for_each_sg(sgl, sg, n, i)).  Acquisitions, releases,
/// other page origins and uses are told apart by callee name afterwards
/// (scripts/facts.py), so one rule serves every family and every tree.
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

@call_arg@
identifier callee;
expression list[n] before;
expression list after;
expression e;
position p;
@@
callee@p(before, e, after)

@script:python@
callee << call_arg.callee;
n << call_arg.n;
e << call_arg.e;
p << call_arg.p;
@@
pinconv_emit("arg", p, callee=callee, n=int(n), e=e)

@icall_arg@
expression base;
identifier member;
expression list[n] before;
expression list after;
expression e;
position p;
@@
base->member@p(before, e, after)

@script:python@
member << icall_arg.member;
n << icall_arg.n;
e << icall_arg.e;
p << icall_arg.p;
@@
pinconv_emit("icall", p, member=member, n=int(n), e=e)

@iter_arg@
iterator I;
expression list[n] before;
expression list after;
expression e;
statement S;
position p;
@@
I@p(before, e, after) S

@script:python@
I << iter_arg.I;
n << iter_arg.n;
e << iter_arg.e;
p << iter_arg.p;
@@
pinconv_emit("iterarg", p, iterator=I, n=int(n), e=e)
