# SPDX-License-Identifier: GPL-2.0
"""Selection: which sites of the plan a conversion rewrites, and why the
others are left.

select() joins acquisitions and releases into groups (an acquisition with
every release of its pages) over the whole plan and gives each site under
the scope an action: "convert" (with its rule and mode), "helper"
(released inside a helper converted where its own primitive is) or
"left" (with the reason).  A group converts whole or not at all.
"""

import re

import pinconv_tree as pt
from conversion import (ITER_GET, PRIMITIVES, RELEASE_RULE_CALLS, Site,
                        in_scope, read_text)


def call_args(text, line, col):
    """The argument texts of the call whose name starts at line:col."""
    lines = text.split("\n")
    if line < 1 or line > len(lines):
        return None
    off = sum(len(x) + 1 for x in lines[:line - 1]) + col
    i = text.find("(", off)
    if i < 0 or i - off > 80:
        return None
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                break
        j += 1
    return pt.split_args(" ".join(text[i + 1:j].split()))


def prototype_params(kdir, name):
    pat = re.compile(r"\b%s\s*\(([^;{)]*(?:\([^)]*\)[^;{)]*)*)\)\s*[;{]" %
                     re.escape(name), re.S)
    for hdr in pt.FAMILY_HEADERS:
        text = pt.strip_comments(read_text(kdir, hdr))
        m = pat.search(text)
        if m:
            return [re.sub(r"\s*\b\w+\s*$", "", " ".join(p.split()))
                    for p in pt.split_args(m.group(1))]
    return None


def pin_rejects(kdir):
    """The FOLL_ flags the tree's pin_user_pages*() refuse from callers,
    read from mm/gup.c: WARN_ON_ONCE(gup_flags & FOLL_X) in their bodies,
    or the "FOLL_GET and FOLL_PIN are mutually exclusive" check."""
    text = pt.strip_comments(read_text(kdir, "mm/gup.c"))
    rej = set()
    for m in re.finditer(r"^\w[^\n;]*\bpin_user_pages\w*\([^)]*\)\s*\{(.*?)^\}",
                         text, re.S | re.M):
        rej |= set(re.findall(r"WARN_ON_ONCE\(\s*\w*flags\s*&\s*(FOLL_\w+)\s*\)",
                              m.group(1)))
    if re.search(r"\(FOLL_PIN \| FOLL_GET\)\)\s*==\s*\(FOLL_PIN \| FOLL_GET\)", text):
        rej.add("FOLL_GET")
    return rej


FLAGS_OK = re.compile(r"^\(?\s*(?:0|FOLL_[A-Z0-9_]+(?:\s*\|\s*FOLL_[A-Z0-9_]+)*)\s*\)?$")


_FAMILY = {}


def family(kdir):
    """gup_family() once per run: the mini tree of the re-plan shares the
    headers of the tree."""
    if "fam" not in _FAMILY:
        _FAMILY["fam"] = pt.gup_family(kdir)
    return _FAMILY["fam"]


def select(plan, scope, prof, extract_api, kdir):
    """Sites under scope, each with its action; groups joined over the
    whole plan (an acquisition with every release of its pages)."""
    fam = family(kdir)
    acqs_all = [Site("acq", a) for a in plan.get("acquisitions", [])]
    rels_all = [Site("rel", r) for r in plan.get("releases", [])]
    by_key = {}
    for r in rels_all:
        by_key.setdefault(r.key, []).append(r)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # A pinned acquisition (pin_user_pages*(), iov_iter_extract_pages())
    # is never rewritten: it joins only releases no other acquisition
    # reaches, so a release both see is judged by the unpinned one's
    # group (its verdict says the pinned pages are there: MIXED, MISMATCH).
    acq_of = {}
    for a in acqs_all:
        for k in a.rec.get("releases", []):
            acq_of.setdefault(k, []).append(a)

    def pinned(a):
        return fam.get(a.call, {}).get("kind", "get") in ("pin", "extract")

    # An iov_iter acquisition is rewritten with a flag set where its own
    # store puts the page in the carrier (extract/get_pages2_to_extract):
    # pages stored elsewhere keep put_page(), whoever acquired them.  So
    # when only iov_iter users reach a release, the one in the release's
    # file owns it, and iov_iter users elsewhere (vmsplice's pipe pages
    # read back by fuse) do not join its group.
    def iter_user(a):
        return extract_api and a.call in ITER_GET

    def joins(a, k):
        others = [b for b in acq_of[k] if not pinned(b)]
        if pinned(a):
            return not others
        if iter_user(a) and all(iter_user(b) for b in others):
            here = [b for b in others if b.file == k.split(":")[0]]
            return not here or a in here
        return True

    for a in acqs_all:
        find(id(a))
        for k in a.rec.get("releases", []):
            if not joins(a, k):
                continue
            for r in by_key.get(k, []):
                parent[find(id(r))] = find(id(a))
    groups = {}
    for s in acqs_all + rels_all:
        groups.setdefault(find(id(s)), []).append(s)
    out_groups = []
    for members in sorted(groups.values(),
                          key=lambda m: min(s.sortkey() for s in m)):
        if not any(in_scope(s.file, scope) for s in members):
            continue
        out_groups.append(members)
        for s in members:
            s.group = len(out_groups)
        decide(members, scope, prof, extract_api, fam, kdir)
    sites = sorted([s for m in out_groups for s in m if in_scope(s.file, scope)],
                   key=Site.sortkey)
    return sites, out_groups


def decide(members, scope, prof, extract_api, fam, kdir):
    acqs = [s for s in members if s.kind == "acq"]
    rels = [s for s in members if s.kind == "rel"]

    def leave(why, only=None):
        for s in (only or members):
            if s.action == "left" and not s.why:
                s.why = why

    for s in rels:
        if s.verdict != "CONVERT":
            s.why = "%s: %s" % (s.verdict, s.rec.get("reason", ""))
    outside = sorted(set(s.file for s in members if not in_scope(s.file, scope)))

    if prof == "put_user_page":
        for a in acqs:
            a.why = "acquisition kept: the put_user_page profile converts releases only"
        for r in rels:
            if r.verdict == "MIXED":
                r.why = ("MIXED (%s): the put_user_page profile has no flag to "
                         "tell the origins apart; %s" % (", ".join(r.rec.get("origins", [])),
                                                         r.rec.get("reason", "")))
            elif r.verdict == "CONVERT":
                if r.call not in PRIMITIVES:
                    r.action = "helper"
                    r.why = "released inside %s(), converted there" % r.call
                elif r.call not in RELEASE_RULE_CALLS:
                    r.why = "no put_user_page rule for %s()" % r.call
                elif not in_scope(r.file, scope):
                    r.why = "outside SUBSYS"
                else:
                    r.action, r.rule = "convert", "put_user_page/put_to_put_user_page"
        return

    def kind(a):
        return fam.get(a.call, {}).get("kind", "get")

    # Reasons that belong to the site itself come first.
    for a in acqs:
        if kind(a) in ("pin", "extract"):
            a.why = "already pinned (%s())" % a.call
        elif a.call in ITER_GET and not extract_api:
            a.why = ("iov_iter user: waits for a tree with iov_iter_extract_pages() "
                     "(v6.3+); this tree has none")
    if not acqs:
        leave("no acquisition in the plan leads to this release")
        return
    pinned = [a for a in acqs if kind(a) in ("pin", "extract")]
    if len(pinned) == len(acqs):
        leave("already pinned")
        return

    def first(bad):
        # The one a reader of SUBSYS can act on: in scope, then in order.
        return sorted(bad, key=lambda r: (not in_scope(r.file, scope),
                                          r.sortkey()))[0]

    if pinned:
        p = first(pinned)
        leave("these pages share their releases with pages pinned by %s() at "
              "%s:%d: the plan cannot tell them apart" % (p.call, p.file, p.line))
        return
    iter_acqs = [a for a in acqs if a.call in ITER_GET]
    if iter_acqs:
        if not extract_api:
            leave("shares its releases with iov_iter users, which wait for "
                  "iov_iter_extract_pages() (v6.3+)")
            return
        decide_extract(members, acqs, rels, outside, kdir, leave)
        return
    # pin profile, get_user_pages*() group.
    blockers = [r for r in rels if r.verdict != "CONVERT"]
    if blockers:
        b = first(blockers)
        leave("release %s:%d is %s (%s): converting the acquisition would "
              "release a pin with put_page()" % (b.file, b.line, b.verdict,
                                                  b.rec.get("reason", "")))
        return
    if not rels:
        leave("no release of these pages found in the plan")
        return
    if outside:
        leave("the pages are also released outside SUBSYS (%s): convert "
              "together" % ", ".join(outside))
        return
    for r in rels:
        if r.call in PRIMITIVES and r.call not in RELEASE_RULE_CALLS:
            leave("no rewrite rule for the release %s() at %s:%d" %
                  (r.call, r.file, r.line))
            return
    if not [r for r in rels if r.call in PRIMITIVES]:
        leave("the plan names no release primitive for these pages")
        return
    for a in acqs:
        pin = a.call.replace("get_user_pages", "pin_user_pages", 1)
        if not a.call.startswith(("get_user_pages", "__get_user_pages")) or pin not in fam:
            leave("%s() has no pin_user_pages counterpart in this tree" % a.call)
            return
        pg, pp = prototype_params(kdir, a.call), prototype_params(kdir, pin)
        if pg is None or pp is None or len(pg) != len(pp) or \
                fam[a.call]["flags_arg"] != fam[pin]["flags_arg"]:
            leave("%s() and %s() differ in their parameters in this tree" % (a.call, pin))
            return
        args = call_args(read_text(kdir, a.file), a.line, a.col)
        fi = fam[a.call]["flags_arg"]
        if args is None or fi < 0 or fi >= len(args):
            leave("cannot read the arguments of %s() at %s:%d" % (a.call, a.file, a.line))
            return
        flags = args[fi]
        if not FLAGS_OK.match(flags):
            leave("flags passed as %r: pin_user_pages*() reject FOLL_GET, which a "
                  "variable may hold; convert by hand" % flags)
            return
        terms = [t.strip("() ") for t in flags.split("|")]
        other = sorted(set(terms) & pin_rejects(kdir) - {"FOLL_GET"})
        if other:
            leave("flags %r: %s refused by pin_user_pages*() in this tree" %
                  (flags, ", ".join(other)))
            return
        if "FOLL_GET" in terms and len(terms) > 2:
            leave("flags %r: FOLL_GET inside a longer expression" % flags)
            return
    for a in acqs:
        a.action, a.rule = "convert", "pin/gup_to_pin"
    for r in rels:
        if r.call in PRIMITIVES:
            r.action, r.rule = "convert", "pin/put_to_unpin"
        else:
            r.action, r.why = "helper", "released inside %s(), converted there" % r.call


def decide_extract(members, acqs, rels, outside, kdir, leave):
    # What blocks the group whatever the rule: the plan's verdicts first.
    bad = sorted([r for r in rels if r.verdict not in ("CONVERT", "MIXED")],
                 key=lambda r: (r.file in outside, r.sortkey()))
    if bad:
        b = bad[0]
        leave("release %s:%d is %s (%s)" % (b.file, b.line, b.verdict,
                                            b.rec.get("reason", "")))
        return
    if not rels:
        leave("no release of these pages found in the plan")
        return
    if outside:
        leave("the pages are also released outside SUBSYS (%s)" % ", ".join(outside))
        return
    if len(set(s.file for s in members)) != 1:
        leave("the pages cross files (%s): the flag's member and its users "
              "must be placed by hand" % ", ".join(sorted(set(s.file for s in members))))
        return
    for r in rels:
        if r.call in PRIMITIVES and r.call != "put_page":
            leave("no rewrite rule for the release %s() at %s:%d" % (r.call, r.file, r.line))
            return
    if not [r for r in rels if r.call in PRIMITIVES]:
        leave("the plan names no release primitive for these pages")
        return
    # Then the shapes the rule handles.
    for a in acqs:
        if a.call != "iov_iter_get_pages2":
            leave("%s(): no rewrite rule yet (the pages array must start NULL "
                  "for iov_iter_extract_pages() to allocate it); convert by hand" % a.call)
            return
        args = call_args(read_text(kdir, a.file), a.line, a.col)
        if not args or len(args) != 5 or not re.match(r"^&\s*\w+$", args[1]):
            leave("iov_iter_get_pages2() into an array (%s): the rule handles one "
                  "page stored in a struct member; convert by hand" %
                  (args[1] if args and len(args) > 1 else "?"))
            return
    mode = "mixed" if any(r.verdict == "MIXED" for r in rels) else "plain"
    for s in acqs + rels:
        if s.kind == "rel" and s.call not in PRIMITIVES:
            s.action, s.why = "helper", "released inside %s(), converted there" % s.call
        else:
            s.action, s.rule, s.mode = "convert", "extract/get_pages2_to_extract", mode
            s.why = ""


# ---------------------------------------------------------------- fixes

def param_names(kdir, name):
    """The parameter names of a family function's prototype."""
    pat = re.compile(r"\b%s\s*\(([^;{)]*(?:\([^)]*\)[^;{)]*)*)\)\s*[;{]" %
                     re.escape(name), re.S)
    for hdr in pt.FAMILY_HEADERS:
        m = pat.search(pt.strip_comments(read_text(kdir, hdr)))
        if m:
            return [(re.findall(r"(\w+)\s*$", p.strip()) or [""])[0]
                    for p in pt.split_args(" ".join(m.group(1).split()))]
    return None


def _norm(e):
    return re.sub(r"\s+", "", e)


def _all_or_nothing(text, acq, nr):
    """Whether the function returns unless the acquisition at acq took all
    nr pages: `R = call(...)` followed by `if (R != nr)` and a return
    (goto) before the next statement outside that if."""
    lines = text.split("\n")
    src = "\n".join(lines[acq.line - 1:acq.line + 40])
    m = re.match(r"^\s*([\w.>\-\[\]]+)\s*=\s*" + re.escape(acq.call) + r"\s*\(", src)
    if not m:
        return False
    lhs = re.escape(_norm(m.group(1)))
    rest = _norm(src[m.end():])
    return re.search(r";if\(%s!=%s\)(?:\{[^{}]*)?(?:return|goto)" %
                     (lhs, re.escape(_norm(nr))), rest) is not None


def fixes(plan, scope, kdir):
    """The MISMATCH releases under scope that a fix rule repairs
    (semantic-patches/convert/fix/mismatch.cocci), as sites with action
    "convert", rule "fix/mismatch" and a mode (unpin, put, array); the
    others with action "left" and the reason.  Driven by the plan's
    verdict, origins and chain only."""
    fam = family(kdir)
    acq_of = {"%s:%d" % (a["file"], a["line"]): Site("acq", a)
              for a in plan.get("acquisitions", [])}
    out = []
    for r in plan.get("releases", []):
        if r.get("verdict") != "MISMATCH" or not in_scope(r["file"], scope):
            continue
        if r.get("call", "").startswith("put_user_page"):
            continue    # v5.2-v5.5: the release of FOLL_GET pages by design
        s = Site("rel", r)
        out.append(s)
        origins = r.get("origins", [])
        acqs = [acq_of[k] for k in r.get("acquisitions", []) if k in acq_of]
        s.fix_acqs = acqs
        if s.call == "put_page" and origins == ["pin"]:
            s.action, s.rule, s.mode = "convert", "fix/mismatch", "unpin"
            continue
        if s.call != "__free_page" or origins != ["gup"]:
            s.why = ("MISMATCH (%s, origins %s): no fix rule for %s() of these "
                     "pages; fix by hand" % (r.get("reason", ""), ", ".join(origins),
                                             s.call))
            continue
        m = re.match(r"^(.*\S)\s*\[[^\[\]]+\]$", r.get("expr", ""))
        if not m:
            s.action, s.rule, s.mode = "convert", "fix/mismatch", "put"
            continue
        # One page of an array: release every page the call took.
        mine = [a for a in acqs if a.file == s.file and a.function == s.function]
        if len(mine) != 1 or len(acqs) != 1:
            s.why = ("frees one page of %s, which %d acquisitions fill: which "
                     "pages were taken cannot be told here; fix by hand" %
                     (m.group(1), len(acqs)))
            continue
        a = mine[0]
        names = param_names(kdir, a.call) or []
        args = call_args(read_text(kdir, a.file), a.line, a.col)
        pi = fam.get(a.call, {}).get("pages_arg", -1)
        ni = names.index("nr_pages") if "nr_pages" in names else -1
        if not args or pi < 0 or ni < 0 or max(pi, ni) >= len(args):
            s.why = "cannot read the arguments of %s() at %s:%d" % (a.call, a.file, a.line)
            continue
        if _norm(args[pi]) != _norm(m.group(1)):
            s.why = ("frees %s, not one page of the array %s() filled (%s); "
                     "fix by hand" % (r.get("expr"), a.call, args[pi]))
            continue
        if not _all_or_nothing(read_text(kdir, a.file), a, args[ni]):
            s.why = ("%s() may take fewer than %s pages and the function goes "
                     "on: how many to release cannot be told here; fix by hand" %
                     (a.call, args[ni]))
            continue
        s.action, s.rule, s.mode = "convert", "fix/mismatch", "array"
        s.fix_array = (args[pi], args[ni])
    return sorted(out, key=Site.sortkey)
