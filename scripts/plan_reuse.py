#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""plan_reuse.py — can a changed git tree keep its last plan?

A plan is a function of what scan.py and facts.py read of the tree: the
facts and scan records of the files analysed, the designated initialisers
of those files (ops tables), and, of every other file, only whether it
matches one of the patterns the run searched with (GUP-family names, the
page-file patterns, each round's def/call/field patterns, the shared-struct
definitions), plus a few files read whole (MAINTAINERS, the top Makefile,
mm.h, uio.h, the bio headers).  record() writes that down next to plan.json
(plan-state.json); check() answers, for the tree as it is now, whether any
of it changed:

- a file read whole changed: no;
- an analysed file changed: its facts, scan records (spatch, cached by
  content), ops tables and candidate status must all be what they were
  (a comment, or an edit that moves no page, keeps them);
- any other file changed (git diff against the tree the plan was made
  from, plus files dirty or untracked then or now): its new content must
  match none of the patterns.

Then the plan, made from the same inputs, would be the same: lint reuses
it (make lint SINCE= on a one-commit range touching no page flow takes
seconds).  Anything else, or a tree without git, means a new plan.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinconv_tree as pt  # noqa: E402
import facts  # noqa: E402
import scan  # noqa: E402

SCHEMA = "pinconv-plan-state/1"
READ_WHOLE = ("MAINTAINERS", "Makefile", "block/blk.h", "block/bio.c",
              "include/linux/bio.h") + pt.FAMILY_HEADERS
PAGE_PATTERNS = facts.PAGE_PATTERNS


ENGINE = ("scripts/plan.py", "scripts/facts.py", "scripts/scan.py",
          "scripts/pinconv_tree.py", "scripts/plan_reuse.py", "scripts/pinflow",
          "semantic-patches/scan", "semantic-patches/facts")


def engine_key():
    """A hash of the analysis' own files and API=: a plan made by another
    version of them is not reused."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha1()
    for e in ENGINE:
        path = os.path.join(top, e)
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs
            if f.endswith((".c", ".h", ".cocci", ".py")))
        for fn in files:
            with open(fn, "rb") as f:
                h.update(fn.encode() + b"\0" + f.read())
    h.update((os.environ.get("API") or "").encode())
    return h.hexdigest()


def _git(kdir, *args):
    r = subprocess.run(["git", "-C", kdir] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout if r.returncode == 0 else None


def _git_state(kdir):
    if (_git(kdir, "rev-parse", "--is-inside-work-tree") or "").strip() != "true":
        return None
    tree = (_git(kdir, "rev-parse", "HEAD^{tree}") or "").strip()
    dirty = _git(kdir, "diff", "--no-renames", "--name-only", "HEAD", "--relative", "--")
    untracked = _git(kdir, "ls-files", "-o", "--exclude-standard", "--", "*.c", "*.h")
    if not tree or dirty is None or untracked is None:
        return None
    return {"tree": tree, "dirty": sorted(dirty.split()),
            "untracked": sorted(untracked.split())}


def _read(kdir, f):
    try:
        with open(os.path.join(kdir, f), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _sha(data):
    return hashlib.sha1(data).hexdigest() if data is not None else "-"


def _ops_hash(text):
    return hashlib.sha1(json.dumps(sorted(set(facts.ops_pairs(text)))).encode()).hexdigest()


def _digests(recs, files):
    """{file: hash of its records}, for each of files."""
    rows = {f: [] for f in files}
    for r in recs:
        if r.get("file") in rows:
            rows[r["file"]].append(json.dumps(r, sort_keys=True))
    return {f: hashlib.sha1("\n".join(sorted(x)).encode()).hexdigest()
            for f, x in rows.items()}


def _facts_hashes(kdir, files, family, workdir):
    """The facts of files (the per-file cache, or spatch), hashed."""
    recs = facts.run_facts(kdir, files, tempfile.mkdtemp(dir=workdir), {}, family)
    return _digests(recs, files)


def _scan_hashes(kdir, files, family, workdir):
    """spatch's GUP calls in each of files, and the calls the scan's token
    check sees (a call spatch missed becomes an `unparsed` entry)."""
    recs, failed = scan.run_spatch(kdir, files, family, tempfile.mkdtemp(dir=workdir))
    out = {}
    for f, h in _digests(recs, files).items():
        text = (_read(kdir, f) or b"").decode(errors="replace")
        hits = sorted(scan.token_hits(pt.strip_comments(text), family))
        out[f] = h + ("!" if f in failed else "") + \
            hashlib.sha1(json.dumps(hits).encode()).hexdigest()
    return out


def record(kdir, rdir, stats, family):
    """After a full plan: write plan-state.json (nothing without git)."""
    path = os.path.join(rdir, "plan-state.json")
    g = _git_state(kdir)
    st = stats.get("state")
    if g is None or st is None:
        if os.path.exists(path):
            os.unlink(path)
        return
    with tempfile.TemporaryDirectory(prefix="pinconv-state.") as wd:
        fhash = _facts_hashes(kdir, st["done"], family, wd)
        cands = _scan_hashes(kdir, st["candidates"], family, wd)
    done = {}
    for f in st["done"]:
        data = _read(kdir, f)
        done[f] = {"sha": _sha(data), "facts": fhash[f],
                   "ops": _ops_hash(data.decode(errors="replace") if data else "")}
    whole = {f: _sha(_read(kdir, f)) for f in READ_WHOLE}
    state = {"schema": SCHEMA, "engine": engine_key(), "git": g,
             "plan": _sha(_read(rdir, "plan.json")),
             "family": sorted(family), "pats": sorted(set(st["pats"])),
             "shared": st["shared"], "done": done, "candidates": cands,
             "whole": whole}
    pt.write_atomic(path, json.dumps(state, sort_keys=True) + "\n")


def _matches(f, text, family, rx_family, rx_page, rx_pats, rx_shared):
    """Could this content of f (not analysed) change the plan?"""
    if rx_family.search(text) and scan.calls_any(text, family):
        return "it calls a GUP-family function"
    if rx_page.search(text) and rx_pats and rx_pats.search(text):
        return "it matches a pattern the plan searched for new files with"
    if rx_shared and f.startswith("include/") and rx_shared.search(text):
        return "it defines a struct the plan looked up"
    return None


def check(kdir, rdir):
    """(True, message) when the plan in rdir still holds for kdir as it is;
    (False, why) otherwise."""
    path = os.path.join(rdir, "plan-state.json")
    try:
        with open(path) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return False, "no plan state"
    if state.get("schema") != SCHEMA or state.get("engine") != engine_key():
        return False, "the plan was made by another pinconv or API="
    if state.get("plan") != _sha(_read(rdir, "plan.json")):
        return False, "plan.json is not the one the state describes"
    g = _git_state(kdir)
    if g is None:
        return False, "not a git work tree"
    for f, sha in state["whole"].items():
        if _sha(_read(kdir, f)) != sha:
            return False, "%s changed" % f
    old = state["git"]
    diff = _git(kdir, "diff", "--no-renames", "--name-only", old["tree"], "--relative", "--")
    if diff is None:
        return False, "git diff against the planned tree failed"
    changed = set(diff.split()) | set(old["dirty"]) | set(g["dirty"]) | \
        set(old["untracked"]) | set(g["untracked"])
    changed = sorted(f for f in changed if f.endswith((".c", ".h")) and
                     not f.startswith(scan.EXCLUDE_DIRS))
    done, cands = state["done"], state["candidates"]
    rx_family = re.compile(r"\b(%s)\b" % "|".join(map(re.escape, state["family"])))
    rx_page = re.compile("|".join("(?:%s)" % p for p in PAGE_PATTERNS))
    rx_pats = re.compile("|".join("(?:%s)" % p for p in state["pats"]), re.M) \
        if state["pats"] else None
    rx_shared = re.compile(r"^struct (%s) \{" % "|".join(map(re.escape, state["shared"])),
                           re.M) if state["shared"] else None
    family = dict.fromkeys(state["family"])
    with tempfile.TemporaryDirectory(prefix="pinconv-reuse.") as wd:
        for f in changed:
            data = _read(kdir, f)
            if f in done:
                d = done[f]
                if data is None:
                    return False, "%s (analysed) was removed" % f
                if _sha(data) == d["sha"]:
                    continue
                text = data.decode(errors="replace")
                if (f in cands) != scan.calls_any(text, family):
                    return False, "%s: whether it calls a GUP-family function changed" % f
                if _ops_hash(text) != d["ops"]:
                    return False, "%s: its ops tables changed" % f
                if _facts_hashes(kdir, [f], family, wd)[f] != d["facts"]:
                    return False, "%s: its facts changed" % f
                if f in cands and _scan_hashes(kdir, [f], family, wd)[f] != cands[f]:
                    return False, "%s: its GUP calls changed" % f
                if rx_shared and f.startswith("include/") and rx_shared.search(text):
                    return False, "%s: it defines a struct the plan looked up" % f
                continue
            why = data is not None and _matches(f, data.decode(errors="replace"),
                                                family, rx_family, rx_page, rx_pats,
                                                rx_shared)
            if why:
                return False, "%s: %s" % (f, why)
    return True, "%d changed file(s), none can change the plan" % len(changed)
