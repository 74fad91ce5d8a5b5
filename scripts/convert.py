#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""convert.py — rewrite what the plan proves convertible, as a verified
patch series.

    make convert SUBSYS=fs/fuse [KDIR=...] [API=pin|put_user_page] [OUT=...]

1. plan:     reports/<tree-id>/plan.json (scripts/plan.py makes it when
             missing; PINCONV_PLAN=file points at another one)
2. select:   the sites under SUBSYS (directories or files, several, or
             "all"); acquisitions and releases joined into groups (an
             acquisition with all its releases); a group is rewritten only
             when every site of it can be, so no pin is ever released by
             put_page() nor a reference by unpin_user_page()
3. rewrite:  semantic-patches/convert/<profile>/*.cocci at the plan's
             positions only (PINCONV_SITES), in copies of the files under
             ${XDG_CACHE_HOME:-~/.cache}/pinconv/work/ — the tree is only read
4. series:   a git repository of the base files, one commit per MAINTAINERS
             section, git format-patch, cover letter, REVIEW.md
5. verify:   git am on a clean base, Kbuild compile before/after, sparse
             (C=2), checkpatch.pl, a second conversion changes nothing and a
             re-plan of the converted files shows no MISMATCH
6. output:   reports/<tree-id>/convert/<slug>/, written to a temporary
             directory and renamed; exit 1 when a check fails

Exit codes: 0 ok (also: nothing to convert), 1 a check failed, 2 bad input
or a missing tool.
"""

import collections
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinconv_tree as pt  # noqa: E402
import kapi  # noqa: E402
import kbuild  # noqa: E402
import scan  # noqa: E402
import series  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(TOP, "semantic-patches/convert")
SPATCH = ["spatch", "--very-quiet", "--no-includes", "--include-headers",
          "--timeout", "120"] + scan.SPATCH_PYTHON
TOOLS = ("spatch", "git", "make", "gcc", "perl", "sparse")
RELEASE_RULE_CALLS = ("put_page", "release_pages")
# Release primitives; any other release "call" in the plan is a helper that
# releases what it is given, converted where its own primitive is.
PRIMITIVES = kapi.CONVERT_PRIMITIVES
SPLIT_FILES = 6
ITER_GET = ("iov_iter_get_pages2", "iov_iter_get_pages_alloc2",
            "iov_iter_get_pages", "iov_iter_get_pages_alloc")


def note(msg):
    print("pinconv: " + msg, file=sys.stderr)


def slug_of(words):
    return "+".join(w.strip("/").replace("/", "-") for w in words) or "all"


# ---------------------------------------------------------------- plan

def load_plan(kdir, out):
    path = os.environ.get("PINCONV_PLAN")
    if not path:
        path = os.path.join(pt.report_dir(kdir, out), "plan.json")
    if not os.path.isfile(path):
        planpy = os.path.join(TOP, "scripts/plan.py")
        if os.environ.get("PINCONV_PLAN") or not os.path.isfile(planpy):
            pt.die("no plan at %s (run `make plan` first)" % path)
        note("no plan yet: running scripts/plan.py")
        env = dict(os.environ, KDIR=kdir)
        if out:
            env["OUT"] = out
        r = subprocess.run(["/usr/bin/python3", planpy], env=env)
        if r.returncode not in (0, 1) or not os.path.isfile(path):
            pt.die("scripts/plan.py failed (exit %d), no plan" % r.returncode)
    try:
        with open(path) as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        pt.die("cannot read plan %s: %s" % (path, e))
    if plan.get("schema") != "pinconv-plan/1":
        pt.die("%s: not a pinconv plan (schema %r)" % (path, plan.get("schema")))
    return plan, path


# ---------------------------------------------------------------- select

def read_text(kdir, rel, cache={}):
    key = (kdir, rel)
    if key not in cache:
        try:
            with open(os.path.join(kdir, rel), errors="replace") as f:
                cache[key] = f.read()
        except OSError:
            cache[key] = ""
    return cache[key]


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


class Site:
    def __init__(self, kind, rec):
        self.kind = kind              # "acq" or "rel"
        self.rec = rec
        self.file = rec["file"]
        self.line = rec["line"]
        self.col = rec["col"]
        self.function = rec.get("function", "")
        self.call = rec.get("call") or rec.get("api") or ""
        self.verdict = rec.get("verdict", "")
        self.action = "left"
        self.why = ""
        self.rule = None
        self.mode = None
        self.group = None
        self.section = None

    @property
    def key(self):
        return "%s:%d" % (self.file, self.line)

    @property
    def pos(self):
        return "%s:%d:%d" % (self.file, self.line, self.col)

    def sortkey(self):
        return (self.file, self.line, self.col, self.kind)


def in_scope(path, scope):
    if scope is None:
        return True
    return any(path == s or path.startswith(s.rstrip("/") + "/") for s in scope)


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


# ---------------------------------------------------------------- rewrite

def line_map(old, new):
    """Map old line numbers (1-based) to new ones for unchanged lines."""
    m = {}
    sm = difflib.SequenceMatcher(None, old.split("\n"), new.split("\n"),
                                 autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                m[i1 + k + 1] = j1 + k + 1
    return m


RULE_ORDER = [("pin/put_to_unpin", None), ("put_user_page/put_to_put_user_page", None),
              ("pin/gup_to_pin", None), ("extract/get_pages2_to_extract", "plain"),
              ("extract/get_pages2_to_extract", "mixed")]


def run_rules(work, files_sites, extra_args):
    """Apply the rules to the copies under work/; files_sites maps a file
    to the sites to rewrite in it.  Returns {file: [sites not rewritten]}."""
    failed = {}
    for rule, mode in RULE_ORDER:
        todo = {}
        for f, sites in files_sites.items():
            mine = [s for s in sites if s.rule == rule and s.mode == mode]
            if mine:
                todo[f] = mine
        if not todo:
            continue
        args = list(extra_args.get(rule, []))
        if mode == "mixed":
            args += ["-D", "mixed"]
        before = {}
        for f in todo:
            with open(os.path.join(work, f)) as fh:
                before[f] = fh.read()
        sitefile = os.path.join(work, ".sites")
        with open(sitefile, "w") as fh:
            for f, sites in sorted(todo.items()):
                for s in sites:
                    fh.write("%s:%d:%d\n" % (f, s.cur_line, s.col))
        env = dict(os.environ, PINCONV_SITES="@" + sitefile)
        for f in sorted(todo):
            outf = os.path.join(work, f + ".pinconv-out")
            r = subprocess.run(SPATCH + args + ["--sp-file",
                                                os.path.join(RULES, rule + ".cocci"),
                                                f, "-o", outf],
                               cwd=work, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, errors="replace")
            if r.returncode:
                failed.setdefault(f, []).extend(todo[f])
                for s in todo[f]:
                    s.fail = "spatch failed: " + r.stderr.strip()[-300:]
                continue
            if os.path.isfile(outf):
                os.replace(outf, os.path.join(work, f))
        for f in todo:
            with open(os.path.join(work, f)) as fh:
                after = fh.read()
            lm = line_map(before[f], after)
            for s in todo[f]:
                if s.cur_line in lm:
                    failed.setdefault(f, []).append(s)
                    s.fail = "the rule did not match this shape"
            if rule.startswith("extract") and todo[f] and f not in failed:
                if not re.search(r"\bbool\s+\w+_pinned;", after):
                    failed.setdefault(f, []).extend(todo[f])
                    for s in todo[f]:
                        s.fail = ("the struct carrying the pages is not declared "
                                  "in %s" % f)
            # Remaining sites of later rules move with the lines.
            for s in files_sites[f]:
                if s not in todo[f]:
                    s.cur_line = lm.get(s.cur_line, s.cur_line)
    return failed


def rewrite(kdir, work, sites, base_text, extra_args):
    """Rewrite until every group either converts whole or not at all."""
    for _ in range(10):
        conv = [s for s in sites if s.action == "convert"]
        files_sites = {}
        for s in conv:
            s.cur_line = s.line
            files_sites.setdefault(s.file, []).append(s)
        for f in files_sites:
            dst = os.path.join(work, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as fh:
                fh.write(base_text(f))
        failed = run_rules(work, files_sites, extra_args)
        if not failed:
            return files_sites
        bad_groups = {}
        for f, ss in failed.items():
            for s in ss:
                bad_groups.setdefault(s.group, s)
        for s in sites:
            if s.group in bad_groups and s.action in ("convert", "helper"):
                b = bad_groups[s.group]
                s.action = "left"
                s.why = "rewrite failed at %s:%d (%s); the whole group is left" % (
                    b.file, b.line, getattr(b, "fail", "?"))
    pt.die("rewriting does not settle")


# ---------------------------------------------------------------- run

WORK = []
TIMING = {}


def cleanup():
    while WORK:
        shutil.rmtree(WORK.pop(), ignore_errors=True)


def workdir(kdir):
    root = os.path.join(kbuild.cache_root(), "work")
    os.makedirs(root, exist_ok=True)
    # Leftovers of runs that died (their pid is gone).
    for e in os.listdir(root):
        m = re.match(r".*\.(\d+)$", e)
        if m and not os.path.exists("/proc/" + m.group(1)):
            shutil.rmtree(os.path.join(root, e), ignore_errors=True)
    d = os.path.join(root, "%s.%d" % (pt.tree_id(kdir), os.getpid()))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    WORK.append(d)
    return d


def git_tree(kdir):
    r = subprocess.run(["git", "-C", kdir, "rev-parse", "--show-toplevel"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.returncode == 0 and os.path.realpath(r.stdout.strip()) == kdir


def fixed_date(kdir):
    e = os.environ.get("SOURCE_DATE_EPOCH")
    if not e:
        e = str(int(os.stat(os.path.join(kdir, "Makefile")).st_mtime))
    return "@%s +0000" % e


def describe(s):
    what = "%s()" % s.call
    if s.action == "convert":
        new = {"pin/gup_to_pin": "pin_user_pages*()",
               "pin/put_to_unpin": "unpin_user_page*()",
               "put_user_page/put_to_put_user_page": "put_user_page*()",
               "extract/get_pages2_to_extract":
                   "iov_iter_extract_pages()" if s.kind == "acq" else
                   "unpin_user_page() if pinned" + (", else put_page()" if s.mode == "mixed" else "")}
        return "%s -> %s" % (what, new.get(s.rule, "?"))
    return what


def chain_text(s):
    hops = s.rec.get("chain") or []
    return " -> ".join("%s:%s %s" % (h.get("file"), h.get("line"), h.get("what", ""))
                       for h in hops)


def commit_message(kdir, prof, section, files, conv, left, prefix, cc, ident, placeholder):
    rules = sorted(set(s.rule for s in conv))
    has_extract = any(r.startswith("extract") for r in rules)
    has_pin = any(r.startswith("pin/") for r in rules)
    if has_extract and not has_pin:
        subj = "use iov_iter_extract_pages() for user pages"
        why = series.WHY_EXTRACT
    elif prof == "put_user_page":
        subj = "convert put_page() to put_user_page*()"
        why = series.WHY_PUT_USER_PAGE
    elif any(s.kind == "acq" for s in conv):
        subj = "pin user pages with pin_user_pages*()"
        why = series.WHY_PIN + ("\n\n" + series.WHY_EXTRACT if has_extract else "")
    else:
        subj = "release user pages with unpin_user_page*()"
        why = series.WHY_PIN
    body = [prefix + subj, "", why, "", "Converted (where pinconv's plan traced every "
            "release of the pages;", "see the review notes):", ""]
    for s in conv:
        head = "  %s:%d %s():" % (s.file, s.line, s.function)
        if len(head) > 75:
            body += ["  %s:%d" % (s.file, s.line), "    %s():" % s.function]
        else:
            body.append(head)
        body.append("    %s" % describe(s))
    if placeholder:
        body += ["", "put_user_page*() come from the previous patch (placeholders)."]
    if left:
        body += ["", "Left as they are (see the review notes):", ""]
        for s in left:
            head = "  %s:%d %s(): %s()" % (s.file, s.line, s.function, s.call)
            if len(head) > 75:
                body += ["  %s:%d" % (s.file, s.line), "    %s(): %s()" % (s.function, s.call)]
            else:
                body.append(head)
            body += ["    " + l for l in textwrap.wrap(s.why, 68)]
    if any(s.mode == "mixed" for s in conv):
        body += [""] + textwrap.wrap(
            "Pages of other origins reach the same release, so pages of "
            "iterators that are not pinned (BVEC) keep the reference "
            "iov_iter_get_pages2() took, and every other store of a page "
            "clears the flag.  iov_iter_get_pages2() refused KVEC iterators, "
            "iov_iter_extract_pages() accepts them without a reference, and "
            "get_page() on a KVEC page (slab, vmalloc) is wrong: check that no "
            "caller passes one.", 72)
    body += [""] + ["Generated by: pinconv semantic-patches/convert/%s.cocci" % r
                    for r in rules]
    body += ["Cc: " + c for c in cc]
    body += ["Signed-off-by: %s <%s>" % ident]
    # Wrap long site lines is not wanted: paths stay whole.
    return "\n".join(body) + "\n"


def run(kdir, prof, extract_api, scope, words, plan, plan_path, out):
    t0 = time.time()
    slug = slug_of(words)
    api = os.environ.get("API", "").strip() or None
    sites, groups = select(plan, scope, prof, extract_api, kdir)
    where = " ".join(words)
    if not sites:
        note("nothing to convert under SUBSYS=%s: the plan has no page "
             "acquisition or release there" % where)
        return 0
    conv = [s for s in sites if s.action == "convert"]
    is_git = git_tree(kdir)
    if is_git:
        st = subprocess.run(["git", "-C", kdir, "status", "--porcelain", "-uno"],
                            stdout=subprocess.PIPE, text=True).stdout
        if st.strip():
            note("warning: %s has uncommitted changes; the series is based on "
                 "HEAD and does not include them" % kdir)

    def base_text(f):
        if is_git:
            r = subprocess.run(["git", "-C", kdir, "show", "HEAD:" + f],
                               stdout=subprocess.PIPE, text=True, errors="replace")
            if r.returncode == 0:
                return r.stdout
        with open(os.path.join(kdir, f), errors="replace") as fh:
            return fh.read()

    work = workdir(kdir)
    extra = {}
    pupd = prototype_params(kdir, "put_user_pages_dirty_lock")
    if pupd is not None and len(pupd) == 2:
        extra["put_user_page/put_to_put_user_page"] = ["-D", "no_make_dirty"]
    if conv:
        rewrite(kdir, os.path.join(work, "after"), sites, base_text, extra)
    conv = [s for s in sites if s.action == "convert"]
    left = [s for s in sites if s.action == "left"]
    for s in left:
        print("%s:%d:%d: note: %s(): %s() left: %s" % (s.file, s.line, s.col, s.function,
                                                   s.call, s.why))
    for s in conv:
        print("%s:%d:%d: note: %s(): %s" % (s.file, s.line, s.col, s.function, describe(s)))

    changed = {}
    for f in sorted(set(s.file for s in conv)):
        with open(os.path.join(work, "after", f)) as fh:
            new = fh.read()
        if new != base_text(f):
            changed[f] = new
    args = (kdir, prof, extract_api, api)
    if scope is not None:
        failed, npatches, dest = make_series(
            *args, where, slug, sites, conv, left, changed, base_text, is_git,
            os.path.join(work, "series"), plan_path, extra, out)
    else:
        # SUBSYS=all: one series per MAINTAINERS section.  Configure Kbuild
        # for every file at once (one prepare, not one per series).
        cfiles = sorted(f for f in changed if f.endswith(".c"))
        if cfiles:
            with kbuild.Kbuild(kdir, log=note) as kb:
                kb.ensure(cfiles)
        maint = pt.Maintainers(kdir)
        by_sec = {}
        for s in sites:
            by_sec.setdefault(maint.section_of(s.file), []).append(s)
        failed, npatches, dests = [], 0, []
        for i, sec in enumerate(sorted(by_sec)):
            ss = by_sec[sec]
            sconv = [s for s in ss if s.action == "convert"]
            if not sconv:
                continue
            sslug = "all/" + re.sub(r"[^A-Za-z0-9._-]+", "-", sec).strip("-").lower()
            f, n, d = make_series(*args, "all (%s)" % sec, sslug, ss, sconv,
                                  [s for s in ss if s.action == "left"],
                                  {k: v for k, v in changed.items()
                                   if any(s.file == k for s in sconv)},
                                  base_text, is_git, os.path.join(work, "s%d" % i),
                                  plan_path, extra, out)
            failed += ["%s: %s" % (sec, x) for x in f]
            npatches += n
            dests.append(d)
        dest = os.path.join(pt.report_dir(kdir, out), "convert", "all")
        left_only = sorted(sec for sec in by_sec
                           if not any(s.action == "convert" for s in by_sec[sec]))
        idx = ["# pinconv: SUBSYS=all", "", "Series, one per MAINTAINERS section:", ""]
        idx += ["- %s" % os.path.relpath(d, dest) for d in dests]
        idx += ["", "Sections with sites but nothing converted:", ""]
        for sec in left_only:
            idx.append("- %s" % sec)
            for s in by_sec[sec]:
                idx.append("  - `%s:%d` %s(): %s() — %s" % (s.file, s.line, s.function,
                                                          s.call, s.why))
        pt.write_atomic(os.path.join(dest, "REVIEW.md"), "\n".join(idx) + "\n")

    secs = time.time() - t0
    if os.environ.get("PINCONV_TIMING"):
        kc = TIMING.get("kernel compilation", 0)
        print("convert_total_s: %.1f" % secs, file=sys.stderr)
        print("convert_kernel_compilation_s: %.1f" % kc, file=sys.stderr)
        print("convert_without_compilation_s: %.1f" % (secs - kc), file=sys.stderr)
    print("pinconv: SUBSYS=%s: %d sites converted, %d left for a human, %d patches "
          "-> %s (%.1f s)" % (where, len(conv), len(left),
                              npatches, dest, secs))
    if failed:
        note("checks failed for: %s (see %s/REVIEW.md)" % (", ".join(failed), dest))
        return 1
    return 0


def make_series(kdir, prof, extract_api, api, where, slug, sites, conv, left,
                changed, base_text, is_git, work, plan_path, extra, out):
    """One series (patches, cover letter, REVIEW.md, convert.json) for the
    changed files, verified, published under convert/<slug>; returns the
    failed patches and the number of patches."""
    os.makedirs(work, exist_ok=True)
    rdir = pt.report_dir(kdir, out)
    dest = os.path.join(rdir, "convert", slug)
    tmp_out = os.path.join(os.path.dirname(dest), ".%s.tmp.%d" % (
        os.path.basename(dest), os.getpid()))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    WORK.append(tmp_out)
    shutil.rmtree(tmp_out, ignore_errors=True)
    os.makedirs(tmp_out)

    placeholder = (prof == "put_user_page" and conv and
                   not pt.declares(kdir, "put_user_page"))
    ph_files = {}
    if placeholder:
        r = series.add_placeholders(base_text("include/linux/mm.h"),
                                    base_text("mm/gup.c"))
        if r is None:
            pt.die("cannot place the put_user_page placeholders in include/linux/mm.h")
        ph_files = {"include/linux/mm.h": r[0], "mm/gup.c": r[1]}

    checks = {}
    patches = []
    base = None
    sections = {}
    maint = pt.Maintainers(kdir)
    for f in changed:
        sections.setdefault(maint.section_of(f), []).append(f)
    # A large section is split per directory (per driver), one patch each.
    split = set()
    for sec in list(sections):
        dirs = sorted(set(os.path.dirname(f) for f in sections[sec]))
        if len(sections[sec]) > SPLIT_FILES and len(dirs) > 1:
            files = sections.pop(sec)
            split.add(sec)
            for d in dirs:
                sections["%s (%s)" % (sec, d)] = [f for f in files
                                                  if os.path.dirname(f) == d]
    if changed:
        repo = os.path.join(work, "repo")
        ident = ("pinconv", "pinconv@localhost")
        date = fixed_date(kdir)
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        touched = sorted(set(changed) | set(ph_files))
        if is_git:
            series.git(work, "clone", "-q", "--shared", "--no-checkout", kdir, repo)
            series.git(repo, "sparse-checkout", "set", "--no-cone", *touched)
            series.git(repo, "checkout", "-q", "--detach", "HEAD")
        else:
            os.makedirs(repo)
            series.git(repo, "init", "-q")
            for f in touched:
                p = os.path.join(repo, f)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as fh:
                    fh.write(base_text(f))
            series.git(repo, "add", "-A")
            series.git(repo, "-c", "user.name=pinconv", "-c", "user.email=pinconv@localhost",
                       "commit", "-q", "-m",
                       "base: %s %s, as found in %s" % (os.path.basename(kdir),
                                                        pt.kernel_version(kdir), kdir),
                       env=env)
        ident = series.identity(repo)
        base = series.git(repo, "rev-parse", "HEAD").stdout.strip()
        cenv = dict(env, GIT_AUTHOR_NAME=ident[0], GIT_AUTHOR_EMAIL=ident[1],
                    GIT_COMMITTER_NAME=ident[0], GIT_COMMITTER_EMAIL=ident[1])

        def commit(files, msg):
            for f, text in files.items():
                with open(os.path.join(repo, f), "w") as fh:
                    fh.write(text)
            series.git(repo, "add", "-f", "--", *sorted(files))
            series.git(repo, "commit", "-q", "-F", "-", env=cenv, inp=msg)

        def patch_of(f):
            sec = maint.section_of(f)
            return "%s (%s)" % (sec, os.path.dirname(f)) if sec in split else sec

        patch_sections = []
        if placeholder:
            cc, _ = series.maintainers_cc(kdir, sorted(ph_files))
            msg = series.PLACEHOLDER_MSG + "\nGenerated by: pinconv (placeholder patch)\n" + \
                "".join("Cc: %s\n" % c for c in cc) + "Signed-off-by: %s <%s>\n" % ident
            commit(ph_files, msg)
            patch_sections.append(("MEMORY MANAGEMENT (placeholders)", sorted(ph_files), [], []))
        for sec in sorted(sections):
            files = sorted(sections[sec])
            sconv = [s for s in conv if s.file in files]
            sleft = [s for s in left if patch_of(s.file) == sec]
            prefix, how = series.subject_prefix(kdir, files, is_git)
            cc, _ = series.maintainers_cc(kdir, files)
            commit({f: changed[f] for f in files},
                   commit_message(kdir, prof, sec, files, sconv, sleft, prefix, cc,
                                  ident, placeholder))
            patch_sections.append((sec, files, sconv, sleft))
        fp = ["format-patch", "-q", "--cover-letter", "--base=" + base,
              "-o", os.path.join(work, "patches"), base + "..HEAD"]
        series.git(repo, *fp, env=cenv)
        patches = sorted(os.path.join(work, "patches", p)
                         for p in os.listdir(os.path.join(work, "patches")))
        checks = verify_series(kdir, api, work, repo, base, patches, patch_sections,
                               {f: base_text(f) for f in touched},
                               dict(changed, **ph_files), sites, extra)
    else:
        patch_sections = []

    failed = finish(kdir, prof, extract_api, api, where, slug, sites, conv, left,
                    patch_sections, patches, checks, tmp_out, is_git, base, plan_path)
    # Publish: the new directory replaces the old one in one rename.
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    old = None
    if os.path.exists(dest):
        old = dest + ".old.%d" % os.getpid()
        os.rename(dest, old)
    os.rename(tmp_out, dest)
    WORK.remove(tmp_out)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    return failed, max(len(patches) - 1, 0), dest


def verify_series(kdir, api, work, repo, base, patches, patch_sections,
                  base_files, after_files, sites, extra):
    """Run every check; {patch number: {check: (ok, detail)}}."""
    import verify
    checks = {i + 1: {} for i in range(len(patch_sections))}
    file_patch = {}
    for i, (_, files, _, _) in enumerate(patch_sections):
        for f in files:
            file_patch[f] = i + 1
    real = [p for p in patches if not p.endswith("0000-cover-letter.patch")]
    ok, detail, idx = verify.check_am(repo, base, real, work, sorted(after_files))
    for n in checks:
        if ok:
            checks[n]["am"] = (True, detail)
        elif idx is None or idx == n:
            checks[n]["am"] = (False, detail)
        else:
            checks[n]["am"] = (idx > n, "applies" if idx > n else "not reached")
    for i, p in enumerate(real):
        checks[i + 1]["checkpatch"] = verify.check_patch(kdir, p)
    cfiles = sorted(f for f in after_files if f.endswith(".c"))
    tb = time.time()
    res, unmet = verify.check_build(kdir, cfiles, base_files, after_files, work,
                                    log=lambda m: note(m))
    TIMING["kernel compilation"] = TIMING.get("kernel compilation", 0) + time.time() - tb
    def combine(prev, ok, detail):
        # False wins; None (not applicable here) only when nothing else ran.
        if prev is None:
            return ok, detail
        a = prev[0]
        v = False if False in (a, ok) else (None if (a, ok) == (None, None) else True)
        return v, prev[1] + "; " + detail

    for f, (bok, bd, sok, sd) in sorted(res.items()):
        n = file_patch[f]
        checks[n]["build"] = combine(checks[n].get("build"), bok, "%s: %s" % (f, bd))
        checks[n]["sparse"] = combine(checks[n].get("sparse"), sok, "%s: %s" % (f, sd))
    if unmet:
        for n in checks:
            b = checks[n].get("build", (True, ""))
            checks[n]["build"] = (b[0], b[1] + "; config could not enable CONFIG_%s "
                                  "(dependencies unmet): compiled without it" %
                                  ", CONFIG_".join(sorted(unmet)))
    # A new plan of the converted files: no MISMATCH, nothing left to convert.
    conv_files = set(f for f in after_files if f in file_patch)
    plan2, detail = verify.replan(TOP, kdir, os.path.join(work, "replan"),
                                  after_files, api, log=note)
    # The same small tree before the conversion: only new MISMATCHes count
    # (mm/ has its own internals that a small tree cannot explain).
    plan0, detail0 = verify.replan(TOP, kdir, os.path.join(work, "replan0"),
                                   base_files, api, log=note)
    prof2, ext2 = pt.choose_profile(kdir, api)

    def mismatches(plan, f):
        c = collections.Counter()
        for r in (plan or {}).get("releases", []):
            if r["file"] != f or r["verdict"] != "MISMATCH":
                continue
            # put_user_page*() release get_user_pages() pages by design
            # (v5.2-v5.5); the plan names them after their v5.6 successor.
            if prof2 == "put_user_page" and r["call"].startswith("put_user_page"):
                continue
            c[(r["function"], r["call"])] += 1
        return c

    for f in sorted(conv_files):
        n = file_patch[f]
        if plan2 is None or plan0 is None:
            checks[n]["rescan"] = (False, detail if plan2 is None else detail0)
            checks[n]["again"] = (False, detail if plan2 is None else detail0)
            continue
        new = mismatches(plan2, f) - mismatches(plan0, f)
        prev = checks[n].get("rescan", (True, ""))
        if new:
            checks[n]["rescan"] = (False, (prev[1] + "; " if prev[1] else "") +
                                   "new MISMATCH in " + ", ".join(
                                       "%s: %s() %s()" % (f, fn, call)
                                       for (fn, call) in sorted(new)))
        elif prev[0]:
            checks[n]["rescan"] = (True, "no new MISMATCH in the converted files")
        sites2, _ = select(plan2, [f], prof2, ext2, os.path.join(work, "replan", "tree"))
        again = [s for s in sites2 if s.action == "convert"]
        prev = checks[n].get("again", (True, ""))
        if again:
            checks[n]["again"] = (False, "a second conversion would change " +
                                  ", ".join("%s:%d" % (s.file, s.line) for s in again))
        elif prev[0]:
            checks[n]["again"] = (True, "a second conversion changes nothing")
    return checks


CHECK_NAMES = ("am", "build", "sparse", "checkpatch", "again", "rescan")


def finish(kdir, prof, extract_api, api, where, slug, sites, conv, left,
           patch_sections, patches, checks, tmp_out, is_git, base, plan_path):
    """Copy the patches, complete the cover letter, write REVIEW.md and
    convert.json into tmp_out; return the names of failed patches."""
    failed = []
    status = {}
    for n, res in sorted(checks.items()):
        bad = [c for c in CHECK_NAMES if c in res and res[c][0] is False]
        missing = [c for c in CHECK_NAMES if c not in res]
        status[n] = bad + ["%s (not run)" % c for c in missing]
        if status[n]:
            failed.append("patch %d (%s)" % (n, ", ".join(status[n])))
    version = pt.kernel_version(kdir)
    for p in patches:
        name = os.path.basename(p)
        with open(p) as fh:
            text = fh.read()
        if name.startswith("0000-cover-letter"):
            text = cover_letter(text, prof, where, version, kdir, sites, conv, left,
                                patch_sections, status, checks, is_git)
        with open(os.path.join(tmp_out, name), "w") as fh:
            fh.write(text)
    review = review_md(kdir, prof, extract_api, where, version, sites, conv, left,
                       patch_sections, checks, status, plan_path)
    pt.write_atomic(os.path.join(tmp_out, "REVIEW.md"), review)
    summary = {
        "schema": "pinconv-convert/1",
        "tree": pt.tree_info(kdir, api),
        "subsys": where,
        "profile": prof,
        "base": base,
        "patches": [os.path.basename(p) for p in patches],
        "sites": [{"file": s.file, "line": s.line, "col": s.col, "kind": s.kind,
                   "function": s.function, "call": s.call, "verdict": s.verdict,
                   "action": s.action, "rule": s.rule, "mode": s.mode,
                   "why": s.why} for s in sites],
        "checks": {str(n): {c: {"ok": v[0], "detail": v[1]} for c, v in res.items()}
                   for n, res in checks.items()},
        "failed": failed,
    }
    pt.write_atomic(os.path.join(tmp_out, "convert.json"), pt.dump_json(summary))
    return failed


def cover_letter(text, prof, where, version, kdir, sites, conv, left,
                 patch_sections, status, checks, is_git):
    subj = {"pin": "pin user pages instead of taking references",
            "put_user_page": "release user pages with put_user_page*()"}[prof]
    if any(s.rule and s.rule.startswith("extract") for s in conv) and \
            not any(s.rule and s.rule.startswith("pin/") for s in conv):
        subj = "extract user pages from iov_iters with iov_iter_extract_pages()"
    blurb = ["This series converts %s (%s) from page references to %s, as "
             "Documentation/core-api/pin_user_pages.rst asks for pages that are "
             "written by DMA or behind the file system's back." %
             (where, "Linux " + version,
              "put_user_page*() releases" if prof == "put_user_page" else "page pins"),
             "",
             "Every converted release was shown to see only pages of the converted "
             "acquisitions (pinconv's plan, evidence chains in REVIEW.md); sites "
             "that could not be shown so are left and listed there with the reason.",
             "",
             "| patch | section | files | converted | left | checks |",
             "|---|---|---|---|---|---|"]
    for i, (sec, files, sconv, sleft) in enumerate(patch_sections):
        n = i + 1
        st = "FAILED: " + ", ".join(status.get(n, [])) if status.get(n) else "all passed"
        blurb.append("| %d | %s | %s | %d | %d | %s |" % (n, sec, ", ".join(files),
                                                          len(sconv), len(sleft), st))
    blurb += ["", "Checks: git am on a clean base, Kbuild compile before/after, "
              "sparse (C=2) with no new warning, checkpatch.pl without errors, a "
              "second conversion changing nothing, a re-plan without MISMATCH."]
    bad = [n for n in status if status[n]]
    if bad:
        blurb += ["", "FAILED CHECKS: " + "; ".join(
            "patch %d: %s" % (n, ", ".join(status[n])) for n in sorted(bad))]
    if not is_git:
        blurb += ["", "The tree (%s) is not a git repository: base-commit below is "
                  "pinconv's snapshot of the files the series touches." % kdir]
    blurb += ["", "Generated by: pinconv"]
    text = text.replace("*** SUBJECT HERE ***", subj)
    wrapped = []
    for para in blurb:
        if para.startswith("|") or not para:
            wrapped.append(para)
        else:
            wrapped += textwrap.wrap(para, 72)
    text = text.replace("*** BLURB HERE ***", "\n".join(wrapped))
    return text


def review_md(kdir, prof, extract_api, where, version, sites, conv, left,
              patch_sections, checks, status, plan_path):
    L = ["# pinconv review notes: SUBSYS=%s" % where, "",
         "Tree: %s (%s), profile `%s`%s; plan: %s" % (
             kdir, version, prof, ", iov_iter_extract_pages() available" if extract_api
             else "", plan_path), ""]
    L += ["%d sites: %d converted, %d left for a human." % (len(sites), len(conv), len(left)), ""]
    if patch_sections:
        L += ["## Checks", "", "| patch | section | " + " | ".join(CHECK_NAMES) + " |",
              "|---|---|" + "---|" * len(CHECK_NAMES)]
        for i, (sec, files, _, _) in enumerate(patch_sections):
            res = checks.get(i + 1, {})
            cells = []
            for c in CHECK_NAMES:
                v = res.get(c)
                cells.append("not run" if v is None else
                             ("n/a" if v[0] is None else ("ok" if v[0] else "**FAILED**")))
            L.append("| %d | %s | %s |" % (i + 1, sec, " | ".join(cells)))
        L += [""]
        for i, (sec, files, _, _) in enumerate(patch_sections):
            L.append("Patch %d (%s):" % (i + 1, sec))
            for c in CHECK_NAMES:
                v = checks.get(i + 1, {}).get(c)
                L.append("- %s: %s" % (c, "not run" if v is None else
                                       ({True: "ok — ", None: "n/a — "}.get(v[0], "FAILED — ")) + v[1]))
            L.append("")
    L += ["## Converted", ""]
    if not conv:
        L += ["Nothing.", ""]
    conv_acqs = set("%s:%d" % (a.file, a.line) for a in conv if a.kind == "acq")
    for s in conv:
        L.append("- `%s:%d` %s(): %s" % (s.file, s.line, s.function, describe(s)))
        if s.kind == "rel":
            L.append("  - verdict %s, origins: %s" % (s.verdict, ", ".join(s.rec.get("origins", []))))
            acqs = s.rec.get("acquisitions", [])
            mine = [a for a in acqs if a in conv_acqs]
            others = [a for a in acqs if a not in conv_acqs]
            if mine:
                L.append("  - converted pages come from: %s" % ", ".join(mine))
            if others:
                L.append("  - also reached by the pages of %s, which this patch leaves "
                         "as they are (%s)" % (", ".join(others),
                                               "their stores clear the flag: put_page()"
                                               if s.mode == "mixed" else "check them"))
            c = chain_text(s)
            if c:
                L.append("  - a chain the plan found: %s" % c)
        else:
            L.append("  - its pages are released at: %s" %
                     (", ".join(s.rec.get("releases", [])) or "-"))
    helpers = [s for s in sites if s.action == "helper"]
    if helpers:
        L += ["", "## Released through a helper (converted inside it)", ""]
        for s in helpers:
            L.append("- `%s:%d` %s(): %s()" % (s.file, s.line, s.function, s.call))
    L += ["", "## Left for a human", ""]
    if not left:
        L += ["Nothing.", ""]
    for s in left:
        L.append("- `%s:%d` %s(): %s() — %s" % (s.file, s.line, s.function, s.call, s.why))
        if s.kind == "rel":
            c = chain_text(s)
            if c:
                L.append("  - chain: %s" % c)
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main

class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted()


def need_tools():
    for t in TOOLS:
        if not shutil.which(t):
            pt.die("%s not found: it is needed to rewrite and verify "
                   "(run scripts/deps.sh)" % t)


def resolve_scope(kdir, words):
    if words == ["all"]:
        return None, []
    scope, bad = [], []
    for w in words:
        rel = os.path.normpath(w[len(kdir) + 1:] if w.startswith(kdir + "/") else w)
        if os.path.isabs(rel) or rel.startswith("..") or \
                not os.path.exists(os.path.join(kdir, rel)):
            bad.append(w)
        else:
            scope.append("" if rel == "." else rel)
    return scope, bad


def main():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    kdir = pt.check_tree(pt.default_kdir())
    api = os.environ.get("API", "").strip() or None
    prof, extract_api = pt.choose_profile(kdir, api)
    words = os.environ.get("SUBSYS", "").replace(",", " ").split()
    if not words:
        pt.die("SUBSYS= is required: a directory or file of the tree, several, "
               "or all")
    need_tools()
    out = os.environ.get("OUT", "") or None
    scope, bad = resolve_scope(kdir, words)
    for w in bad:
        note("SUBSYS=%s is not in the tree %s: nothing to convert there" % (w, kdir))
    if scope is not None and not scope:
        return 0
    plan, plan_path = load_plan(kdir, out)
    try:
        return run(kdir, prof, extract_api, scope, words, plan, plan_path, out)
    except Interrupted:
        cleanup()
        pt.die("interrupted: nothing written, %s untouched" % kdir)
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
