# SPDX-License-Identifier: GPL-2.0
"""Rewriting: the rules of semantic-patches/convert/<profile>/ applied at
the plan's positions only (PINCONV_SITES), in copies of the files under
the conversion's work directory; the tree is only read.  A group whose
site a rule does not match is left whole, and the rest is rewritten
again from the base until nothing fails.
"""

import difflib
import json
import os
import re
import subprocess

import pinconv_tree as pt
import scan
from conversion import RULES

SPATCH = ["spatch", "--very-quiet", "--no-includes", "--include-headers",
          "--timeout", "120"] + scan.SPATCH_PYTHON


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
              ("extract/get_pages2_to_extract", "mixed"), ("fix/mismatch", "*")]


def run_rules(work, files_sites, extra_args):
    """Apply the rules to the copies under work/; files_sites maps a file
    to the sites to rewrite in it.  Returns {file: [sites not rewritten]}."""
    failed = {}
    for rule, mode in RULE_ORDER:
        todo = {}
        for f, sites in files_sites.items():
            mine = [s for s in sites if s.rule == rule and mode in (s.mode, "*")]
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
        if rule == "fix/mismatch":
            arrays = {"%s:%d:%d" % (f, s.cur_line, s.col): list(s.fix_array)
                      for f, sites in todo.items() for s in sites if s.mode == "array"}
            with open(os.path.join(work, ".fix-arrays"), "w") as fh:
                json.dump(arrays, fh)
            env["PINCONV_FIX_ARRAYS"] = "@" + os.path.join(work, ".fix-arrays")
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


def rewrite(c):
    """Rewrite c.sites under c.work/after until every group either converts
    whole or not at all; c.changed gets the files that changed."""
    work = os.path.join(c.work, "after")
    for _ in range(10):
        files_sites = {}
        for s in c.conv:
            s.cur_line = s.line
            files_sites.setdefault(s.file, []).append(s)
        for f in files_sites:
            dst = os.path.join(work, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as fh:
                fh.write(c.base_text(f))
        failed = run_rules(work, files_sites, c.extra)
        if not failed:
            break
        bad_groups = {}
        for f, ss in failed.items():
            for s in ss:
                bad_groups.setdefault(s.group, s)
        for s in c.sites:
            if s.group in bad_groups and s.action in ("convert", "helper"):
                b = bad_groups[s.group]
                s.action = "left"
                s.why = "rewrite failed at %s:%d (%s); the whole group is left" % (
                    b.file, b.line, getattr(b, "fail", "?"))
    else:
        pt.die("rewriting does not settle")
    c.changed = {}
    for f in sorted(set(s.file for s in c.conv)):
        with open(os.path.join(work, f)) as fh:
            new = fh.read()
        if new != c.base_text(f):
            c.changed[f] = new
