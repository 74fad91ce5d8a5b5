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
    """{file: (build_ok, build_detail, sparse_ok, sparse_detail)}."""
    res = {}
    mb, ma = os.path.join(work, "mirror-base"), os.path.join(work, "mirror-after")
    make_mirror(kdir, mb, base_files)
    make_mirror(kdir, ma, after_files)
    with kbuild.Kbuild(kdir, log=log) as kb:
        ok, msg = kb.ensure(cfiles)
        if not ok:
            for f in cfiles:
                res[f] = (False, "kbuild: " + msg, False, "not run")
            return res, kb.unmet
        for f in cfiles:
            ok, out, gcc, sp = kb.commands(f)
            arch = re.match(r"^arch/([^/]+)/", f)
            if arch and arch.group(1) != "x86":
                res[f] = (None, "not compiled: arch/%s needs its own cross "
                          "toolchain" % arch.group(1), None, "not run")
                continue
            if not gcc or not ok:
                res[f] = (False, "the tree's own file does not build in this "
                          "config: " + kbuild.first_error(out), False, "not run")
                continue
            tmp = os.path.join(work, "obj", f.replace("/", "_"))
            rb, ob = kb.run_variant(gcc, mb, tmp + ".base")
            ra, oa = kb.run_variant(gcc, ma, tmp + ".after")
            if rb:
                bd = (False, "the base does not compile either: " + kbuild.first_error(ob))
            elif ra:
                bd = (False, "does not compile after: " + kbuild.first_error(oa))
            else:
                bd = (True, "compiles before and after")
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
            res[f] = bd + sd
        return res, kb.unmet


def check_patch(kdir, patch):
    cp = os.path.join(kdir, "scripts/checkpatch.pl")
    if not os.path.isfile(cp):
        return False, "scripts/checkpatch.pl not in the tree"
    r = subprocess.run(["perl", cp, "--no-tree", "--terse", "--no-summary",
                        "--show-types", patch], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    errs = [l for l in r.stdout.split("\n") if ": ERROR:" in l]
    warns = [l for l in r.stdout.split("\n") if ": WARNING:" in l]
    if errs:
        return False, "%d errors: %s" % (len(errs), errs[0][:200])
    return True, "no errors, %d warnings%s" % (
        len(warns), (": " + "; ".join(w.split(": ", 1)[-1][:80] for w in warns[:3])) if warns else "")


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
