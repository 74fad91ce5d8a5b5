# SPDX-License-Identifier: GPL-2.0
"""Review: what a maintainer and a tool read about a conversion, written
into c.tmp_out: the patches with the cover letter completed (summary
table, checks, base), REVIEW.md (checks per patch, every converted site
with its evidence, every site left and why) and convert.json
(pinconv-convert/1: every site with its action, reason and the number and
file of the patch converting it; report.py links sites to patches by it).
"""

import hashlib
import os
import re
import textwrap

import series

import pinconv_tree as pt
from conversion import CHECK_NAMES, chain_text, describe


def finish(c):
    """Copy the patches, complete the cover letter, write REVIEW.md and
    convert.json into c.tmp_out; return the names of failed patches."""
    checks, tmp_out, sites = c.checks, c.tmp_out, c.sites
    failed = []
    status = {}
    for n, res in sorted(checks.items()):
        bad = [c for c in CHECK_NAMES if c in res and res[c][0] is False]
        missing = [c for c in CHECK_NAMES if c not in res]
        status[n] = bad + ["%s (not run)" % c for c in missing]
        if status[n]:
            failed.append("patch %d (%s)" % (n, ", ".join(status[n])))
        elif res.get("build", (True,))[0] is None and \
                os.environ.get("ALLOW_UNBUILT", "") != "1":
            failed.append("patch %d (not built: %s; ALLOW_UNBUILT=1 accepts it)" %
                          (n, res["build"][1]))
    version = pt.kernel_version(c.kdir)
    for p in c.patches:
        name = os.path.basename(p)
        with open(p) as fh:
            text = fh.read()
        n = 0
        if name.startswith("0000-cover-letter"):
            text = cover_letter(c, text, version, status)
        else:
            m = re.match(r"^(\d{4})-", name)
            n = int(m.group(1)) if m else 0
            res = checks.get(n, {})
            text = text.replace(series.TESTED + "\n", "\n".join(
                textwrap.wrap(tested(c, res), 72)) + "\n", 1)
            text = add_notes(text, patch_notes(c, n, status))
        text = mail_headers(c, text, n if not name.startswith("0000-") else 0)
        with open(os.path.join(tmp_out, name), "w") as fh:
            fh.write(text)
    review = review_md(c, version, status)
    pt.write_atomic(os.path.join(tmp_out, "REVIEW.md"), review)
    summary = {
        "schema": "pinconv-convert/1",
        "kind": "fixes" if c.fix else "conversion",
        "tree": pt.tree_info(c.kdir, c.api),
        "subsys": c.where,
        "profile": c.prof,
        "base": c.base,
        "patches": [os.path.basename(p) for p in c.patches],
        "sites": [{"file": s.file, "line": s.line, "col": s.col, "kind": s.kind,
                   "function": s.function, "call": s.call, "verdict": s.verdict,
                   "action": s.action, "rule": s.rule, "mode": s.mode,
                   "why": s.why, "patch": s.patch, "patch_file": s.patch_file}
                  for s in sites],
        "checks": {str(n): {c: {"ok": v[0], "detail": v[1]} for c, v in res.items()}
                   for n, res in checks.items()},
        "failed": failed,
    }
    pt.write_atomic(os.path.join(tmp_out, "convert.json"), pt.dump_json(summary))
    return failed


CHECK_SAYS = {
    "am": "applies with git am to a clean copy of the base",
    "build": "compiles before and after with the tree's own Kbuild",
    "sparse": "sparse (C=2) finds no new warning",
    "checkpatch": "checkpatch.pl --strict finds no error or warning",
    "again": "converting again changes nothing",
    "rescan": "a new plan of the changed files finds no MISMATCH in them",
}


def tested(c, res):
    """How a patch was tested, from the checks that ran (never a check
    that did not run)."""
    says = dict(CHECK_SAYS)
    if c.fix:
        says["again"] = "nothing is left to fix"
        says["rescan"] = ("a new plan of the changed files finds the MISMATCH "
                          "gone and no new one")
    ran = [says[n] for n in CHECK_NAMES if n in res and res[n][0] is True]
    na = ["%s: %s" % (n, res[n][1]) for n in CHECK_NAMES if n in res and res[n][0] is None]
    bad = [n for n in CHECK_NAMES if n in res and res[n][0] is False]
    missing = [n for n in CHECK_NAMES if n not in res]
    out = "Tested: " + ("; ".join(ran) if ran else "no check passed") + "."
    if na:
        out += " Not built: " + "; ".join(na) + "."
    if bad:
        out += " FAILED: " + ", ".join(bad) + "."
    if missing:
        out += " Not run: " + ", ".join(missing) + "."
    return out + " Not run: a boot of the changed kernel."


def patch_notes(c, n, status):
    """The notes below a patch's "---" line (not part of the commit): the
    sites left in its files, and, without a cover letter, what the cover
    letter would say about the checks, the prefix and the base."""
    notes = []
    if 0 < n <= len(c.patch_sections):
        sec, files, sconv, sleft = c.patch_sections[n - 1]
        if sleft:
            notes.append("Left as they are in this section (REVIEW.md has the evidence):")
            for s in sleft:
                notes += textwrap.wrap("%s(): %s(): %s" % (s.function, s.call, s.why), 72,
                                       initial_indent="* ", subsequent_indent="  ")
            notes.append("")
    if not c.cover:
        notes += textwrap.wrap("pinconv checks: %s." % check_cell(
            c.checks.get(n, {}), status.get(n)), 72)
        if c.prefix_how.get(n, "git log") != "git log":
            notes += textwrap.wrap("WARNING: the subject prefix is guessed from the path "
                                   "(the tree has no git history to read it from).", 72)
        if not c.is_git:
            notes += textwrap.wrap("The tree is not a git repository: base-commit is "
                                   "pinconv's snapshot of the files the patch touches.", 72)
        notes.append("")
    return notes


def message_id(c, n):
    h = hashlib.sha1(("%s %s" % (c.base, c.slug)).encode()).hexdigest()[:12]
    return "<pinconv-%s-%d@localhost>" % (h, n)


def mail_headers(c, text, n):
    """Mail headers that mbox tools (b4 am, git am) read: no folded header
    lines (b4 refuses them), a Message-Id per message, each patch a reply
    to the cover letter (or, without one, to the first patch); all made
    from the series itself, so two runs give the same files."""
    i = text.find("\n\n")
    if i < 0:
        return text
    head = re.sub(r"\n[ \t]+", " ", text[:i])
    head += "\nMessage-Id: " + message_id(c, n)
    first = 0 if c.cover else 1
    if n != first:
        head += "\nIn-Reply-To: %s\nReferences: %s" % (message_id(c, first),
                                                      message_id(c, first))
    return head + text[i:]


def add_notes(text, notes):
    """Put notes after the first "---" line of a format-patch file."""
    if not notes:
        return text
    i = text.find("\n---\n")
    if i < 0:
        return text
    i += len("\n---\n")
    return text[:i] + "\n".join(notes) + "\n" + text[i:]


def check_cell(res, status_n):
    """What the cover letter says of one patch's checks: "all passed" only
    when every check ran and passed."""
    if status_n:
        return "FAILED: " + ", ".join(status_n)
    na = [n for n in CHECK_NAMES if n in res and res[n][0] is None]
    if "build" in na:
        return "not built (%s); %s" % (res["build"][1], ", ".join(
            n for n in CHECK_NAMES if n in res and res[n][0] is True) + " passed")
    if na:
        return "passed, %s not run (%s)" % (
            ", ".join(na), "; ".join(res[n][1] for n in na))
    return "all passed"


def cover_letter(c, text, version, status):
    prof, where, conv = c.prof, c.where, c.conv
    subj = {"pin": "pin user pages instead of taking references",
            "put_user_page": "release user pages with put_user_page*()"}[prof]
    if any(s.rule and s.rule.startswith("extract") for s in conv) and \
            not any(s.rule and s.rule.startswith("pin/") for s in conv):
        subj = "extract user pages from iov_iters with iov_iter_extract_pages()"
    if c.fix:
        subj = "fix releases of user pages that do not match how they were taken"
        blurb = ["These patches fix releases that pinconv's plan of %s (%s) finds "
                 "MISMATCH: pages released with a call that does not match how they "
                 "were taken (a pin dropped with put_page(), pages of "
                 "get_user_pages*() freed).  Each patch explains the chain from the "
                 "acquisition to the release; apply them before any conversion of "
                 "the same code." % (where, "Linux " + version), ""]
    else:
        blurb = ["This series converts %s (%s) from page references to %s, as "
                 "Documentation/core-api/pin_user_pages.rst asks for pages that are "
                 "written by DMA or behind the file system's back." %
                 (where, "Linux " + version,
                  "put_user_page*() releases" if prof == "put_user_page" else "page pins"),
                 "",
                 "Every converted release was shown to see only pages of the converted "
                 "acquisitions (pinconv's plan, evidence chains in REVIEW.md); sites "
                 "that could not be shown so are left and listed there with the reason.",
                 ""]
    blurb += ["| patch | section | files | %s | left | checks |" %
              ("fixed" if c.fix else "converted"),
              "|---|---|---|---|---|---|"]
    for i, (sec, files, sconv, sleft) in enumerate(c.patch_sections):
        n = i + 1
        blurb.append("| %d | %s | %s | %d | %d | %s |" % (
            n, sec, ", ".join(files), len(sconv), len(sleft),
            check_cell(c.checks.get(n, {}), status.get(n))))
    blurb += ["", "Checks: git am on a clean base, Kbuild compile before/after, "
              "sparse (C=2) with no new warning, checkpatch.pl --strict without errors or warnings, %s, "
              "a re-plan without new MISMATCH.  A check that could not run is "
              "named as not run in the table, with the reason." %
              ("nothing left to fix" if c.fix else "a second conversion changing nothing")]
    bad = [n for n in status if status[n]]
    if bad:
        blurb += ["", "FAILED CHECKS: " + "; ".join(
            "patch %d: %s" % (n, ", ".join(status[n])) for n in sorted(bad))]
    guessed = sorted(set(sec for sec, how in c.prefix_how.items() if how != "git log"))
    if guessed:
        blurb += ["", "WARNING: the subject prefixes of %s are guessed from the paths "
                  "(the tree has no git history to read them from); check them "
                  "against the subsystem's log before sending." % ", ".join(
                      "patch %d" % n for n in guessed)]
    if not c.is_git:
        blurb += ["", "The tree (%s) is not a git repository: base-commit below is "
                  "pinconv's snapshot of the files the series touches." % c.kdir]
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


def review_md(c, version, status):
    sites, conv, left, checks = c.sites, c.conv, c.left, c.checks
    L = ["# pinconv review notes: SUBSYS=%s" % c.where, "",
         "Tree: %s (%s), profile `%s`%s; plan: %s" % (
             c.kdir, version, c.prof, ", iov_iter_extract_pages() available"
             if c.extract_api else "", c.plan_path), ""]
    L += ["%d sites: %d converted, %d left for a human." % (len(sites), len(conv), len(left)), ""]
    if c.patch_sections:
        L += ["## Checks", "", "| patch | section | " + " | ".join(CHECK_NAMES) + " |",
              "|---|---|" + "---|" * len(CHECK_NAMES)]
        for i, (sec, files, _, _) in enumerate(c.patch_sections):
            res = checks.get(i + 1, {})
            cells = []
            for name in CHECK_NAMES:
                v = res.get(name)
                cells.append("not run" if v is None else
                             ("n/a" if v[0] is None else ("ok" if v[0] else "**FAILED**")))
            L.append("| %d | %s | %s |" % (i + 1, sec, " | ".join(cells)))
        L += [""]
        for i, (sec, files, _, _) in enumerate(c.patch_sections):
            L.append("Patch %d (%s):" % (i + 1, sec))
            for name in CHECK_NAMES:
                v = checks.get(i + 1, {}).get(name)
                L.append("- %s: %s" % (name, "not run" if v is None else
                                       ({True: "ok — ", None: "n/a — "}.get(v[0], "FAILED — ")) + v[1]))
            L.append("")
    L += ["## Fixed" if c.fix else "## Converted", ""]
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
            ch = chain_text(s)
            if ch:
                L.append("  - a chain the plan found: %s" % ch)
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
            ch = chain_text(s)
            if ch:
                L.append("  - chain: %s" % ch)
    return "\n".join(L) + "\n"


