#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make report: where a tree stands, for people, from plan.json.

Reads reports/<tree-id>/plan.json (scripts/plan.py), scan.json when it is
there (the API family, unparsed hits) and the series of make convert
under reports/<tree-id>/convert/<series>/ (each series' convert.json names
the patch converting each site), and writes, next to them:

  index.html  one static page, no network, no framework: per MAINTAINERS
              section the acquisition and release sites as stacked bars by
              verdict, sortable columns, and every site with its verdict,
              evidence chain and the patch that converts it;
  report.md   the same summary table (and the sites per section) in
              markdown, for mailing lists.

Environment (the Makefile exports them):
  KDIR   the tree (default: Debian's 6.12 source, scripts/default-tree.sh)
  OUT    the report directory instead of reports/<tree-id>
  SUBSYS paths in the tree (space or comma separated): only their sites,
         written to reports/<tree-id>/subsys/<paths>/ instead
  BASE   another tree to compare with: a tree-id under reports/, a report
         directory, or a kernel tree.  Sites are matched by (file,
         function, api/call), never by line, and a get-style site of the
         base that became a pin-style site of the same function in this
         tree counts as converted upstream.

Output is a function of the inputs only (no timestamps, everything
sorted), and both files are renamed into place together.
"""

import html
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kapi  # noqa: E402
import pinconv_tree as pt  # noqa: E402

VERDICTS = kapi.VERDICTS
COLORS = {"CONVERT": "#2e9e44", "MIXED": "#e8a317", "EXTRA_REF": "#9b59b6",
          "ESCAPES": "#d9534f", "KEEP_GET": "#8c8c8c", "PINNED": "#2f6fb5",
          "MISMATCH": "#7a0019", "UNKNOWN": "#c9c9c9"}
MEANING = {
    "CONVERT": "every page it sees came from FOLL_GET GUP, every path known",
    "MIXED": "also sees pages of other origins (or BVEC/KVEC): needs a flag",
    "EXTRA_REF": "someone took get_page() on a GUP page",
    "ESCAPES": "pages reach a function pointer or code outside the tree",
    "KEEP_GET": "pages used only for struct page metadata",
    "PINNED": "already pins / unpins",
    "MISMATCH": "pin released by put_page, or get released by unpin: a bug",
    "UNKNOWN": "the analysis could not decide (see the reason)",
}
# An acquisition can move to pins only when every release it reaches can:
# its status is the worst verdict among them, in this order.
WORST_FIRST = ("MISMATCH", "ESCAPES", "EXTRA_REF", "MIXED", "UNKNOWN",
               "KEEP_GET", "CONVERT", "PINNED")


def esc(s):
    return html.escape(str(s), quote=True)


def die(msg):
    pt.die(msg, 2)


# ---------------------------------------------------------------- inputs

def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        die("%s: unreadable %s (%s)" % (path, what, e))


def check_plan(plan, path):
    """Enough of plan.schema.json to render honestly; the tests validate
    the full schema."""
    if not isinstance(plan, dict) or plan.get("schema") != "pinconv-plan/1":
        die("%s: not a pinconv plan (schema pinconv-plan/1)" % path)
    for key, need in (("releases", ("file", "line", "function", "call",
                                    "verdict", "chain", "subsystem")),
                      ("acquisitions", ("file", "line", "function", "api",
                                        "releases", "subsystem"))):
        items = plan.get(key)
        if not isinstance(items, list):
            die("%s: no %s list" % (path, key))
        for i, it in enumerate(items):
            miss = [k for k in need if k not in it]
            if miss:
                die("%s: %s[%d] lacks %s" % (path, key, i, ", ".join(miss)))
            if key == "releases" and it["verdict"] not in VERDICTS:
                die("%s: releases[%d]: unknown verdict %s" %
                    (path, i, it["verdict"]))


def api_kind(api, family):
    if api in family:
        return family[api].get("kind", "get")
    if api.startswith("pin_") or api == "memfd_pin_folios":
        return "pin"
    if api == "iov_iter_extract_pages":
        return "extract"
    return "get"


release_is_pin = kapi.release_is_pin


def converting_patches(rdir):
    """{(file, line): [relative patch path, ...]} over every series under
    rdir/convert/: each series' convert.json names, per site, the patch
    that converts it (its "patch_file"); lines are the plan's, so no
    patch hunk is read."""
    found = defaultdict(set)
    top = os.path.join(rdir, "convert")
    if not os.path.isdir(top):
        return {}
    for dirpath, dirnames, filenames in os.walk(top):
        # Series live at convert/<series>/ (maybe one level deeper); never
        # walk into a scratch tree or a git directory kept alongside.
        depth = os.path.relpath(dirpath, top).count(os.sep)
        dirnames[:] = [] if depth >= 1 else sorted(
            d for d in dirnames if not d.startswith("."))
        if "convert.json" not in filenames:
            continue
        try:
            with open(os.path.join(dirpath, "convert.json")) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            die("%s: %s" % (os.path.join(dirpath, "convert.json"), e))
        for s in summary.get("sites", []):
            name = s.get("patch_file")
            if not name or not os.path.isfile(os.path.join(dirpath, name)):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), rdir)
            found[(s["file"], s["line"])].add(rel.replace(os.sep, "/"))
    return {k: sorted(v) for k, v in found.items()}


def subsys_paths(kdir, spec):
    """SUBSYS= paths (space or comma separated, relative to the tree),
    each of which must exist there."""
    paths = []
    for p in re.split(r"[\s,]+", spec.strip()):
        if not p:
            continue
        p = os.path.normpath(p).lstrip("/")
        if p.startswith("..") or not os.path.exists(os.path.join(kdir, p)):
            die("SUBSYS=%s: no such file or directory in %s" % (p, kdir))
        if p not in paths:
            paths.append(p)
    return sorted(paths)


def in_paths(sites, paths):
    return [s for s in sites
            if any(s.file == p or s.file.startswith(p + "/") for p in paths)]


def resolve_base(base, root):
    """BASE= a tree-id under the reports root, a report directory, or a
    kernel tree: the directory holding its plan.json."""
    cands = [os.path.join(root, base), base]
    if os.path.isdir(base) and pt.is_kernel_tree(base):
        cands.insert(0, pt.report_dir(base))
    for c in cands:
        if os.path.isfile(os.path.join(c, "plan.json")):
            return c
    die("BASE=%s: no plan.json for it (looked in %s); run `make plan` "
        "on that tree first" % (base, ", ".join(cands)))


# ------------------------------------------------------------------ model

class Site:
    __slots__ = ("kind", "file", "line", "col", "function", "call", "verdict",
                 "section", "reason", "origins", "chain", "releases",
                 "patches", "ident", "api_kind", "shown")


def build(plan, family, patches):
    rels, acqs = [], []
    by_loc = {}
    for i, r in enumerate(sorted(plan["releases"], key=lambda r: (
            r["file"], r["line"], r.get("col", 0), r["call"]))):
        s = Site()
        s.kind, s.ident = "rel", "R%d" % i
        s.file, s.line, s.col = r["file"], r["line"], r.get("col", 0)
        s.function, s.call, s.verdict = r["function"], r["call"], r["verdict"]
        s.section = r["subsystem"] or "THE REST"
        s.reason = r.get("reason", "")
        s.origins = sorted(r.get("origins", []))
        s.chain = r.get("chain", [])
        s.releases = []
        # Pin-style: an unpin_*() call, or one the plan found only unpins
        # (bio_release_page() on a BIO_PAGE_PINNED bio).
        s.api_kind = "pin" if (release_is_pin(s.call) or
                               s.verdict == "PINNED") else "get"
        s.patches = patches.get((s.file, s.line), [])
        s.shown = False
        rels.append(s)
        by_loc.setdefault("%s:%d" % (s.file, s.line), s)
    for i, a in enumerate(sorted(plan["acquisitions"], key=lambda a: (
            a["file"], a["line"], a.get("col", 0), a["api"]))):
        s = Site()
        s.kind, s.ident = "acq", "A%d" % i
        s.file, s.line, s.col = a["file"], a["line"], a.get("col", 0)
        s.function, s.call = a["function"], a["api"]
        s.section = a["subsystem"] or "THE REST"
        s.api_kind = api_kind(s.call, family)
        s.releases = [by_loc.get(x) or x for x in sorted(set(a["releases"]))]
        s.chain, s.origins = [], []
        s.patches = patches.get((s.file, s.line), [])
        s.shown = False
        seen = [x.verdict for x in s.releases if isinstance(x, Site)]
        if a.get("verdict") in VERDICTS:
            # The plan judged the acquisition itself: take its word.
            s.verdict = a["verdict"]
            s.reason = a.get("reason") or "verdict of the plan"
        elif s.api_kind in ("pin", "extract"):
            s.verdict = "PINNED"
            s.reason = "already uses %s" % s.call
        elif not seen:
            s.verdict = "UNKNOWN"
            s.reason = a.get("note") or "no release site found"
        else:
            s.verdict = next(v for v in WORST_FIRST if v in seen)
            s.reason = "worst verdict of the %d release site%s it reaches" % (
                len(seen), "" if len(seen) == 1 else "s")
        if a.get("note") and a.get("note") != s.reason:
            s.reason += "; " + a["note"]
        acqs.append(s)
    return acqs, rels


def summarize(acqs, rels):
    secs = defaultdict(lambda: {"acq": Counter(), "rel": Counter(),
                                "patches": set(), "patched": 0})
    for s in acqs + rels:
        d = secs[s.section]
        d[s.kind][s.verdict] += 1
        if s.patches:
            d["patched"] += 1
            d["patches"].update(s.patches)
    rows = []
    for name, d in secs.items():
        rows.append({"section": name, "acq": d["acq"], "rel": d["rel"],
                     "nacq": sum(d["acq"].values()),
                     "nrel": sum(d["rel"].values()),
                     "patched": d["patched"], "npatches": len(d["patches"])})
    rows.sort(key=lambda r: (-(r["nacq"] + r["nrel"]), r["section"]))
    return rows


# ------------------------------------------------------------ comparison

def fn_key(s):
    return (s.file, s.function)


def compare(base_sites, head_sites):
    """Match base and head sites of one kind by (file, function, call);
    pair what is left in one function as converted when the base side is
    get-style and the head side pin-style.  Returns change rows."""
    out = []
    groups = defaultdict(lambda: ([], []))
    for s in base_sites:
        groups[fn_key(s)][0].append(s)
    for s in head_sites:
        groups[fn_key(s)][1].append(s)
    for key in sorted(groups):
        b, h = groups[key]
        b = sorted(b, key=lambda s: (s.call, s.line))
        h = sorted(h, key=lambda s: (s.call, s.line))
        left_b, left_h = [], list(h)
        for s in b:
            m = next((x for x in left_h if x.call == s.call), None)
            if m is None:
                left_b.append(s)
                continue
            left_h.remove(m)
            if m.verdict != s.verdict:
                out.append(("verdict", s, m))
        pins = [x for x in left_h if x.api_kind in ("pin", "extract")]
        for s in list(left_b):
            if s.api_kind == "get" and pins:
                m = pins.pop(0)
                left_h.remove(m)
                left_b.remove(s)
                out.append(("converted", s, m))
        # Another call of the same style in the same function (e.g.
        # get_user_pages_remote -> get_user_page_vma_remote).
        for s in list(left_b):
            m = next((x for x in left_h if (x.api_kind == "get") ==
                      (s.api_kind == "get")), None)
            if m is not None:
                left_h.remove(m)
                left_b.remove(s)
                out.append(("api", s, m))
        out += [("removed", s, None) for s in left_b]
        out += [("added", None, s) for s in left_h]
    return out


CHANGE_ORDER = {"converted": 0, "api": 1, "verdict": 2, "removed": 3,
                "added": 4}


# ------------------------------------------------------------------- HTML

CSS = """
body{font:13px/1.4 system-ui,sans-serif;margin:1.2em;color:#222;background:#fff}
h1{font-size:1.35em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .4em}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid #ddd;padding:2px 5px;vertical-align:top;text-align:left}
th{background:#f3f3f3;position:sticky;top:0;z-index:1}
th[data-t]{cursor:pointer;user-select:none;white-space:nowrap}#summary th .v{font-size:11px}
th[aria-sort=ascending]:after{content:" \\25B2"}th[aria-sort=descending]:after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;width:110px;height:12px;background:#f6f6f6;margin-top:3px}
.bar i{display:block;height:100%}
.v{display:inline-block;padding:0 4px;border-radius:3px;color:#fff;font-size:12px;white-space:nowrap;overflow-wrap:normal}
.v.KEEP_GET,.v.UNKNOWN{color:#222}
details summary{cursor:pointer}details ol{margin:.2em 0 .2em 1.2em;padding:0}
code,.f{font-family:ui-monospace,monospace;font-size:12px}
.muted{color:#666}#legend span{margin-right:1em;white-space:nowrap}
#filter{margin:.4em 0}
#sites-table td:first-child{max-width:9em;font-size:12px}
#sites-table,#changes{width:100%}
#sites-table td,#changes td{overflow-wrap:anywhere}
#changes td:first-child{overflow-wrap:normal}
#sites-table td:nth-child(7){min-width:18em}
#summary td:first-child{min-width:14em;max-width:24em}
tr.hid{display:none}
"""
CSS += "".join(".%s{background:%s}" % (v, c) for v, c in COLORS.items())

JS = r"""
(function(){
function key(r,c,t){var v=r.cells[c].textContent;
 if(t==='n')return parseFloat(v)||0;
 if(t==='l'){var m=/^(.*):(\d+)$/.exec(v);if(m)return m[1]+'\u0001'+('0000000'+m[2]).slice(-8);}
 return v;}
function sortBy(t,c,dir){
 var th=t.tHead.rows[0].cells[c],num=th.getAttribute('data-t'),
 b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),m=dir==='desc'?-1:1;
 rows.sort(function(x,y){var a=key(x,c,num),z=key(y,c,num);
  if(a<z)return -m;if(a>z)return m;return x.getAttribute('data-i')-y.getAttribute('data-i');});
 for(var i=0;i<rows.length;i++)b.appendChild(rows[i]);
 var hs=t.tHead.rows[0].cells;for(i=0;i<hs.length;i++)hs[i].removeAttribute('aria-sort');
 th.setAttribute('aria-sort',dir==='desc'?'descending':'ascending');}
function byKey(k){var ths=document.querySelectorAll('th[data-k]');
 for(var i=0;i<ths.length;i++)if(ths[i].getAttribute('data-k')===k)return ths[i];return null;}
document.addEventListener('click',function(e){
 var th=e.target.closest('th[data-t]');
 if(th){var d=th.getAttribute('aria-sort')==='ascending'?'desc':
  (th.getAttribute('aria-sort')==='descending'?'asc':(th.getAttribute('data-t')==='n'?'desc':'asc'));
  sortBy(th.closest('table'),th.cellIndex,d);return;}
 var a=e.target.closest('a[data-sec]');
 if(a){e.preventDefault();var f=document.getElementById('q');f.value=a.getAttribute('data-sec');
  filter();f.scrollIntoView();}});
function filter(){var q=document.getElementById('q').value.toLowerCase(),
 v=document.getElementById('fv').value,rows=document.getElementById('sites-table').tBodies[0].rows,n=0;
 for(var i=0;i<rows.length;i++){var r=rows[i],ok=(!v||r.cells[5].textContent===v)&&
  (!q||(r.cells[0].textContent+' '+r.cells[1].textContent).toLowerCase().indexOf(q)>=0);
  r.className=ok?'':'hid';if(ok)n++;}
 document.getElementById('shown').textContent=n;}
document.getElementById('q').addEventListener('input',filter);
document.getElementById('fv').addEventListener('change',filter);
var h=location.hash.replace(/^#/,'').split('&');
for(var i=0;i<h.length;i++){var kv=h[i].split('=');
 if(kv[0]==='sort'&&kv[1]){var p=decodeURIComponent(kv[1]).split(':'),th=byKey(p[0]);
  if(th)sortBy(th.closest('table'),th.cellIndex,p[1]==='desc'?'desc':'asc');}
 if(kv[0]==='q'&&kv[1]!==undefined){document.getElementById('q').value=decodeURIComponent(kv[1]);filter();}}
})();
"""


def bar(counter, order=VERDICTS):
    total = sum(counter.values())
    if not total:
        return '<div class="bar"></div>'
    segs = []
    for v in order:
        n = counter.get(v, 0)
        if n:
            segs.append('<i class="%s" style="width:%.2f%%" title="%s %d">'
                        '</i>' % (v, 100.0 * n / total, v, n))
    return '<div class="bar">%s</div>' % "".join(segs)


def th(label, key, typ="s", title=None, raw=False):
    """A sortable header: typ n (number), s (text) or l (file:line)."""
    return '<th data-k="%s" data-t="%s"%s>%s</th>' % (
        key, typ, ' title="%s"' % esc(title) if title else "",
        label if raw else esc(label))


def site_text(s):
    return "%s:%d" % (s.file, s.line)


def patch_links(s):
    return " ".join('<a href="%s">%s</a>' % (esc(p), esc(p.split("/")[-1]))
                    for p in s.patches)


def evidence(s):
    if s.kind == "acq":
        items = []
        for r in s.releases:
            if isinstance(r, Site):
                loc = esc(site_text(r))
                if r.shown:
                    loc = '<a href="#%s">%s</a>' % (r.ident, loc)
                items.append('<li>%s %s <span class="v %s">%s</span></li>' % (
                    loc, esc(r.call), r.verdict, r.verdict))
            else:
                items.append("<li>%s (not in releases)</li>" % esc(r))
        body = "<ol>%s</ol>" % "".join(items) if items else ""
        return "<details><summary>%s</summary>%s</details>" % (
            esc(s.reason), body)
    # A hop in the site's own file shows as :line, to keep the page light.
    hops = "".join("<li><code>%s:%d</code> %s</li>" % (
        "" if c.get("file") == s.file else esc(c.get("file", "")),
        c.get("line", 0), esc(c.get("what", ""))) for c in s.chain)
    orig = ("<div class=muted>origins: %s</div>" % esc(", ".join(s.origins))
            if s.origins else "")
    return "<details><summary>%s</summary>%s<ol>%s</ol></details>" % (
        esc(s.reason or s.verdict), orig, hops)


def render_html(tree, acqs, rels, rows, extra, changes, base_tree, scope):
    out = []
    w = out.append
    ver = tree.get("version", "?") + (": " + scope if scope else "")
    w('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
      '<meta name="viewport" content="width=device-width">'
      '<title>pinconv: Linux %s</title><style>%s</style></head><body>\n'
      % (esc(ver), CSS.strip()))
    rv = Counter(s.verdict for s in rels)
    av = Counter(s.verdict for s in acqs)
    w('<h1>Page pins in Linux %s</h1>\n' % esc(ver))
    w('<p class=muted>%s &middot; API profile <b>%s</b> &middot; '
      'iov_iter_extract_pages: %s</p>\n' % (
          esc(tree.get("path", "")), esc(tree.get("api_profile", "?")),
          "yes" if tree.get("extract_api") else "no"))
    w('<p id=totals><b id=nacq>%d</b> acquisition sites, <b id=nrel>%d</b> '
      'release sites in <b id=nsec>%d</b> MAINTAINERS sections; '
      '<b id=npatched>%d</b> sites touched by a converting patch.%s</p>\n'
      % (len(acqs), len(rels), len(rows),
         sum(1 for s in acqs + rels if s.patches), extra))
    w('<div class=bar style="width:100%%;height:16px" id=allrel>%s</div>\n'
      % bar(rv)[len('<div class="bar">'):-len('</div>')])
    w('<p id=legend>%s</p>\n' % "".join(
        '<span title="%s"><span class="v %s">%s</span> %d rel / %d acq</span>'
        % (esc(MEANING[v]), v, v, rv.get(v, 0), av.get(v, 0))
        for v in VERDICTS))
    # Summary per section.
    w('<h2>Per MAINTAINERS section</h2>\n<p class=muted>Bars: acquisition '
      'sites by the worst verdict of the releases they reach, release '
      'sites by verdict. Columns sort on click.</p>\n')
    w('<table id=summary><thead><tr>%s%s<th>acquisitions</th>%s'
      '<th>releases</th>%s%s</tr></thead><tbody>\n' % (
          th("section", "section"), th("acq", "acq", "n"),
          th("rel", "rel", "n"),
          "".join(th('<span class="v %s">%s</span>' % (v, v), v, "n",
                     MEANING[v], raw=True) for v in VERDICTS),
          th("patched", "patched", "n", "sites touched by a patch")))
    for i, r in enumerate(rows):
        w('<tr data-i="%d"><td><a href="#sites" data-sec="%s">%s</a></td>'
          '<td class=n>%d</td><td>%s</td><td class=n>%d</td><td>%s</td>%s'
          '<td class=n>%d</td></tr>\n' % (
              i, esc(r["section"]), esc(r["section"]), r["nacq"],
              bar(r["acq"]), r["nrel"], bar(r["rel"]),
              "".join("<td class=n>%d</td>" % r["rel"].get(v, 0)
                      for v in VERDICTS), r["patched"]))
    w('</tbody><tfoot><tr><th>total</th><th class=n>%d</th><th>%s</th>'
      '<th class=n>%d</th><th>%s</th>%s<th class=n>%d</th></tr></tfoot>'
      '</table>\n' % (
          len(acqs), bar(av), len(rels), bar(rv),
          "".join("<th class=n>%d</th>" % rv.get(v, 0) for v in VERDICTS),
          sum(1 for s in acqs + rels if s.patches)))
    if changes is not None:
        w(render_compare_html(changes, base_tree, tree))
    # Every site.
    w('<h2 id=sites>Sites</h2>\n<div id=filter>section or path: '
      '<input id=q size=30> verdict: <select id=fv><option value="">any'
      '</option>%s</select> <span id=shown>%d</span> shown</div>\n' % (
          "".join('<option>%s</option>' % v for v in VERDICTS),
          len(acqs) + len(rels)))
    w('<table id=sites-table><thead><tr>%s%s%s%s%s%s<th>evidence</th>%s'
      '</tr></thead><tbody>\n' % (
          th("section", "s-section"), th("site", "s-site", "l"),
          th("kind", "s-kind"), th("function", "s-function"),
          th("call", "s-call"), th("verdict", "s-verdict"),
          th("patch", "s-patch")))
    sites = sorted(acqs + rels, key=lambda s: (s.section, s.file, s.line,
                                               s.col, s.kind))
    for i, s in enumerate(sites):
        w('<tr id="%s" data-i="%d"><td>%s</td><td class=f>%s</td><td>%s'
          '</td><td>%s</td><td class=f>%s</td><td><span class="v %s">%s'
          '</span></td><td>%s</td><td>%s</td></tr>\n' % (
              s.ident, i, esc(s.section), esc(site_text(s)),
              s.kind, esc(s.function), esc(s.call), s.verdict, s.verdict,
              evidence(s), patch_links(s)))
    w('</tbody></table>\n')
    w('<script>%s</script>\n</body></html>\n' % JS.strip())
    return "".join(out)


def change_cells(kind, b, h):
    def loc(s):
        return esc(site_text(s)) if s else ""
    call = (b.call if b else "") + (" &rarr; " if b and h and
                                    b.call != h.call else "") + \
        (h.call if h and (not b or h.call != b.call) else "")
    verd = " &rarr; ".join('<span class="v %s">%s</span>' % (v, v)
                           for v in dict.fromkeys(x.verdict for x in (b, h)
                                                  if x))
    s = h or b
    return ('<td>%s</td><td>%s</td><td class=f>%s</td><td class=f>%s</td>'
            '<td>%s</td><td>%s</td><td class=f>%s</td><td>%s</td>' % (
                kind, esc(s.section), loc(b), loc(h), s.kind,
                esc(s.function), call, verd))


def render_compare_html(changes, base_tree, tree):
    cnt = Counter((c[0], (c[2] or c[1]).kind) for c in changes)
    out = ['<h2 id=compare>Since Linux %s</h2>\n' % esc(
        base_tree.get("version", "?"))]
    out.append('<p id=compare-totals>Compared with %s: sites matched by '
               '(file, function, api/call), not by line. Upstream converted '
               '<b id=conv-acq>%d</b> acquisition and <b id=conv-rel>%d</b> '
               'release sites; %d sites moved to another call of the same '
               'style, %d changed verdict, %d went away, %d are new.</p>\n' % (
                   esc(base_tree.get("path", "")),
                   cnt[("converted", "acq")], cnt[("converted", "rel")],
                   cnt[("api", "acq")] + cnt[("api", "rel")],
                   cnt[("verdict", "acq")] + cnt[("verdict", "rel")],
                   cnt[("removed", "acq")] + cnt[("removed", "rel")],
                   cnt[("added", "acq")] + cnt[("added", "rel")]))
    out.append('<details open><summary>%d changes</summary><table '
               'id=changes><thead><tr>%s%s%s%s%s%s%s%s</tr></thead><tbody>\n'
               % (len(changes), th("change", "c-change"),
                  th("section", "c-section"), th("base site", "c-base", "l"),
                  th("site", "c-head", "l"), th("kind", "c-kind"),
                  th("function", "c-function"), th("call", "c-call"),
                  th("verdict", "c-verdict")))
    for i, (kind, b, h) in enumerate(changes):
        out.append('<tr data-i="%d">%s</tr>\n' % (i, change_cells(kind, b, h)))
    out.append('</tbody></table></details>\n')
    return "".join(out)


# --------------------------------------------------------------- markdown

def md(s):
    return str(s).replace("|", "\\|").replace("<", "\\<")


def render_md(tree, acqs, rels, rows, extra_md, changes, base_tree, scope):
    out = []
    w = out.append
    rv = Counter(s.verdict for s in rels)
    w("# Page pins in Linux %s%s\n\n" % (tree.get("version", "?"),
                                          ": " + md(scope) if scope else ""))
    w("API profile %s, iov_iter_extract_pages: %s.  %d acquisition sites, "
      "%d release sites in %d MAINTAINERS sections.%s\n\n" % (
          tree.get("api_profile", "?"),
          "yes" if tree.get("extract_api") else "no",
          len(acqs), len(rels), len(rows), extra_md))
    w("Release verdicts: %s.\n\n" % ", ".join(
        "%s %d" % (v, rv.get(v, 0)) for v in VERDICTS))
    if changes is not None:
        cnt = Counter((c[0], (c[2] or c[1]).kind) for c in changes)
        w("## Since Linux %s\n\n" % base_tree.get("version", "?"))
        w("Upstream converted %d acquisition and %d release sites "
          "(matched by file, function and call, not by line).\n\n" % (
              cnt[("converted", "acq")], cnt[("converted", "rel")]))
        w("| change | site | function | call | verdict |\n"
          "|---|---|---|---|---|\n")
        for kind, b, h in changes:
            s = h or b
            call = " → ".join(dict.fromkeys(x.call for x in (b, h) if x))
            verd = " → ".join(dict.fromkeys(x.verdict for x in (b, h) if x))
            w("| %s | %s | %s | %s | %s |\n" % (
                kind, md(site_text(s)), md(s.function), md(call), verd))
        w("\n")
    w("## Per MAINTAINERS section\n\n")
    w("| section | acq | rel | %s | patched |\n" % " | ".join(VERDICTS))
    w("|---|--:|--:|%s|--:|\n" % "|".join("--:" for _ in VERDICTS))
    for r in rows:
        w("| %s | %d | %d | %s | %d |\n" % (
            md(r["section"]), r["nacq"], r["nrel"],
            " | ".join(str(r["rel"].get(v, 0)) for v in VERDICTS),
            r["patched"]))
    w("| **total** | %d | %d | %s | %d |\n\n" % (
        len(acqs), len(rels), " | ".join(str(rv.get(v, 0)) for v in VERDICTS),
        sum(1 for s in acqs + rels if s.patches)))
    w("## Sites\n")
    bysec = defaultdict(list)
    for s in acqs + rels:
        bysec[s.section].append(s)
    for r in rows:
        w("\n### %s\n\n| site | kind | function | call | verdict | reason "
          "| patch |\n|---|---|---|---|---|---|---|\n" % r["section"])
        for s in sorted(bysec[r["section"]], key=lambda s: (
                s.file, s.line, s.col, s.kind)):
            w("| %s | %s | %s | %s | %s | %s | %s |\n" % (
                md(site_text(s)), s.kind, md(s.function), md(s.call),
                s.verdict, md(s.reason), md(" ".join(s.patches))))
    return "".join(out)


# ------------------------------------------------------------------- main

def load_report(rdir, kdir_hint, kdir=None):
    ppath = os.path.join(rdir, "plan.json")
    plan = load_json(ppath, "plan")
    if plan is None and kdir is not None:
        # Every stage builds what it reads: the plan of this tree first.
        print("pinconv: report: no plan at %s; running plan first" % ppath,
              file=sys.stderr)
        env = dict(os.environ, KDIR=kdir, OUT=rdir)
        r = subprocess.run([sys.executable, os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "plan.py")],
            env=env, stdout=sys.stderr)
        if r.returncode != 0:
            die("plan failed (exit %d); no report written" % r.returncode)
        plan = load_json(ppath, "plan")
    if plan is None:
        die("%s: no plan.json; run `make plan%s` first" % (
            rdir, " KDIR=" + kdir_hint if kdir_hint else ""))
    check_plan(plan, ppath)
    scan = load_json(os.path.join(rdir, "scan.json"), "scan") or {}
    family = scan.get("family", {}) if isinstance(scan, dict) else {}
    return plan, scan, family


def main():
    kdir = pt.check_tree(pt.default_kdir())
    rdir = pt.report_dir(kdir, os.environ.get("OUT") or None)
    plan, scan, family = load_report(rdir, os.environ.get("KDIR", ""), kdir)
    patches = converting_patches(rdir)
    acqs, rels = build(plan, family, patches)
    paths = subsys_paths(kdir, os.environ.get("SUBSYS", ""))
    outdir, scope = rdir, " ".join(paths)
    if paths:
        acqs, rels = in_paths(acqs, paths), in_paths(rels, paths)
        outdir = os.path.join(rdir, "subsys", re.sub(
            r"[^A-Za-z0-9._+-]", "_", "+".join(paths)))
        for s in acqs + rels:
            s.patches = [os.path.relpath(os.path.join(rdir, p), outdir)
                         .replace(os.sep, "/") for p in s.patches]
    for s in acqs + rels:
        s.shown = True
    rows = summarize(acqs, rels)
    tree = plan.get("tree", {})
    extra = extra_md = ""
    if isinstance(scan.get("unparsed"), list) and scan["unparsed"]:
        n = len(scan["unparsed"])
        extra = (' <span id=unparsed>%d</span> hits the scan could not parse '
                 '(scan.json "unparsed").' % n)
        extra_md = " %d hits the scan could not parse (scan.json)." % n
    changes = base_tree = None
    base = os.environ.get("BASE", "").strip()
    if base:
        root = os.path.dirname(pt.report_dir(kdir))
        bdir = resolve_base(base, root)
        if os.path.realpath(bdir) == os.path.realpath(rdir):
            die("BASE=%s is the tree being reported" % base)
        bplan, _, bfamily = load_report(bdir, "")
        bacqs, brels = build(bplan, bfamily, {})
        if paths:
            bacqs, brels = in_paths(bacqs, paths), in_paths(brels, paths)
        changes = compare(bacqs, acqs) + compare(brels, rels)
        changes.sort(key=lambda c: (CHANGE_ORDER[c[0]], (c[2] or c[1]).kind,
                                    (c[2] or c[1]).section,
                                    (c[2] or c[1]).file,
                                    (c[2] or c[1]).line, (c[1] or c[2]).line))
        base_tree = bplan.get("tree", {})
    page = render_html(tree, acqs, rels, rows, extra, changes, base_tree,
                       scope)
    mdtext = render_md(tree, acqs, rels, rows, extra_md, changes, base_tree,
                       scope)
    # Both temp files first, then both renames: never one without the other.
    os.makedirs(outdir, exist_ok=True)
    tmps = []
    try:
        for name, data in (("index.html", page), ("report.md", mdtext)):
            tmp = os.path.join(outdir, ".%s.tmp.%d" % (name, os.getpid()))
            tmps.append((tmp, os.path.join(outdir, name)))
            with open(tmp, "w") as f:
                f.write(data)
        for tmp, final in tmps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    print("pinconv: report: %s (%d acquisition, %d release sites)" % (
        os.path.join(outdir, "index.html"), len(acqs), len(rels)))
    return 0


if __name__ == "__main__":
    pt.run_main(main)
