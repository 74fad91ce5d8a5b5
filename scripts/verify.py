# SPDX-License-Identifier: GPL-2.0
"""The checks every conversion runs on its series:

- am:         the patches apply with `git am` to a clean copy of the base
              and give exactly the converted files
- build:      every touched .c compiles with the tree's own Kbuild, before
              and after (kbuild.py says how the config is chosen)
- sparse:     `make C=2` reports no warning after that it did not before
- checkpatch: the tree's checkpatch.pl finds no ERROR in a patch
- again:      converting the converted files again changes nothing, and
- rescan:     a new plan of the converted files has no MISMATCH in them
              (scripts/plan.py on a small tree of the touched directories)

Each returns {patch_or_file: (ok, detail)}.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time

import kbuild
import series

PY = sys.executable


def make_mirror(kdir, root, files):
    """A complete view of the tree under root: real directories on the way
    to each file in files (a dict rel -> text), symlinks to the tree for
    everything else.  Nothing is ever written through a symlink."""
    kdir = os.path.realpath(kdir)
    need = set([""])
    for f in files:
        d = os.path.dirname(f)
        while d:
            need.add(d)
            d = os.path.dirname(d)
    for d in sorted(need):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        src = os.path.join(kdir, d)
        for e in sorted(os.listdir(src)):
            rel = os.path.join(d, e) if d else e
            if rel in need or rel in files:
                continue
            os.symlink(os.path.join(src, e), os.path.join(root, rel))
    rroot = os.path.realpath(root)
    for f, text in files.items():
        dst = os.path.join(root, f)
        if os.path.islink(dst) or not os.path.realpath(dst).startswith(rroot + "/"):
            raise RuntimeError("mirror: %s would leave the work directory" % f)
        with open(dst, "w") as fh:
            fh.write(text)


def check_am(repo, base, patches, work, touched):
    """Apply the patches to a clean clone of the base (only the touched
    files checked out: a kernel checkout takes long); return
    (ok, detail, failed_patch_index or None)."""
    am = os.path.join(work, "am")
    series.git(work, "clone", "-q", "--shared", "--no-checkout", repo, am)
    series.git(am, "sparse-checkout", "set", "--no-cone", *touched)
    series.git(am, "checkout", "-q", "--detach", base)
    r = series.git(am, "am", "-q", *patches, check=False,
                   env={"GIT_COMMITTER_NAME": "pinconv",
                        "GIT_COMMITTER_EMAIL": "pinconv@localhost"})
    if r.returncode:
        m = re.search(r"Patch failed at (\d+)", r.stdout + r.stderr)
        idx = int(m.group(1)) if m else None
        return False, (r.stdout + r.stderr).strip()[-400:], idx
    t1 = series.git(am, "rev-parse", "HEAD^{tree}").stdout.strip()
    t2 = series.git(repo, "rev-parse", "HEAD^{tree}").stdout.strip()
    if t1 != t2:
        return False, "applied, but the result differs from the converted files", None
    return True, "applies cleanly, same result", None


def check_build(kdir, cfiles, base_files, after_files, work, log):
    """{file: (build_ok, build_detail, sparse_ok, sparse_detail)} and the
    Kconfig symbols that could not be enabled.  Files under arch/<a>/ of
    another architecture are built with its cross compiler (kbuild.CROSS),
    in an object directory of their own; build_ok None: not built, the
    detail says why."""
    res, unmet = {}, set()
    mb, ma = os.path.join(work, "mirror-base"), os.path.join(work, "mirror-after")
    make_mirror(kdir, mb, base_files)
    make_mirror(kdir, ma, after_files)
    by_target = {}
    for f in cfiles:
        by_target.setdefault(kbuild.target_of(f), []).append(f)
    for (arch, dc), files in sorted(by_target.items()):
        why = kbuild.cross_missing(arch)
        if why:
            for f in files:
                res[f] = (None, "not built: " + why, None, "not run: not built")
            continue
        with kbuild.Kbuild(kdir, log=log, arch=arch, defconfig=dc) as kb:
            ok, msg = kb.ensure(files)
            unmet |= kb.unmet
            if not ok:
                for f in files:
                    res[f] = (False, "kbuild (%s): %s" % (arch, msg), False, "not run")
                continue
            for f in files:
                res[f] = _build_one(kb, f, work, mb, ma)
    return res, unmet


def _build_one(kb, f, work, mb, ma):
    ok, out, gcc, sp = kb.commands(f)
    where = "" if kb.arch == "x86" else " (ARCH=%s %s)" % (kb.arch, kb.defconfig)
    if not gcc or not ok:
        return (False, "the tree's own file does not build in this config%s: %s" %
                (where, kbuild.first_error(out)), False, "not run")
    tmp = os.path.join(work, "obj", f.replace("/", "_"))
    rb, ob = kb.run_variant(gcc, mb, tmp + ".base")
    ra, oa = kb.run_variant(gcc, ma, tmp + ".after")
    if rb:
        bd = (False, "the base does not compile either%s: %s" % (where, kbuild.first_error(ob)))
    elif ra:
        bd = (False, "does not compile after%s: %s" % (where, kbuild.first_error(oa)))
    else:
        bd = (True, "compiles before and after" + where)
    if kb.compat:
        bd = (bd[0], bd[1] + "; toolchain compatibility applied to the config: " +
              "; ".join("%s (%s)" % (what, why) for what, why in kb.compat))
    if not sp:
        sd = (False, "no sparse command from `make C=2`")
    else:
        _, sb = kb.run_variant(sp, mb, tmp + ".sbase")
        _, sa = kb.run_variant(sp, ma, tmp + ".safter")
        before = collections.Counter(kbuild.sparse_messages(sb, f, mb))
        after = collections.Counter(kbuild.sparse_messages(sa, f, ma))
        new = sorted((after - before).elements())
        if new:
            sd = (False, "new sparse warnings: " + "; ".join(new[:5]))
        else:
            sd = (True, "no new warnings (%d before, %d after)" %
                  (sum(before.values()), sum(after.values())))
    return bd + sd


def check_patch(kdir, patch):
    cp = os.path.join(kdir, "scripts/checkpatch.pl")
    if not os.path.isfile(cp):
        return False, "scripts/checkpatch.pl not in the tree"
    # --strict: every ERROR and WARNING is about the patch's own lines or
    # its message, so each one is one the change introduced.
    r = subprocess.run(["perl", cp, "--strict", "--no-tree", "--terse", "--no-summary",
                        "--show-types", patch], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    lines = r.stdout.split("\n")
    errs = [x for x in lines if ": ERROR:" in x]
    warns = [x for x in lines if ": WARNING:" in x]
    checks = [x for x in lines if ": CHECK:" in x]
    if errs or warns:
        return False, "--strict: %d errors, %d warnings: %s" % (
            len(errs), len(warns), "; ".join(x.split(": ", 1)[-1][:120]
                                             for x in (errs + warns)[:3]))
    return True, "--strict: no errors, no warnings, %d checks%s" % (
        len(checks), (": " + "; ".join(x.split(": ", 1)[-1][:80] for x in checks[:3]))
        if checks else "")


def mini_tree(kdir, root, after_files):
    """A small kernel tree for re-planning: the top Makefile, MAINTAINERS,
    the family headers, and every file of the touched directories (the
    converted ones in their new version)."""
    keep = ["Makefile", "MAINTAINERS", "include/linux/mm.h", "include/linux/uio.h"]
    dirs = sorted(set(os.path.dirname(f) for f in after_files))
    for d in dirs:
        src = os.path.join(kdir, d)
        for e in sorted(os.listdir(src)):
            if e.endswith((".c", ".h")) and os.path.isfile(os.path.join(src, e)):
                keep.append(os.path.join(d, e))
    for f in keep:
        dst = os.path.join(root, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if f in after_files:
            with open(dst, "w") as fh:
                fh.write(after_files[f])
        else:
            shutil.copyfile(os.path.join(kdir, f), dst)


def replan(top, kdir, root, after_files, api, log):
    """Run scripts/plan.py over a mini tree of the converted files; return
    (plan or None, detail)."""
    planpy = os.path.join(top, "scripts/plan.py")
    if not os.path.isfile(planpy):
        return None, "scripts/plan.py missing: not run"
    mini_tree(kdir, os.path.join(root, "tree"), after_files)
    out = os.path.join(root, "out")
    env = dict(os.environ, KDIR=os.path.join(root, "tree"), OUT=out,
               PINCONV_REPORTS=out)
    env.pop("SUBSYS", None)
    if api:
        env["API"] = api
    else:
        env.pop("API", None)
    r = subprocess.run([PY, planpy], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    path = os.path.join(out, "plan.json")
    if not os.path.isfile(path):
        return None, "plan.py failed (exit %d): %s" % (r.returncode, r.stdout.strip()[-300:])
    with open(path) as f:
        return json.load(f), "ok"


def verify_series(c):
    """Run every check on c's patches; c.checks = {patch number: {check:
    (ok, detail)}} (ok None: not applicable here)."""
    import convert_select
    import pinconv_tree as pt
    from conversion import TIMING, TOP, note
    kdir = c.kdir
    base_files = {f: c.base_text(f) for f in c.touched}
    after_files = dict(c.changed, **c.ph_files)
    checks = {i + 1: {} for i in range(len(c.patch_sections))}
    file_patch = {}
    for i, (_, files, _, _) in enumerate(c.patch_sections):
        for f in files:
            file_patch[f] = i + 1
    real = [p for p in c.patches if not p.endswith("0000-cover-letter.patch")]
    ok, detail, idx = check_am(c.repo, c.base, real, c.work, sorted(after_files))
    for n in checks:
        if ok:
            checks[n]["am"] = (True, detail)
        elif idx is None or idx == n:
            checks[n]["am"] = (False, detail)
        else:
            checks[n]["am"] = (idx > n, "applies" if idx > n else "not reached")
    for i, p in enumerate(real):
        checks[i + 1]["checkpatch"] = check_patch(kdir, p)
    cfiles = sorted(f for f in after_files if f.endswith(".c"))
    tb = time.time()
    res, unmet = check_build(kdir, cfiles, base_files, after_files, c.work, log=note)
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
    plan2, detail = replan(TOP, kdir, os.path.join(c.work, "replan"),
                           after_files, c.api, log=note)
    # The same small tree before the conversion: only new MISMATCHes count
    # (mm/ has its own internals that a small tree cannot explain).
    plan0, detail0 = replan(TOP, kdir, os.path.join(c.work, "replan0"),
                            base_files, c.api, log=note)
    prof2, ext2 = pt.choose_profile(kdir, c.api)

    def mismatches(plan, f):
        cnt = collections.Counter()
        for r in (plan or {}).get("releases", []):
            if r["file"] != f or r["verdict"] != "MISMATCH":
                continue
            # put_user_page*() release get_user_pages() pages by design
            # (v5.2-v5.5); the plan names them after their v5.6 successor.
            if prof2 == "put_user_page" and r["call"].startswith("put_user_page"):
                continue
            cnt[(r["function"], r["call"])] += 1
        return cnt

    for f in sorted(conv_files):
        n = file_patch[f]
        if plan2 is None or plan0 is None:
            checks[n]["rescan"] = (False, detail if plan2 is None else detail0)
            checks[n]["again"] = (False, detail if plan2 is None else detail0)
            continue
        new = mismatches(plan2, f) - mismatches(plan0, f)
        if c.fix:
            # A fix must also make its own MISMATCH go away.
            want = collections.Counter((s.function, s.call) for s in c.conv
                                       if s.file == f)
            new += want & mismatches(plan2, f)
        prev = checks[n].get("rescan", (True, ""))
        if new:
            checks[n]["rescan"] = (False, (prev[1] + "; " if prev[1] else "") +
                                   "new MISMATCH in " + ", ".join(
                                       "%s: %s() %s()" % (f, fn, call)
                                       for (fn, call) in sorted(new)))
        elif prev[0]:
            checks[n]["rescan"] = (True, "the fixed MISMATCH gone, no new one" if c.fix
                                   else "no new MISMATCH in the converted files")
        tree2 = os.path.join(c.work, "replan", "tree")
        if c.fix:
            again = [s for s in convert_select.fixes(plan2, [f], tree2)
                     if s.action == "convert"]
        else:
            sites2, _ = convert_select.select(plan2, [f], prof2, ext2, tree2)
            again = [s for s in sites2 if s.action == "convert"]
        prev = checks[n].get("again", (True, ""))
        if again:
            checks[n]["again"] = (False, "a second conversion would change " +
                                  ", ".join("%s:%d" % (s.file, s.line) for s in again))
        elif prev[0]:
            checks[n]["again"] = (True, "nothing left to fix" if c.fix else
                                  "a second conversion changes nothing")
    c.checks = checks
