#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench.py — pinconv's speed figures, measured on a real tree (KDIR=, or
the default linux-source-6.12), printed as `name: value` lines.

The scan figures are measured here; every script in scripts/bench/
(one per stage: plan, convert, lint, report, qemu) then prints its own.
Nothing here is asserted: targets are in the README.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinconv_tree as pt  # noqa: E402
import scan as sc  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_EVERY = 400      # naive spatch: every 400th .c/.h file of the tree


def timed(cmd, **kw):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kw)
    return time.monotonic() - t


def fig(name, value):
    print("%s: %s" % (name, value), flush=True)


def main():
    kdir = pt.check_tree(pt.default_kdir())
    fig("tree", "%s (Linux %s)" % (kdir, pt.kernel_version(kdir)))
    fig("cores", os.cpu_count())
    with tempfile.TemporaryDirectory(prefix="pinconv-bench.") as out:
        # Cold: an empty spatch cache; warm: the same tree again.
        env = dict(os.environ, KDIR=kdir, OUT=out, PINCONV_QUIET="1",
                   PINCONV_SPATCH_CACHE=os.path.join(out, "cache"))
        scan_cmd = [sys.executable, os.path.join(TOP, "scripts/scan.py")]
        wall = timed(scan_cmd, env=env)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        warm = timed(scan_cmd, env=env)
        n = len(json.load(open(os.path.join(out, "scan.json")))["sites"])
    fam = sorted(pt.gup_family(kdir))
    pats = sum((["-e", f] for f in fam), [])
    gg = timed(["git", "grep", "--no-index", "-lwF"] + pats +
               ["--", "*.c", "*.h"], cwd=kdir)
    files = subprocess.run(["find", ".", "-name", "*.[ch]", "-not", "-path",
                            "./tools/*"], cwd=kdir, stdout=subprocess.PIPE,
                           text=True).stdout.split()
    files.sort()
    sample = files[::SAMPLE_EVERY]
    with tempfile.TemporaryDirectory(prefix="pinconv-bench.") as work:
        sc.macro_file(work)
        env = dict(os.environ, PINCONV_FAMILY=",".join(fam))
        naive = timed(["spatch"] + sc.SPATCH_PYTHON + ["--very-quiet", "--no-includes",
                       "--include-headers", "--timeout", "60",
                       "--macro-file-builtins", os.path.join(work, "macros.h"),
                       "--sp-file", sc.RULE] + sample, cwd=kdir, env=env)
    naive_all = naive * len(files) / max(1, len(sample))
    fig("scan.sites", n)
    fig("scan.wall_s", "%.1f (target <= 20)" % wall)
    fig("scan.warm_wall_s", "%.1f (per-file cache)" % warm)
    fig("scan.peak_rss_mib", "%.0f" % (rss / 1024))
    fig("git_grep.wall_s", "%.2f" % gg)
    fig("naive_spatch.sample", "%d of %d files, %.1f s" %
        (len(sample), len(files), naive))
    fig("naive_spatch.scaled_s", "%.0f (one core)" % naive_all)
    fig("ratio.scan_vs_git_grep", "%.1fx" % (wall / gg))
    fig("ratio.naive_spatch_vs_scan", "%.0fx" % (naive_all / wall))
    bench = os.path.join(TOP, "scripts/bench")
    for f in sorted(os.listdir(bench)) if os.path.isdir(bench) else []:
        path = os.path.join(bench, f)
        if os.access(path, os.X_OK):
            print("# %s" % f, flush=True)
            subprocess.run([path], env=dict(os.environ, KDIR=kdir))


if __name__ == "__main__":
    main()
