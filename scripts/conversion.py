# SPDX-License-Identifier: GPL-2.0
"""The one record a conversion passes between its stages, and the sites
it is made of.

    convert.py         reads the plan, makes a Conversion, runs the stages
    convert_select.py  Site actions: which sites are rewritten, and why not
    convert_rewrite.py the rules applied to copies: Conversion.changed
    series.py          the git repository, commits, format-patch: .patches
    verify.py          the checks of every patch: .checks
    review.py          cover letter, REVIEW.md, convert.json in .tmp_out

A Conversion holds what a run knows about the tree (kdir, profile, plan,
how to read a base file) and what one series is made of (SUBSYS words,
its sites, the converted texts, then the patches and their checks).
SUBSYS=all makes one per MAINTAINERS section with for_section().
"""

import dataclasses
import os
import sys
from typing import Callable, Optional

import kapi  # the one table of the kernel's page API

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(TOP, "semantic-patches/convert")
RELEASE_RULE_CALLS = ("put_page", "release_pages")
# Release primitives; any other release "call" in the plan is a helper that
# releases what it is given, converted where its own primitive is.
PRIMITIVES = kapi.CONVERT_PRIMITIVES
ITER_GET = ("iov_iter_get_pages2", "iov_iter_get_pages_alloc2",
            "iov_iter_get_pages", "iov_iter_get_pages_alloc")
CHECK_NAMES = ("am", "build", "sparse", "checkpatch", "again", "rescan")

# Scratch directories to remove on exit; seconds spent per activity.
WORK = []
TIMING = {}


def note(msg):
    print("pinconv: " + msg, file=sys.stderr)


class Site:
    def __init__(self, kind, rec):
        self.kind = kind              # "acq" or "rel"
        self.rec = rec
        self.file = rec["file"]
        self.line = rec["line"]
        self.col = rec["col"]
        self.function = rec.get("function", "")
        self.call = rec.get("call") or rec.get("api") or ""
        self.verdict = rec.get("verdict", "")
        self.action = "left"
        self.why = ""
        self.rule = None
        self.mode = None
        self.group = None
        self.section = None
        self.patch = None             # the number of the patch converting it
        self.patch_file = None        # and that patch's file name

    @property
    def key(self):
        return "%s:%d" % (self.file, self.line)

    @property
    def pos(self):
        return "%s:%d:%d" % (self.file, self.line, self.col)

    def sortkey(self):
        return (self.file, self.line, self.col, self.kind)


@dataclasses.dataclass
class Conversion:
    # The run: the tree and how it is converted.
    kdir: str
    prof: str
    extract_api: bool
    api: Optional[str]
    plan_path: str
    out: Optional[str]
    is_git: bool = False
    base_text: Callable[[str], str] = None
    extra: dict = dataclasses.field(default_factory=dict)   # rule -> spatch args
    fix: bool = False          # a series of fixes (MISMATCH), not of conversions
    subjects: set = dataclasses.field(default_factory=set)  # of the whole run
    # One series: what it converts.
    where: str = ""
    slug: str = ""
    sites: list = dataclasses.field(default_factory=list)
    changed: dict = dataclasses.field(default_factory=dict)  # file -> new text
    work: str = ""
    # Filled by the series and verify stages.
    base: Optional[str] = None
    repo: Optional[str] = None
    touched: list = dataclasses.field(default_factory=list)
    ph_files: dict = dataclasses.field(default_factory=dict)
    patch_sections: list = dataclasses.field(default_factory=list)
    cover: bool = False        # the series has a cover letter
    prefix_how: dict = dataclasses.field(default_factory=dict)  # patch -> "git log"/"path"
    patches: list = dataclasses.field(default_factory=list)
    checks: dict = dataclasses.field(default_factory=dict)
    tmp_out: str = ""
    dest: str = ""

    @property
    def conv(self):
        return [s for s in self.sites if s.action == "convert"]

    @property
    def left(self):
        return [s for s in self.sites if s.action == "left"]

    @property
    def placeholder(self):
        return bool(self.ph_files)

    def for_section(self, where, slug, sites, work):
        """The record of one series of a SUBSYS=all run."""
        files = set(s.file for s in sites if s.action == "convert")
        return dataclasses.replace(
            self, where=where, slug=slug, sites=sites, work=work,
            changed={k: v for k, v in self.changed.items() if k in files},
            base=None, repo=None, touched=[], ph_files={}, patch_sections=[], prefix_how={},
            patches=[], checks={}, tmp_out="", dest="")


def in_scope(path, scope):
    if scope is None:
        return True
    return any(path == s or path.startswith(s.rstrip("/") + "/") for s in scope)


def read_text(kdir, rel, cache={}):
    key = (kdir, rel)
    if key not in cache:
        try:
            with open(os.path.join(kdir, rel), errors="replace") as f:
                cache[key] = f.read()
        except OSError:
            cache[key] = ""
    return cache[key]


def describe(s):
    what = "%s()" % s.call
    if s.action == "convert":
        new = {"pin/gup_to_pin": "pin_user_pages*()",
               "pin/put_to_unpin": "unpin_user_page*()",
               "put_user_page/put_to_put_user_page": "put_user_page*()",
               "extract/get_pages2_to_extract":
                   "iov_iter_extract_pages()" if s.kind == "acq" else
                   "unpin_user_page() if pinned" + (", else put_page()" if s.mode == "mixed" else "")}
        if s.rule == "fix/mismatch":
            return "%s -> %s" % (what, {
                "unpin": "unpin_user_page()", "put": "put_page()",
                "array": "release_pages(%s) (every page the call took)" %
                ", ".join(getattr(s, "fix_array", ("?", "?")))}[s.mode])
        return "%s -> %s" % (what, new.get(s.rule, "?"))
    return what


def chain_text(s):
    hops = s.rec.get("chain") or []
    return " -> ".join("%s:%s %s" % (h.get("file"), h.get("line"), h.get("what", ""))
                       for h in hops)
