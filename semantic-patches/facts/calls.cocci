/// Facts: every call with its arguments, as JSON Lines: "k": "call" for
/// a call by name, "icall" for a call through a struct member (e.g.
/// ops->map(dev, page)), "iter" for an iterator macro such as
/// for_each_sg(sgl, sg, n, i); "args" lists the arguments in order.
/// Acquisitions, releases, other page origins and uses are told apart by
/// callee name afterwards (scripts/facts.py), so one rule serves every
/// family and every tree.  A macro's type argument (container_of's
/// struct, min_t's type) is listed like any other: it names no page.
//
// One match per call; the arguments are the call's source text (from
// the callee's position to the closing parenthesis's) split at its
// top-level commas: matching each argument on its own (callee(before, e,
// after)) cost twice as much, and having spatch print the list
// (es.elements) a sixth more.  Comments inside are dropped, whitespace
// collapsed, string literals kept whole.
//
// Confidence: High (a fact, not a finding)
// Options: --very-quiet --no-includes --include-headers

virtual report

@initialize:python@
@@
import json
import re

# Expressions are read back from the file by position (pinconv_text)
# rather than bound as expression metavariables: spatch printing every
# bound expression for Python cost a sixth of the whole run on the
# kernel's files.  No backslash may end a string here (spatch's lexer
# reads the script), hence chr().
_pinconv_lines = {}
_PINCONV_QUOTES = chr(34) + chr(39)
_PINCONV_BS = chr(92)
_PINCONV_LEX = re.compile(
    r"%s(?:\\.|[^%s\\\n])*%s|%s(?:\\.|[^%s\\\n])*%s|[/][*].*?[*][/]|[/][/][^\n]*|(?:\s|[\\]\n)+"
    % ((chr(34),) * 3 + (chr(39),) * 3), re.S)


def _pinconv_lex(m):
    s = m.group(0)
    return s if s[0] in _PINCONV_QUOTES else " "


def pinconv_text(p, q=None):
    """The source from the start of position p to the end of q (default
    p), comments dropped and whitespace collapsed: "&ap->pages[i]"."""
    a, b = p[0], (q or p)[0]
    if a.file != b.file:
        return ""
    lines = _pinconv_lines.get(a.file)
    if lines is None:
        try:
            with open(a.file, "rb") as f:
                lines = f.read().split(b"\n")
        except OSError:
            lines = []
        _pinconv_lines[a.file] = lines
    l1, c1, l2, c2 = int(a.line), int(a.column), int(b.line_end), int(b.column_end)
    if not 0 < l1 <= l2 <= len(lines):
        return ""
    if l1 == l2:
        s = lines[l1 - 1][c1:c2]
    else:
        s = b"\n".join([lines[l1 - 1][c1:]] + lines[l1:l2 - 1] + [lines[l2 - 1][:c2]])
    s = _PINCONV_LEX.sub(_pinconv_lex, s.decode("utf-8", "replace")).strip()
    return re.sub(r"([(\[]) | (?=[,)\]])", r"\1", s)


def pinconv_args(call):
    """The arguments of the call text "f(a, g(b, c))": ["a", "g(b, c)"]."""
    body = call[call.find("(") + 1:call.rfind(")")]
    out, depth, cur, j, n = [], 0, 0, 0, len(body)
    while j < n:
        c = body[j]
        if c in _PINCONV_QUOTES:
            k = j + 1
            while k < n and body[k] != c:
                k += 2 if body[k] == _PINCONV_BS else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(body[cur:j].strip())
            cur = j + 1
        j += 1
    last = body[cur:].strip()
    return out + [last] if last or out else out


def pinconv_emit(k, p, **kw):
    d = dict(k=k, file=p[0].file, line=int(p[0].line),
             col=int(p[0].column), func=p[0].current_element)
    d.update(kw)
    print(json.dumps(d, sort_keys=True))

@call_args@
identifier callee;
expression list es;
position p, pe;
@@
callee@p(es)@pe

@script:python@
callee << call_args.callee;
p << call_args.p;
pe << call_args.pe;
@@
args = pinconv_args(pinconv_text(p, pe))
if args:
    pinconv_emit("call", p, callee=callee, args=args)

@icall_args@
expression base;
identifier member;
expression list es;
position p, pe;
@@
base->member@p(es)@pe

@script:python@
member << icall_args.member;
p << icall_args.p;
pe << icall_args.pe;
@@
args = pinconv_args(pinconv_text(p, pe))
if args:
    pinconv_emit("icall", p, member=member, args=args)

@iter_args@
iterator I;
expression list es;
statement S;
position p, pe;
@@
I@p(es)@pe S

@script:python@
I << iter_args.I;
p << iter_args.p;
pe << iter_args.pe;
@@
args = pinconv_args(pinconv_text(p, pe))
if args:
    pinconv_emit("iter", p, iterator=I, args=args)
