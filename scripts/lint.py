#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make lint — a CI gate over the provenance plan (report only).

    make lint [KDIR=...] [SINCE=rev] [FORMAT=gcc|json|sarif] [BASELINE=file]
    make lint-baseline [KDIR=...] [BASELINE=file]

Reads reports/<tree-id>/plan.json (running scripts/plan.py first, which
reuses its own caches; on a git tree changed since that plan, the plan is
kept when scripts/plan_reuse.py finds that no change can alter it) and
turns it into findings:

  error    pinconv-MISMATCH     a release whose verdict is MISMATCH: pinned
                                pages released by put_page()/release_pages(),
                                or FOLL_GET pages released by unpin_*(); the
                                evidence chain follows as notes.
  warning  pinconv-CONVERTIBLE  a get_user_pages*/iov_iter_get_pages* call
                                whose releases could move to pins on this
                                tree (it has the newer API).
  note     pinconv-<VERDICT>    every other release site, and acquisitions
                                without a known release.  Off unless NOTES=1.

SINCE=rev keeps only findings whose site or chain touches a line changed
since rev (git diff -U0 rev, working tree included); the analysis still
covers the whole tree.  BASELINE=file suppresses findings by fingerprint:
a hash of rule, file, function, call, verdict and the chain's hops with
line numbers removed, so moving code does not resurrect them.

Output: FORMAT= on stdout; all three, atomically, in reports/<tree-id>/
(or OUT=): lint.txt (gcc), lint.json, lint.sarif.
Exit 0 clean, 1 error-level findings, 2 usage or tool errors.  Columns
are 1-based, as gcc and SARIF count.
"""

import hashlib
import json
import os
import re
import subprocess
import sys

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPTS)
import pinconv_tree as pt  # noqa: E402
import plan_reuse  # noqa: E402

FORMATS = ("gcc", "json", "sarif")
LEVEL_RANK = {"error": 0, "warning": 1, "note": 2}
INFO_URI = "https://www.kernel.org/doc/html/latest/core-api/pin_user_pages.html"

RULES = {
    "pinconv-MISMATCH": (
        "error", "PinReleaseMismatch",
        "Pages released with the wrong call for how they were acquired",
        "Pages pinned with pin_user_pages*() or FOLL_PIN must be released "
        "with unpin_user_page*(); pages taken with get_user_pages*() "
        "(FOLL_GET) must be released with put_page()/release_pages(). "
        "A mismatch corrupts the page's pin count (GUP_PIN_COUNTING_BIAS) "
        "and breaks page_maybe_dma_pinned()."),
    "pinconv-CONVERTIBLE": (
        "warning", "ConvertibleToPin",
        "Page references that could become pins on this tree",
        "This get_user_pages*()/iov_iter_get_pages*() caller holds page "
        "references whose releases the provenance plan can convert to "
        "pin_user_pages*()/unpin_user_page*() (or iov_iter_extract_pages() "
        "with a conditional unpin); see Documentation/core-api/"
        "pin_user_pages.rst.  Run make convert for the subsystem."),
    "pinconv-NOTE": (
        "note", "ProvenanceNote",
        "Provenance plan verdict, for information",
        "A release or acquisition site the plan classified without a "
        "problem to fix: already pinned, kept as a reference, escaping, "
        "mixed origins or unknown."),
}


def die(msg, code=2):
    print("pinconv: " + msg, file=sys.stderr)
    sys.exit(code)


# ---------------------------------------------------------------- input

def get_kdir():
    kdir = os.environ.get("KDIR", "")
    if not kdir:
        try:
            kdir = subprocess.run(
                [os.path.join(SCRIPTS, "default-tree.sh"), "6.12"],
                check=True, stdout=subprocess.PIPE,
                universal_newlines=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            die("no KDIR= given and the default tree is not available")
    return pt.check_tree(kdir)


def git(kdir, *args):
    return subprocess.run(["git", "-C", kdir] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, errors="replace")


def check_since(kdir, rev):
    """Fail early (exit 2) when SINCE= cannot be answered."""
    r = git(kdir, "rev-parse", "--is-inside-work-tree")
    if r.returncode != 0 or r.stdout.strip() != "true":
        die("SINCE=%s needs git history, but KDIR=%s is not a git work tree"
            % (rev, kdir))
    r = git(kdir, "rev-parse", "--verify", "--quiet", rev + "^{commit}")
    if r.returncode != 0:
        die("SINCE=%s: no such revision in %s" % (rev, kdir))
    return r.stdout.strip()


def changed_lines(kdir, rev):
    """{relpath: set(lines)} of the new side of git diff -U0 rev (working
    tree included).  A pure deletion marks the lines on both sides of the
    hole, so a finding next to removed code still counts as touched."""
    r = git(kdir, "diff", "--relative", "--no-color", "--no-ext-diff",
            "--no-renames", "-U0", rev, "--")
    if r.returncode != 0:
        die("SINCE=%s: git diff failed: %s" % (rev, r.stderr.strip()[:200]))
    changed, cur = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("+++ "):
            path = line[4:]
            cur = None if path == "/dev/null" else \
                changed.setdefault(path[2:] if path.startswith("b/") else path,
                                   set())
        elif line.startswith("@@ ") and cur is not None:
            m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            if not m:
                continue
            start, count = int(m.group(1)), int(m.group(2) or "1")
            if count == 0:
                cur.update((start, start + 1))
            else:
                cur.update(range(start, start + count))
    return changed


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        die("%s %s: %s" % (what, path, e.strerror))
    except ValueError as e:
        die("%s %s: not valid JSON (%s)" % (what, path, e))


def state_key(kdir):
    """A key for "this tree's content, analysed by this pinconv" (None when
    the tree cannot be read: then the plan is always remade): the tree's
    state (pt.tree_state: a git tree by content, any other by every
    source's path, size and mtime) plus a hash of the engine's files and
    API=."""
    state = pt.tree_state(kdir)
    if not state:
        return None
    return hashlib.sha1((state + plan_reuse.engine_key()).encode()).hexdigest()


def file_sha1(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    except OSError:
        return "-"


def get_plan(kdir):
    """The plan: PINCONV_PLAN=file (tests, or a plan made elsewhere), or
    reports/<tree-id>/plan.json.  That one is reused when the tree (a git
    work tree) has the same content as when it was made, and otherwise
    made now by scripts/plan.py, whose progress goes to stderr so stdout
    stays the report."""
    given = os.environ.get("PINCONV_PLAN")
    if given:
        plan = load_json(given, "plan")
    else:
        planpy = os.path.join(SCRIPTS, "plan.py")
        if not os.path.isfile(planpy):
            die("scripts/plan.py is missing: lint needs the provenance plan "
                "(make plan)")
        rdir = pt.report_dir(kdir, os.environ.get("OUT"))
        ppath = os.path.join(rdir, "plan.json")
        kpath = os.path.join(rdir, "lint-plan.key")
        key = state_key(kdir)
        old = None
        try:
            with open(kpath) as f:
                old = f.read().strip()
        except OSError:
            pass
        # The key file also names the plan.json it vouches for, so a plan
        # remade since by `make plan` (another API=, say) is not taken.
        cur = "%s %s" % (key, file_sha1(ppath)) if key else None
        # Changed, but maybe nowhere the plan looked (plan_reuse.py).
        reuse, why = plan_reuse.check(kdir, rdir) if cur and old and old != cur \
            else (False, "")
        if cur and old == cur:
            print("pinconv: lint: tree unchanged since the last plan, reusing %s"
                  % ppath, file=sys.stderr)
        elif reuse:
            print("pinconv: lint: tree changed since the last plan (%s), reusing %s"
                  % (why, ppath), file=sys.stderr)
            pt.write_atomic(kpath, cur + "\n")
        else:
            if why:
                print("pinconv: lint: re-planning: %s" % why, file=sys.stderr)
            if old:
                # The tree changed since the last plan: plan.py remakes its
                # scan only when scan.json is older than the Makefile.
                for stale in (kpath, os.path.join(rdir, "scan.json")):
                    if os.path.exists(stale):
                        os.unlink(stale)
            r = subprocess.run([sys.executable, planpy], stdout=sys.stderr,
                               env=dict(os.environ, KDIR=kdir))
            if r.returncode != 0:
                die("make plan failed (exit %d); no lint report" % r.returncode)
            if key:
                pt.write_atomic(kpath, "%s %s\n" % (key, file_sha1(ppath)))
        plan = load_json(ppath, "plan")
    if not isinstance(plan, dict) or plan.get("schema") != "pinconv-plan/1":
        die("plan: not a pinconv-plan/1 document")
    return plan


# ------------------------------------------------------------- findings

def norm_what(what):
    """A chain hop's text without line numbers or whitespace noise."""
    what = re.sub(r"(\.[ch]|\w):\d+(:\d+)?", r"\1", what)
    what = re.sub(r"\bline \d+", "line", what)
    return " ".join(what.split())


def fingerprint(parts):
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20]


def hop_text(h):
    return "%s:%d: %s" % (h["file"], h["line"], h["what"])


def acquisition_kind(api, family):
    if api in family:
        return family[api]["kind"]
    if api.startswith("pin_") or api == "memfd_pin_folios":
        return "pin"
    return "extract" if api == "iov_iter_extract_pages" else "get"


def make_findings(plan, family, profile, extract_api):
    rels = {"%s:%d" % (r["file"], r["line"]): r for r in plan["releases"]}
    out = []
    for r in plan["releases"]:
        chain = r.get("chain") or []
        if r["verdict"] == "MISMATCH":
            rule, level = "pinconv-MISMATCH", "error"
            why = r.get("reason") or "released with the wrong call"
            msg = "%s() releases pages it must not (%s; origins: %s)" % (
                r["call"], why, ", ".join(r["origins"]) or "unknown")
        else:
            rule, level = "pinconv-NOTE", "note"
            msg = "%s(): %s%s" % (r["call"], r["verdict"],
                                   " (%s)" % r["reason"] if r.get("reason") else "")
        key = ["release", rule, r["file"], r["function"], r["call"],
               r["verdict"]] + sorted(set(
                   "%s %s" % (h["file"], norm_what(h["what"])) for h in chain))
        out.append({
            "rule": rule, "level": level, "file": r["file"], "line": r["line"],
            "col": r["col"] + 1, "function": r["function"], "call": r["call"],
            "verdict": r["verdict"], "origins": list(r["origins"]),
            "subsystem": r.get("subsystem", ""), "message": msg,
            "chain": [{"file": h["file"], "line": h["line"], "what": h["what"]}
                      for h in chain],
            "_key": key, "_touch": [(h["file"], h["line"]) for h in chain],
        })
    for a in plan["acquisitions"]:
        kind = acquisition_kind(a["api"], family)
        seen = [rels[s] for s in a.get("releases", []) if s in rels]
        verdicts = {}
        for r in seen:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
        newer = extract_api if a["api"].startswith("iov_iter_get_pages") \
            else profile == "pin"
        convertible = verdicts.get("CONVERT", 0) + verdicts.get("MIXED", 0)
        vtext = ", ".join("%s %d" % kv for kv in sorted(verdicts.items()))
        target = ("iov_iter_extract_pages" if a["api"].startswith("iov_iter")
                  else "pin_user_pages*")
        if kind == "get" and newer and convertible:
            rule, level = "pinconv-CONVERTIBLE", "warning"
            msg = ("%s() takes page references; %d of its %d release site(s) "
                   "can move to %s (verdicts: %s; profile %s)" % (
                       a["api"], convertible, len(seen), target, vtext,
                       "extract" if target.startswith("iov") else profile))
        elif kind == "get" or not seen:
            rule, level = "pinconv-NOTE", "note"
            msg = "%s(): %s" % (a["api"], a.get("note") or (
                "releases: %s" % vtext if seen else "no release found") + (
                "" if newer else " (this tree lacks the newer API)"))
        else:
            continue
        chain = [{"file": r["file"], "line": r["line"],
                  "what": "released by %s() [%s]" % (r["call"], r["verdict"])}
                 for r in seen]
        touch = [(r["file"], r["line"]) for r in seen]
        for r in seen:
            touch += [(h["file"], h["line"]) for h in r.get("chain") or []]
        out.append({
            "rule": rule, "level": level, "file": a["file"], "line": a["line"],
            "col": a["col"] + 1, "function": a["function"], "call": a["api"],
            "verdict": None, "origins": [kind],
            "subsystem": a.get("subsystem", ""), "message": msg,
            "chain": chain,
            "_key": ["acquisition", rule, a["file"], a["function"], a["api"]],
            "_touch": touch,
        })
    # Identical keys (two alike calls in one function) get an ordinal in
    # line order, so each still has its own fingerprint.
    out.sort(key=lambda f: (f["file"], f["line"], f["col"], f["rule"],
                            f["call"]))
    count = {}
    for f in out:
        k = tuple(f.pop("_key"))
        n = count.get(k, 0)
        count[k] = n + 1
        f["fingerprint"] = fingerprint(list(k) + [str(n)])
    return out


def touches(f, changed):
    for file, line in [(f["file"], f["line"])] + f["_touch"]:
        if line in changed.get(file, ()):
            return True
    return False


# -------------------------------------------------------------- formats

def fmt_gcc(findings, summary):
    lines = []
    for f in findings:
        lines.append("%s:%d:%d: %s: %s [%s]" % (
            f["file"], f["line"], f["col"], f["level"], f["message"],
            f["rule"]))
        for h in f["chain"]:
            lines.append("%s:%d: note: %s" % (h["file"], h["line"], h["what"]))
    return "".join(l + "\n" for l in lines)


def fmt_json(findings, summary, tree, since, baseline):
    return pt.dump_json({
        "schema": "pinconv-lint/1",
        "tree": tree,
        "since": since,
        "baseline": baseline,
        "summary": summary,
        "findings": findings,
    })


def sarif_location(file, line, col=None, text=None):
    region = {"startLine": max(1, line)}
    if col:
        region["startColumn"] = col
    loc = {"physicalLocation": {
        "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
        "region": region}}
    if text is not None:
        loc["message"] = {"text": text}
    return loc


def fmt_sarif(findings, summary, tree):
    rule_ids = sorted(RULES)
    rules = []
    for rid in rule_ids:
        level, name, short, full = RULES[rid]
        rules.append({
            "id": rid, "name": name,
            "shortDescription": {"text": short},
            "fullDescription": {"text": full},
            "help": {"text": full},
            "helpUri": INFO_URI,
            "defaultConfiguration": {"level": level},
            "properties": {"tags": ["correctness", "mm", "gup"],
                           "precision": "high" if level == "error" else "medium",
                           "problem.severity": {"error": "error",
                                                "warning": "warning",
                                                "note": "recommendation"}[level]},
        })
    results = []
    for f in findings:
        res = {
            "ruleId": f["rule"], "ruleIndex": rule_ids.index(f["rule"]),
            "level": f["level"],
            "message": {"text": f["message"]},
            "locations": [sarif_location(f["file"], f["line"], f["col"])],
            "partialFingerprints": {"pinconvFingerprint/v1": f["fingerprint"]},
            "properties": {"function": f["function"], "call": f["call"],
                           "subsystem": f["subsystem"]},
        }
        if f["verdict"]:
            res["properties"]["verdict"] = f["verdict"]
        if f["chain"]:
            res["relatedLocations"] = [
                dict(sarif_location(h["file"], h["line"], None, h["what"]), id=i)
                for i, h in enumerate(f["chain"])]
            res["codeFlows"] = [{"threadFlows": [{"locations": [
                {"location": sarif_location(h["file"], h["line"], None,
                                            h["what"])}
                for h in f["chain"]]}]}]
        results.append(res)
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pinconv", "version": "1",
                "informationUri": INFO_URI, "rules": rules}},
            "automationDetails": {"id": "pinconv-lint/%s/" % tree["version"]},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"summary": summary},
        }],
    }, indent=1, sort_keys=True) + "\n"


# ----------------------------------------------------------------- main

def main(argv):
    write_baseline = False
    notes = os.environ.get("NOTES", "") not in ("", "0", "no")
    for a in argv:
        if a == "--write-baseline":
            write_baseline = True
        elif a == "--notes":
            notes = True
        else:
            die("usage: lint.py [--write-baseline] [--notes] "
                "(KDIR SINCE FORMAT BASELINE NOTES OUT API from the environment)")
    fmt = os.environ.get("FORMAT") or "gcc"
    if fmt not in FORMATS:
        die("unknown FORMAT=%s (known: %s)" % (fmt, ", ".join(FORMATS)))
    since = os.environ.get("SINCE") or None
    baseline = os.environ.get("BASELINE") or None
    kdir = get_kdir()
    tree = pt.tree_info(kdir, os.environ.get("API") or None)
    rdir = pt.report_dir(kdir, os.environ.get("OUT"))
    if since:
        check_since(kdir, since)
    suppressed_fps = set()
    if baseline and not write_baseline:
        b = load_json(baseline, "baseline")
        if not isinstance(b, dict) or b.get("schema") != "pinconv-lint-baseline/1":
            die("baseline %s: not a pinconv-lint-baseline/1 file" % baseline)
        suppressed_fps = {e["fingerprint"] for e in b.get("findings", [])}

    plan = get_plan(kdir)
    family = pt.gup_family(kdir)
    findings = make_findings(plan, family, tree["api_profile"],
                             tree["extract_api"])

    if write_baseline:
        path = os.path.abspath(baseline or os.path.join(rdir, "lint-baseline.json"))
        entries = [{"fingerprint": f["fingerprint"], "rule": f["rule"],
                    "file": f["file"], "function": f["function"],
                    "call": f["call"], "message": f["message"]}
                   for f in findings if f["level"] != "note"]
        pt.write_atomic(path, pt.dump_json({
            "schema": "pinconv-lint-baseline/1", "tree": tree,
            "findings": entries}))
        print("pinconv: baseline of %d finding(s) written to %s"
              % (len(entries), path), file=sys.stderr)
        return 0

    if not notes:
        findings = [f for f in findings if f["level"] != "note"]
    if since:
        changed = changed_lines(kdir, since)
        findings = [f for f in findings if touches(f, changed)]
    kept = [f for f in findings if f["fingerprint"] not in suppressed_fps]
    summary = {"errors": 0, "warnings": 0, "notes": 0,
               "suppressed": len(findings) - len(kept)}
    for f in kept:
        f.pop("_touch", None)
        summary[f["level"] + "s"] += 1
    kept.sort(key=lambda f: (LEVEL_RANK[f["level"]], f["file"], f["line"],
                             f["col"], f["rule"], f["call"]))

    # Every format goes to the report dir (a CI job logs one and uploads
    # another without running twice); FORMAT= picks what stdout shows.
    texts = {
        "gcc": fmt_gcc(kept, summary),
        "json": fmt_json(kept, summary, tree, since,
                         baseline and os.path.abspath(baseline)),
        "sarif": fmt_sarif(kept, summary, tree),
    }
    for name, text in texts.items():
        pt.write_atomic(os.path.join(
            rdir, "lint." + ("txt" if name == "gcc" else name)), text)
    text = texts[fmt]
    sys.stdout.write(text)
    sys.stdout.flush()
    print("pinconv: lint: %d error(s), %d warning(s)%s%s" % (
        summary["errors"], summary["warnings"],
        ", %d note(s)" % summary["notes"] if notes else "",
        ", %d suppressed by baseline" % summary["suppressed"]
        if summary["suppressed"] else ""), file=sys.stderr)
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    pt.run_main(main, sys.argv[1:])
