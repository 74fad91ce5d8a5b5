#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""plan.py — where every acquired page is released, and what may change.

    make plan [KDIR=...] [OUT=...] [API=...]

1. scan.json (scripts/scan.py; run here unless scan.key says it describes
   the tree as it is now: same content, same scan rules, same API=);
2. facts and the page-flow graph (scripts/facts.py: spatch fact rules over
   the candidate files, iterated until no new carrier appears);
3. the solver (scripts/pinflow/pinflow): origins reaching each release,
   the releases each acquisition reaches, a verdict and its chain;
4. plan.json (scripts/schema/plan.schema.json) and plan.md, grouped by
   MAINTAINERS section, written atomically; verdict counts on stdout.

plan.json releases[]: file, line, col (spatch's column of the call name),
function, call, verdict, origins, chain [{file, line, what}] from an
acquisition to the release (a dirty loop and any get_page()/escape are
appended as hops), reason, subsystem; and, for the rewriter, expr (the
page expression released), dirty_loop, acquisitions ["file:line"], uses,
other_origins and other_chain (MIXED: where the other pages come from).
acquisitions[]: every scan.json site, with the releases its pages reach
(file:line) or a note saying why none was found, and kinds; and what the
pages are for (judge()): use, lifetime, written, iter_kinds, pin_flags,
evidence.  A KEEP_GET release says its case (follow_use()).

PINCONV_TIMES=1 prints the phase times; PINCONV_KEEP_GRAPH=1 keeps the
page-flow graph (graph.json) next to plan.json.
"""

import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kapi  # noqa: E402
import pinconv_tree as pt  # noqa: E402
import facts  # noqa: E402
import plan_reuse  # noqa: E402
import scan as scanner  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINFLOW = os.path.join(TOP, "scripts/pinflow/pinflow")
VERDICTS = kapi.VERDICTS


def start_scan(kdir, rdir):
    """make scan in the background when rdir has no fresh scan.json (the
    Popen, or None)."""
    if scanner.is_fresh(kdir, rdir, os.environ.get("API") or None):
        return None
    env = dict(os.environ, KDIR=kdir, OUT=rdir, PINCONV_QUIET="1")
    return subprocess.Popen([sys.executable, os.path.join(TOP, "scripts/scan.py")],
                            env=env, stdout=subprocess.DEVNULL)


def load_scan(kdir, rdir, proc):
    """scan.json of rdir, once proc (start_scan()'s, or None) is done."""
    path = os.path.join(rdir, "scan.json")
    if proc is not None:
        rc = proc.wait()
        if rc not in (0, 1) or not os.path.isfile(path):
            pt.die("scan failed for %s (exit %d)" % (kdir, rc))
    try:
        with open(path) as f:
            scan = json.load(f)
    except (OSError, ValueError) as e:
        pt.die("%s: unreadable scan (%s)" % (path, e))
    if scan.get("schema") != "pinconv-scan/1":
        pt.die("%s: not a pinconv scan" % path)
    return scan


def need_pinflow():
    if not os.path.isfile(PINFLOW) or not os.access(PINFLOW, os.X_OK):
        r = subprocess.run(["make", "-s", "-C", os.path.dirname(PINFLOW)],
                           stdout=subprocess.DEVNULL)
        if r.returncode or not os.path.isfile(PINFLOW):
            pt.die("cannot build scripts/pinflow (libjansson-dev? run scripts/deps.sh)")


def solve(graph, workdir):
    gpath = os.path.join(workdir, "graph.json")
    spath = os.path.join(workdir, "solution.json")
    with open(gpath, "w") as f:
        f.write(json.dumps(graph))      # dumps: the C encoder
    t = time.time()
    r = subprocess.run([PINFLOW, gpath, spath], stderr=subprocess.PIPE, text=True)
    if r.returncode:
        pt.die("pinflow failed: %s" % r.stderr.strip())
    with open(spath) as f:
        return json.load(f), time.time() - t


def hops_of(graph, ids):
    out = []
    for h in ids:
        hop = graph["hops"][h]
        if hop["file"]:
            out.append({"file": hop["file"], "line": hop["line"], "what": hop["what"]})
    return out


def build_plan(kdir, scan, fx, graph, sol, maint):
    rels, seen = [], set()
    acq_sites = fx.acq_order
    for i, r in enumerate(graph["releases"]):
        res = sol["releases"][i]
        if not res["acqs"]:
            continue            # no acquisition reaches it: not ours
        key = (r["file"], r["line"], r["col"])
        if key in seen:
            continue
        seen.add(key)
        chain = hops_of(graph, res["chain"])
        if r["dirty_loop"]:
            chain.append({"file": r["file"], "line": r["line"],
                          "what": "dirty loop: set_page_dirty + put_page over %s" %
                          facts._short(r["expr"])})
        acqs = sorted(set("%s:%d" % acq_sites[a][:2] for a in res["acqs"]))
        other = res["other_origin"]
        item = {
            "file": r["file"], "line": r["line"], "col": r["col"],
            "function": r["function"], "call": r["call"],
            "verdict": res["verdict"], "origins": sorted(res["origins"]),
            "chain": chain, "reason": res["reason"],
            "subsystem": maint.section_of(r["file"]),
            "expr": facts._short(r["expr"], 200),
            "dirty_loop": bool(r["dirty_loop"]),
            "acquisitions": acqs,
            "uses": sorted(res["flags"]),
        }
        if other:
            item["other_origins"] = sorted(o for o in res["origins"]
                                           if o not in ("gup", "pin", "extract"))
            item["other_chain"] = hops_of(graph, res["other_chain"])
        for f, h in sorted(res["flag_hops"].items()):
            hop = graph["hops"][h]
            if f in ("getref", "escape") and hop["file"]:
                item["chain"].append({"file": hop["file"], "line": hop["line"],
                                      "what": "%s: %s" % (f, hop["what"])})
        rels.append(item)
    rels.sort(key=lambda x: (x["file"], x["line"], x["col"]))
    by_loc = {}
    for r in rels:
        by_loc.setdefault("%s:%d" % (r["file"], r["line"]), r)
    by_site = {}
    for a, site in enumerate(acq_sites):
        by_site[site] = a
    acqs = []
    for s in scan["sites"]:
        site = (s["file"], s["line"], s["col"])
        item = {"file": s["file"], "line": s["line"], "col": s["col"],
                "function": s["function"], "api": s["api"],
                "subsystem": s.get("subsystem") or maint.section_of(s["file"])}
        a = by_site.get(site)
        if a is None and s["function"] in scan.get("family", {}):
            item["releases"] = []
            item["note"] = "inside %s(), itself a GUP-family function: its callers are the sites" % s["function"]
        elif a is None:
            item["releases"] = []
            item["note"] = "not seen by the fact rules (spatch could not match this call)"
        else:
            res = sol["acquisitions"][a]
            item["releases"] = sorted(set(
                "%s:%d" % (graph["releases"][r]["file"], graph["releases"][r]["line"])
                for r in res["releases"]))
            info = fx.acq.get(site, {})
            if not item["releases"]:
                item["note"] = info.get("note") or \
                    "no release found (pages leave the analysed code: %s)" % (
                        ", ".join(res["flags"]) or "no use seen")
            item["kinds"] = sorted(res["kinds"])
            item.update(judge(s, item, res, graph, by_loc, info.get("pages")))
        acqs.append(item)
    acqs.sort(key=lambda x: (x["file"], x["line"], x["col"]))
    follow_use(rels, acqs)
    return rels, acqs


def follow_use(rels, acqs):
    """Verdicts that follow the judgements: a CONVERT release whose pages
    all come from read-only peeks (cpu-read, short, not written) keeps
    FOLL_GET: a pin gains nothing for a short CPU read, and a read-only
    FOLL_PIN can unshare COW-shared anonymous pages (gup_must_unshare())."""
    by = {"%s:%d" % (a["file"], a["line"]): a for a in acqs}
    for r in rels:
        if r["verdict"] == "KEEP_GET":
            r["case"] = "metadata"
        if r["verdict"] != "CONVERT" or not r["acquisitions"]:
            continue
        srcs = [by.get(x) for x in r["acquisitions"]]
        if all(a is not None and a.get("use") == "cpu-read" and a.get("lifetime") == "short"
               and a.get("written") is False for a in srcs):
            r["verdict"] = "KEEP_GET"
            r["case"] = "read-only peek"
            r["reason"] = ("read-only peek: every page it sees is read by the CPU and "
                           "released before the acquiring call returns, without FOLL_WRITE; "
                           "it stays FOLL_GET (a read-only FOLL_PIN can unshare COW-shared "
                           "anonymous pages)")


USE_CLASSES = ("dma", "dio", "cpu-write", "cpu-read", "metadata", "none", "unknown")
FIELD_STORE = re.compile(r"(->|\.)\w+(\[[^]]*\])? = ")
ITER_KIND = {"gup": "user", "bvec": "bvec", "kvec": "kvec", "pipe": "pipe",
             "pagecache": "pagecache", "iter": "unknown"}


def judge(site, item, res, graph, by_loc, pages=None):
    """What an acquisition's pages are for (plan.schema.json: use,
    lifetime, written, iter_kinds, pin_flags, evidence), from its GUP flags,
    the uses the solver found on its pages and the chains of the releases
    it reaches."""
    where = "%s:%d" % (site["file"], site["line"])
    ev = {}
    flags = site.get("flags") or ""
    words = set(re.findall(r"\w+", flags))
    is_iter = site["api"].startswith("iov_iter_")
    if "FOLL_WRITE" in words:
        written = True
        ev["written"] = "%s %s(..., FOLL_WRITE)" % (where, site["api"])
    elif not is_iter and words and all(w.startswith("FOLL_") or w == "0" for w in words):
        written = False
        ev["written"] = "%s %s(..., %s): no FOLL_WRITE" % (where, site["api"], flags)
    else:
        written = None
        ev["written"] = "%s %s(): %s" % (where, site["api"], "the iterator's direction decides"
                                         if is_iter else "flags %s not known here" % (flags or "?"))
    hops = {f: graph["hops"][h] for f, h in res.get("flag_hops", {}).items()}

    def hop_text(f):
        h = hops[f]
        return "%s:%d %s" % (h["file"], h["line"], h["what"])
    fl = set(res["flags"])
    if "dma" in fl:
        what = hops["dma"]["what"] if "dma" in hops else ""
        use = "dio" if re.match(r"_*(bio|bvec)_", what) else "dma"
        ev["use"] = hop_text("dma") if "dma" in hops else where
    elif "cpu" in fl:
        use = "cpu-read" if written is False else "cpu-write"
        ev["use"] = hop_text("cpu") if "cpu" in hops else where
    elif "meta" in fl:
        use = "metadata"
        ev["use"] = hop_text("meta") if "meta" in hops else where
    elif item["releases"] and "escape" not in fl:
        use = "none"
        ev["use"] = "%s: no use of the data seen before its releases" % where
    else:
        use = "unknown"
        ev["use"] = hop_text("escape") if "escape" in hops else \
            "%s: no release and no use seen" % where
    rels = [by_loc[r] for r in item["releases"] if r in by_loc]
    if "FOLL_LONGTERM" in words:
        lifetime = "long"
        ev["lifetime"] = "%s %s(..., FOLL_LONGTERM)" % (where, site["api"])
    elif pages and re.search(r"(->|\.)\s*\w+", pages):
        # GUP fills an object's array (ne_mem_region->pages + i).
        lifetime = "long"
        ev["lifetime"] = "%s %s(%s): kept in an object" % (where, site["api"],
                                                          facts._short(pages))
    elif not rels:
        lifetime = "unknown"
        ev["lifetime"] = "%s: no release found" % where
    elif is_iter:
        # An iterator's pages serve the I/O it describes (fuse's cs->pg
        # is the copy state's, not an object outliving the request).
        lifetime = "short"
        ev["lifetime"] = "%s %s(): an iov_iter's pages are held for its I/O" % (
            where, site["api"])
    else:
        stored = [c for r in rels for c in r["chain"] if FIELD_STORE.search(c["what"])]
        if stored:
            lifetime = "long"
            ev["lifetime"] = "%s:%d %s: kept in an object" % (
                stored[0]["file"], stored[0]["line"], stored[0]["what"])
        else:
            lifetime = "short"
            ev["lifetime"] = "%s:%d %s: released with no object holding the pages" % (
                rels[0]["file"], rels[0]["line"], rels[0]["call"])
    pin_flags = []
    if written:
        pin_flags.append("FOLL_WRITE")
    if lifetime == "long":
        pin_flags.append("FOLL_LONGTERM")
    if written and use in ("dma", "dio", "cpu-write"):
        pin_flags.append("DIRTY_RELEASE")
    out = {"use": use, "lifetime": lifetime, "written": written,
           "pin_flags": pin_flags, "evidence": ev}
    if is_iter:
        out["iter_kinds"] = sorted(set(ITER_KIND[k] for k in item.get("kinds", ())
                                       if k in ITER_KIND))
    return out


KEEP_GET_TEXT = """\
## How KEEP_GET is told apart, and what the engine cannot tell

A release is CONVERT only when every page reaching it comes from a FOLL_GET
acquisition and the data of those pages is accessed: by a device (DMA/DIO:
`sg_set_page`, `sg_alloc_table_from_pages`, `dma_map_page`, `bio_add_page`,
`skb_fill_page_desc`, `vm_insert_page`, `page_to_phys` - pin_user_pages.rst
cases 1-2) or by the CPU (`kmap*`, `page_address`, `copy_page_*_iter`,
`memcpy_*_page`, `flush_dcache_page` - case 5, writes through kmap need a
pin).  Uses are collected over every carrier an acquisition's pages reach,
through locals, arrays, struct fields, calls and returns.

KEEP_GET: every use found is struct page metadata or the pfn only
(`page_to_pfn`, `page_count`, `PageAnon`, `page_to_nid`, ... - cases 3-4:
MMU-notifier users and struct page manipulation keep FOLL_GET).  Calls
that return no pages (pages argument NULL) have no release and appear
among the acquisitions with a note.

The engine cannot tell:
- a pfn that is later handed to hardware (`page_to_pfn` fed to an IOMMU or
  a PTE) from a pfn used as a key: both count as metadata, so such sites
  come out KEEP_GET and need a human;
- uses hidden behind function pointers it cannot resolve (not an ops
  table initialised with `.member = fn`): they make ESCAPES;
- pages whose use is only in a file it never reads (a callee outside the
  candidates) - "no use of the data seen" is then said in the reason, and
  the verdict stays CONVERT;
- flow-sensitive facts beyond locals: a local `struct page *` has one
  node per definition (defuse.cocci: which assignment reaches which use,
  so `page` holding an alloc_page() page on one path and a GUP page on
  another keeps them apart), but a struct field, an array or a folio
  local that holds a GUP page on one path and a page-cache page on
  another is MIXED even if the paths never meet;
- an address or pfn turned back into a page (`virt_to_page(va)`,
  `pfn_to_page(pfn)`) is the page `page_address()`/`kmap()` (anywhere) or
  `page_to_pfn()` (in the same file) gave when the walk reaches `va` or
  `pfn` from one; a kmalloc() buffer or a device pfn held in the same
  variable carries no origin the walk can see, so such a release may miss
  the "virt" pages it also drops.  In lib/ and include/ (a KVEC's
  addresses) and for a struct field no address store in the same file
  feeds, the page is of origin "virt";
- pages in an skb's frags are followed within the functions that hold the
  skb (`skb_fill_page_desc*`, `__skb_frag_set_page`, `skb_frag_unref`);
  the functions an skb is handed to (the network stack, kfree_skb() and
  skb_release_data()) are not searched for, so a zero-copy sender's pages
  reach only the releases next to the fill (`page_ref_sub()` of coalesced
  frags in zerocopy_fill_skb_from_iter());
- a call through a member (`rs->rs_transport->get_mr()`) dispatches to
  every function a `.member = fn` initialiser in the caller's directory
  assigns (net/rds/ib.c for net/rds/rdma.c); initialisers elsewhere in the
  tree are not searched;
- which iov_iter type reaches an `iov_iter_get_pages*` call from outside
  the tree's callers it read (a `->read_iter` parameter): that is the
  `iter` origin, and the release is MIXED (it must become conditional on
  `iov_iter_extract_will_pin()`).
"""


USE_TEXT_HEAD = """\
## What the pages are for (use, lifetime, written)

Each acquisition says what its pages are used for (`use`), how long they
are held (`lifetime`), whether they are written (`written`), which
iterator kinds reach an iov_iter user (`iter_kinds`), what a pin would
need (`pin_flags`), and the `file:line` behind each answer (`evidence`).
"""

USE_TEXT_TAIL = """\
The engine cannot tell:
- `dio` from `dma` beyond the call that takes the pages: a page put in a
  bio or bvec (`bio_add_page`, `bvec_set_page`) is `dio`, one put in an sg
  table, an skb or mapped for a device is `dma`;
- a CPU read from a CPU write: `cpu-read` only when the acquisition has
  literal GUP flags without FOLL_WRITE, `cpu-write` otherwise (a pin is
  then the safe answer);
- `written` of an iov_iter user: the iterator's direction (ITER_SOURCE or
  ITER_DEST) is its callers', so it is null;
- `lifetime`: `long` with FOLL_LONGTERM, when GUP fills a struct field's
  array, or when a release's chain stores the pages in a struct field
  (an iov_iter user's are `short`: held for the I/O the iterator serves), `short` when no object holds them on the
  way to their releases, `unknown` without a release; a pin held across
  system calls through a local is not seen;
- `iter_kinds`: `user` is ITER_UBUF or ITER_IOVEC (iov_iter_init,
  import_*, iov_iter_ubuf, or a parameter its function tests with
  `user_backed_iter()`/`iter_is_ubuf()`/`iter_is_iovec()` - the test's
  branch is taken to refuse the others, as in fuse's /dev/fuse
  read_iter/write_iter); `unknown` is an iterator whose set-up is in a
  caller it did not read;
- verdicts follow only the read-only peek: a release whose pages all come
  from `cpu-read`, `short`, unwritten acquisitions is KEEP_GET (case
  "read-only peek"); `none` (pages compared or handed on, no use seen)
  stays CONVERT, since a callee it did not read may still do DMA, and a
  long-lived or written page's FOLL_LONGTERM and dirty release are in
  `pin_flags` for the rewriter, not in the verdict.
"""


def render_md(plan, stats):
    out = ["# pinconv plan: %s (%s)\n" % (plan["tree"]["path"], plan["tree"]["version"]),
           "API profile: %s, iov_iter_extract_pages: %s\n" % (
               plan["tree"]["api_profile"], "yes" if plan["tree"]["extract_api"] else "no")]
    counts = collections.Counter(r["verdict"] for r in plan["releases"])
    out.append("| verdict | releases |\n|---|---|")
    for v in VERDICTS:
        out.append("| %s | %d |" % (v, counts.get(v, 0)))
    noreach = sum(1 for a in plan["acquisitions"] if not a["releases"])
    out.append("\n%d acquisitions, %d without a release found; %d files analysed.\n" % (
        len(plan["acquisitions"]), noreach, stats.get("files", 0)))
    if stats.get("failed"):
        out.append("Files spatch gave up on (their facts are missing): %s\n" % ", ".join(
            "%s (%s)" % (f, why) for f, why in sorted(stats["failed"].items())))
    bysub = collections.defaultdict(lambda: ([], []))
    for r in plan["releases"]:
        bysub[r["subsystem"]][0].append(r)
    for a in plan["acquisitions"]:
        bysub[a["subsystem"]][1].append(a)
    for sub in sorted(bysub):
        rels, acqs = bysub[sub]
        out.append("## %s\n" % sub)
        if rels:
            out.append("| release | call | verdict | origins | reason |\n|---|---|---|---|---|")
            for r in rels:
                out.append("| %s:%d %s() | %s(%s)%s | %s | %s | %s |" % (
                    r["file"], r["line"], r["function"], r["call"], r["expr"],
                    " (dirty loop)" if r["dirty_loop"] else "", r["verdict"],
                    ", ".join(r["origins"]), r["reason"].replace("|", "/")))
            out.append("")
        if acqs:
            out.append("Acquisitions:\n")
            for a in acqs:
                out.append("- %s:%d %s() %s -> %s" % (
                    a["file"], a["line"], a["function"], a["api"],
                    ", ".join(a["releases"]) or ("none: " + a.get("note", ""))))
            out.append("")
    out.append(USE_TEXT_HEAD)
    per = collections.Counter(a.get("use") for a in plan["acquisitions"] if a.get("use"))
    out.append("| use | acquisitions |\n|---|---|")
    for u in USE_CLASSES:
        out.append("| %s | %d |" % (u, per.get(u, 0)))
    out.append("")
    out.append(USE_TEXT_TAIL)
    out.append(KEEP_GET_TEXT)
    return "\n".join(out) + "\n"


def main():
    kdir = pt.check_tree(pt.default_kdir())
    api = os.environ.get("API") or None
    info = pt.tree_info(kdir, api)
    rdir = pt.report_dir(kdir, os.environ.get("OUT") or None)
    need_pinflow()
    fam = pt.gup_family(kdir)
    if not fam:
        pt.die("%s declares no get_user_pages family in %s" %
               (kdir, " or ".join(pt.FAMILY_HEADERS)), 1)
    stats = {}
    with tempfile.TemporaryDirectory(prefix="pinconv-plan.") as wd:
        # The facts first: their first round's spatch runs the scan's
        # rule too and caches its records, so the scan, started then
        # beside the later rounds, parses nothing again.
        t1 = time.time()
        scan_proc = []
        try:
            fx, g = facts.collect(kdir, fam, wd, stats, after_first=lambda:
                                  scan_proc.append(start_scan(kdir, rdir)))
        except BaseException:
            for p in scan_proc:
                if p is not None:
                    p.terminate()
                    p.wait()
            raise
        graph = g.to_json()
        t_facts = time.time() - t1
        t0 = time.time()
        # No round ran (no candidate): the scan starts now.
        scan = load_scan(kdir, rdir, scan_proc[0] if scan_proc else start_scan(kdir, rdir))
        t_scan = time.time() - t0
        if os.environ.get("PINCONV_KEEP_GRAPH"):
            pt.write_atomic(os.path.join(rdir, "graph.json"), json.dumps(graph))
        sol, t_solve = solve(graph, wd)
    maint = pt.Maintainers(kdir)
    rels, acqs = build_plan(kdir, scan, fx, graph, sol, maint)
    plan = {"schema": "pinconv-plan/1", "tree": info,
            "releases": rels, "acquisitions": acqs}
    pt.write_atomic(os.path.join(rdir, "plan.json"), pt.dump_json(plan))
    pt.write_atomic(os.path.join(rdir, "plan.md"), render_md(plan, stats))
    plan_reuse.record(kdir, rdir, stats, fam)
    counts = collections.Counter(r["verdict"] for r in rels)
    print("plan: %s: %d releases (%s), %d acquisitions, %d without release; "
          "%d files, %d rounds" % (
              os.path.join(rdir, "plan.json"), len(rels),
              ", ".join("%s %d" % (v, counts[v]) for v in VERDICTS if counts[v]),
              len(acqs), sum(1 for a in acqs if not a["releases"]),
              stats.get("files", 0), stats.get("rounds", 0)))
    if os.environ.get("PINCONV_TIMES"):
        print("times: scan %.1f s, facts %.1f s, solve %.2f s, nodes %d, edges %d" % (
            t_scan, t_facts, t_solve, len(graph["nodes"]), len(graph["edges"])))
    return 0


if __name__ == "__main__":
    pt.run_main(main)
