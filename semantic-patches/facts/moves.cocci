/// Facts: every value that moves from one place to another inside a
/// function, as JSON Lines: assignments and initialised declarations
/// ("k": "mv", dst/src as written) and returned values ("k": "ret").
/// scripts/facts.py keeps the moves whose source is a page carrier
/// (local, array, struct type.field, call result) and drops the rest.
/// dst, src and e are the source text at their positions (comments
/// dropped, whitespace collapsed), as in calls.cocci.
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

@move_assign@
expression dst, src;
position p, ps;
@@
dst@p = src@ps

@script:python@
p << move_assign.p;
ps << move_assign.ps;
@@
pinconv_emit("mv", p, dst=pinconv_text(p), src=pinconv_text(ps))

@move_init@
type T;
identifier x;
expression src;
position p, ps;
@@
T x@p = src@ps;

@script:python@
x << move_init.x;
p << move_init.p;
ps << move_init.ps;
@@
pinconv_emit("mv", p, dst=x, src=pinconv_text(ps))

@move_return@
expression e;
position p, pe;
@@
return@p e@pe;

@script:python@
p << move_return.p;
pe << move_return.pe;
@@
pinconv_emit("ret", p, e=pinconv_text(pe))
