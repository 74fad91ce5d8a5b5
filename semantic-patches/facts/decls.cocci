/// Facts: the declared type of every local variable and parameter, and
/// every function definition (static or not), as JSON Lines.  They let
/// scripts/facts.py name a struct field by its type ("struct type.field")
/// and connect argument N of a call to parameter N of its callee.
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

@fundef@
type T;
identifier f;
position p;
@@
T f@p(...) { ... }

@script:python@
f << fundef.f;
p << fundef.p;
@@
pinconv_emit("fundef", p, name=f)

@fundef_static@
type T;
identifier f;
position p;
@@
static T f@p(...) { ... }

@script:python@
f << fundef_static.f;
p << fundef_static.p;
@@
pinconv_emit("static", p, name=f)

@param_decl@
type T;
identifier f, x;
parameter list[n] before;
parameter list after;
position p;
@@
f@p(before, T x, after) { ... }

@script:python@
f << param_decl.f;
n << param_decl.n;
T << param_decl.T;
x << param_decl.x;
p << param_decl.p;
@@
pinconv_emit("param", p, fname=f, n=int(n), type=T, name=x)

@local_decl@
type T;
identifier x;
position p;
@@
T x@p;

@script:python@
T << local_decl.T;
x << local_decl.x;
p << local_decl.p;
@@
pinconv_emit("decl", p, type=T, name=x)

@local_init@
type T;
identifier x;
expression e;
position p;
@@
T x@p = e;

@script:python@
T << local_init.T;
x << local_init.x;
p << local_init.p;
@@
pinconv_emit("decl", p, type=T, name=x)
