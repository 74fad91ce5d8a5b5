#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""convert.py — rewrite what the plan proves convertible, as a verified
patch series.

    make convert SUBSYS=fs/fuse [KDIR=...] [API=pin|put_user_page] [OUT=...]

Each stage is a module that reads and fills one record, a Conversion
(conversion.py):

1. plan:     reports/<tree-id>/plan.json (scripts/plan.py makes it when
             missing; PINCONV_PLAN=file points at another one)
2. select:   convert_select.py: the sites under SUBSYS (directories or
             files, several, or "all"); acquisitions and releases joined
             into groups (an acquisition with all its releases); a group
             is rewritten only when every site of it can be, so no pin is
             ever released by put_page() nor a reference by
             unpin_user_page()
3. rewrite:  convert_rewrite.py: semantic-patches/convert/<profile>/*.cocci
             at the plan's positions only (PINCONV_SITES), in copies of the
             files under <pinconv cache>/work/ — the
             tree is only read
4. series:   series.py: a git repository of the base files, one commit per
             MAINTAINERS section, git format-patch
5. verify:   verify.py: git am on a clean base, Kbuild compile
             before/after, sparse (C=2), checkpatch.pl, a second
             conversion changes nothing and a re-plan of the converted
             files shows no MISMATCH
6. review:   review.py: cover letter, REVIEW.md, convert.json (each site
             with the patch converting it) in
             reports/<tree-id>/convert/<slug>/, written to a temporary
             directory and renamed; exit 1 when a check fails

Exit codes: 0 ok (also: nothing to convert), 1 a check failed, 2 bad input
or a missing tool.
"""


import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinconv_tree as pt  # noqa: E402
import kbuild  # noqa: E402
import convert_rewrite  # noqa: E402
import convert_select  # noqa: E402
import review  # noqa: E402
import series  # noqa: E402
import verify  # noqa: E402
from conversion import TIMING, TOP, WORK, Conversion, describe, note  # noqa: E402

TOOLS = ("spatch", "git", "make", "gcc", "perl", "sparse")


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
        r = subprocess.run([sys.executable, planpy], env=env)
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


# ---------------------------------------------------------------- run

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


def run(c, scope, words, plan):
    t0 = time.time()
    kdir = c.kdir
    c.slug = slug_of(words)
    c.sites, groups = convert_select.select(plan, scope, c.prof, c.extract_api, kdir)
    where = c.where = " ".join(words)
    if not c.sites:
        note("nothing to convert under SUBSYS=%s: the plan has no page "
             "acquisition or release there" % where)
        return 0
    c.is_git = git_tree(kdir)
    if c.is_git:
        st = subprocess.run(["git", "-C", kdir, "status", "--porcelain", "-uno"],
                            stdout=subprocess.PIPE, text=True).stdout
        if st.strip():
            note("warning: %s has uncommitted changes; the series is based on "
                 "HEAD and does not include them" % kdir)

    def base_text(f):
        if c.is_git:
            r = subprocess.run(["git", "-C", kdir, "show", "HEAD:" + f],
                               stdout=subprocess.PIPE, text=True, errors="replace")
            if r.returncode == 0:
                return r.stdout
        with open(os.path.join(kdir, f), errors="replace") as fh:
            return fh.read()

    c.base_text = base_text
    c.work = workdir(kdir)
    pupd = convert_select.prototype_params(kdir, "put_user_pages_dirty_lock")
    if pupd is not None and len(pupd) == 2:
        c.extra["put_user_page/put_to_put_user_page"] = ["-D", "no_make_dirty"]
    convert_rewrite.rewrite(c)
    # The MISMATCH releases under SUBSYS that a fix rule repairs: a series
    # of their own (convert/<slug>/fixes/), to apply before any conversion.
    cf = dataclasses.replace(c, fix=True, where=where, slug=c.slug + "/fixes",
                             sites=convert_select.fixes(plan, scope, kdir),
                             work=os.path.join(c.work, "fixes"), changed={})
    if cf.conv:
        convert_rewrite.rewrite(cf)
    fixed = dict((s.key, s) for s in cf.conv)
    for s in c.sites:
        if s.key in fixed and s.action == "left":
            s.why += ("; fixed first by the fix series (fixes/: %s), the "
                      "conversion can follow it" % describe(fixed[s.key]))
    conv, left = c.conv, c.left
    for s in cf.conv:
        print("%s:%d:%d: note: %s(): fix: %s" % (s.file, s.line, s.col, s.function,
                                                 describe(s)))
    for s in cf.left:
        print("%s:%d:%d: note: %s(): MISMATCH %s() not fixed: %s" % (
            s.file, s.line, s.col, s.function, s.call, s.why))
    for s in left:
        print("%s:%d:%d: note: %s(): %s() left: %s" % (s.file, s.line, s.col, s.function,
                                                   s.call, s.why))
    for s in conv:
        print("%s:%d:%d: note: %s(): %s" % (s.file, s.line, s.col, s.function,
                                            describe(s)))

    top_work = c.work
    # Configure Kbuild for every file of every series at once (one prepare
    # per object directory, not one per series).
    by_target = {}
    for f in sorted(f for f in set(c.changed) | set(cf.changed) if f.endswith(".c")):
        by_target.setdefault(kbuild.target_of(f), []).append(f)
    if (cf.changed and c.changed) or scope is None:
        for (arch, dc), files in sorted(by_target.items()):
            if not kbuild.cross_missing(arch):
                with kbuild.Kbuild(kdir, log=note, arch=arch, defconfig=dc) as kb:
                    kb.ensure(files)
    if scope is not None:
        c.work = os.path.join(top_work, "series")
        failed, npatches, dest = make_series(c)
    else:
        # SUBSYS=all: one series per MAINTAINERS section.
        maint = pt.Maintainers(kdir)
        by_sec = {}
        for s in c.sites:
            by_sec.setdefault(maint.section_of(s.file), []).append(s)
        failed, npatches, dests = [], 0, []
        for i, sec in enumerate(sorted(by_sec)):
            ss = by_sec[sec]
            if not any(s.action == "convert" for s in ss):
                continue
            sslug = "all/" + re.sub(r"[^A-Za-z0-9._-]+", "-", sec).strip("-").lower()
            cs = c.for_section("all (%s)" % sec, sslug, ss,
                               os.path.join(top_work, "s%d" % i))
            f, n, d = make_series(cs)
            failed += ["%s: %s" % (sec, x) for x in f]
            npatches += n
            dests.append(d)
        dest = os.path.join(pt.report_dir(kdir, c.out), "convert", "all")
        left_only = sorted(sec for sec in by_sec
                           if not any(s.action == "convert" for s in by_sec[sec]))
        idx = ["# pinconv: SUBSYS=all", ""]
        if cf.changed:
            idx += ["Fix series, to apply first: fixes/ (%d MISMATCH releases)" %
                    len(cf.conv), ""]
        idx += ["Series, one per MAINTAINERS section:", ""]
        idx += ["- %s" % os.path.relpath(d, dest) for d in dests]
        idx += ["", "Sections with sites but nothing converted:", ""]
        for sec in left_only:
            idx.append("- %s" % sec)
            for s in by_sec[sec]:
                idx.append("  - `%s:%d` %s(): %s() — %s" % (s.file, s.line, s.function,
                                                          s.call, s.why))
        pt.write_atomic(os.path.join(dest, "REVIEW.md"), "\n".join(idx) + "\n")

    fdest = os.path.join(pt.report_dir(kdir, c.out), "convert", cf.slug)
    if cf.changed:
        cf.work = os.path.join(cf.work, "series")
        ff, fn, fdest = make_series(cf)
        failed += ["fixes: %s" % x for x in ff]
        print("pinconv: SUBSYS=%s: %d MISMATCH release(s) fixed, %d left, %d fix "
              "patches -> %s (apply them first)" % (where, len(cf.conv), len(cf.left),
                                                    fn, fdest))
    elif os.path.isdir(fdest):
        shutil.rmtree(fdest)         # an earlier run's fixes, not made now
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


def make_series(c):
    """One series (patches, cover letter, REVIEW.md, convert.json) for
    c.changed, verified, published under convert/<c.slug>; returns the
    failed patches, the number of patches and the directory."""
    os.makedirs(c.work, exist_ok=True)
    dest = c.dest = os.path.join(pt.report_dir(c.kdir, c.out), "convert", c.slug)
    tmp_out = c.tmp_out = os.path.join(os.path.dirname(dest), ".%s.tmp.%d" % (
        os.path.basename(dest), os.getpid()))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    WORK.append(tmp_out)
    shutil.rmtree(tmp_out, ignore_errors=True)
    os.makedirs(tmp_out)
    if c.changed:
        series.build(c)
        verify.verify_series(c)
    failed = review.finish(c)
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
    return failed, len([p for p in c.patches if not p.endswith("-cover-letter.patch")]), dest


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
    if bad:
        pt.die("SUBSYS=%s is not in the tree %s" % (" ".join(bad), kdir))
    try:
        plan, plan_path = load_plan(kdir, out)
        c = Conversion(kdir=kdir, prof=prof, extract_api=extract_api, api=api,
                       plan_path=plan_path, out=out)
        return run(c, scope, words, plan)
    except Interrupted:
        cleanup()
        pt.die("interrupted: nothing written, %s untouched" % kdir)
    finally:
        cleanup()


if __name__ == "__main__":
    pt.run_main(main)
