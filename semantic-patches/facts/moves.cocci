/// Facts: every value that moves from one place to another inside a
/// function, as JSON Lines: assignments and initialised declarations
/// ("k": "mv", dst/src as written) and returned values ("k": "ret").
/// scripts/facts.py keeps the moves whose source is a page carrier
/// (local, array, struct type.field, call result) and drops the rest.
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

@move_assign@
expression dst, src;
position p;
@@
dst@p = src

@script:python@
dst << move_assign.dst;
src << move_assign.src;
p << move_assign.p;
@@
pinconv_emit("mv", p, dst=dst, src=src)

@move_init@
type T;
identifier x;
expression src;
position p;
@@
T x@p = src;

@script:python@
x << move_init.x;
src << move_init.src;
p << move_init.p;
@@
pinconv_emit("mv", p, dst=x, src=src)

@move_return@
expression e;
position p;
@@
return@p e;

@script:python@
e << move_return.e;
p << move_return.p;
@@
pinconv_emit("ret", p, e=e)
