# SPDX-License-Identifier: GPL-2.0
"""The patch series of a conversion: a git repository holding the base and
one commit per MAINTAINERS section, `git format-patch` output, the
subject prefixes, Cc: lines and texts a maintainer reads.

Subject prefix: the subsystem's own convention from `git log` of the path
when the tree has history (the most common "word: word: " chain of the last
50 subjects); otherwise derived from the path (documented fallback):
drivers/<a>/<b>/... -> "<a>: <b>: ", drivers/<a>/x.c -> "<a>: ",
fs/<a> -> "<a>: ", net/<a> -> "net: <a>: ", mm -> "mm: ", block ->
"block: ", <top>/<a>/... -> "<top>: <a>: ", <top>/x.c -> "<top>: ".
"""

import collections
import functools
import os
import re
import subprocess
import textwrap

import pinconv_tree as pt
from conversion import describe

WHY_PIN = """\
get_user_pages*() and iov_iter_get_pages*() hand out plain page
references, which the rest of the kernel cannot tell apart from any other
reference.  Pages held that way for DMA or for writing through the kernel
mapping race with writeback, page migration and file system callbacks
(Documentation/core-api/pin_user_pages.rst, cases 1, 2 and 5).
pin_user_pages*() takes FOLL_PIN pins instead, which
page_maybe_dma_pinned() can see, and unpin_user_page*() releases them."""

WHY_EXTRACT = """\
iov_iter_get_pages2() takes a page reference on every page it returns,
whatever the iterator type.  iov_iter_extract_pages() pins user-backed
iterators (IOVEC/UBUF) with FOLL_PIN, as pin_user_pages.rst asks for pages
that are written behind the file system's back, and takes nothing on the
others: a BVEC already holds references, a KVEC must not get any.
iov_iter_extract_will_pin() tells which one happened, and its answer is
kept next to the pages, as bio's BIO_PAGE_PINNED and fuse's
args.is_pinned do, so the release unpins only what was pinned."""

WHY_PUT_USER_PAGE = """\
Pages from get_user_pages*() are released with put_page() like any other
page, so mm/ cannot tell a page held for DMA from a page cache reference
(Documentation/core-api/pin_user_pages.rst).  Releasing them with the
put_user_page*() calls marks every such release, so the switch to
tracked pins becomes a change inside mm/ only."""

PLACEHOLDER_MSG = """\
mm: introduce put_user_page*(), placeholder versions

Add put_user_page(), put_user_pages() and put_user_pages_dirty_lock(),
for releasing pages that get_user_pages*() returned.  For now they only
call put_page() (after set_page_dirty_lock() where asked), so callers can
be converted one subsystem at a time, and the pages can later be tracked
as pinned without touching the callers again
(Documentation/core-api/pin_user_pages.rst).
"""

PLACEHOLDER_H = """\
/*
 * put_user_page() - release a page obtained by get_user_pages*().
 *
 * A placeholder that calls put_page() for now; see
 * Documentation/core-api/pin_user_pages.rst.
 */
static inline void put_user_page(struct page *page)
{
	put_page(page);
}

void put_user_pages(struct page **pages, unsigned long npages);
void put_user_pages_dirty_lock(struct page **pages, unsigned long npages,
			       bool make_dirty);

"""

PLACEHOLDER_C = """
/**
 * put_user_pages() - release pages obtained by get_user_pages*()
 * @pages:  array of pages to be released
 * @npages: number of pages in the @pages array
 *
 * A placeholder that calls put_page() on each page for now.
 */
void put_user_pages(struct page **pages, unsigned long npages)
{
	unsigned long index;

	for (index = 0; index < npages; index++)
		put_user_page(pages[index]);
}
EXPORT_SYMBOL(put_user_pages);

/**
 * put_user_pages_dirty_lock() - release and optionally dirty gup-ed pages
 * @pages:      array of pages to be maybe marked dirty, and definitely released
 * @npages:     number of pages in the @pages array
 * @make_dirty: whether to mark the pages dirty
 *
 * set_page_dirty_lock() on each page when @make_dirty, then
 * put_user_page().
 */
void put_user_pages_dirty_lock(struct page **pages, unsigned long npages,
			       bool make_dirty)
{
	unsigned long index;

	for (index = 0; index < npages; index++) {
		if (make_dirty)
			set_page_dirty_lock(pages[index]);
		put_user_page(pages[index]);
	}
}
EXPORT_SYMBOL(put_user_pages_dirty_lock);
"""


def add_placeholders(mm_h, gup_c):
    """Return the new texts of include/linux/mm.h and mm/gup.c with the
    placeholders, or None when no anchor is found."""
    m = re.search(r"^(?:int|long) get_user_pages_fast\(", mm_h, re.M)
    if not m:
        return None
    new_h = mm_h[:m.start()] + PLACEHOLDER_H + mm_h[m.start():]
    new_c = gup_c.rstrip("\n") + "\n" + PLACEHOLDER_C
    return new_h, new_c


def git(repo, *args, env=None, check=True, inp=None):
    e = dict(os.environ)
    e.update({"GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    if env:
        e.update(env)
    r = subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=e, input=inp,
                       errors="replace")
    if check and r.returncode:
        raise RuntimeError("git %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


# The fallback on a tree without history: the first pattern matching the
# path (a directory matches everything under it) gives the prefix; \1, \2
# are the pattern's groups.  Taken from the subsystems' own logs; the
# cover letter warns that prefixes made this way are guessed.
PREFIX_TABLE = [
    (r"arch/x86/kernel/cpu/sgx/", "x86/sgx: "),
    (r"arch/x86/kvm/", "KVM: x86: "),
    (r"arch/s390/kvm/", "KVM: s390: "),
    (r"arch/powerpc/kvm/e500", "KVM: PPC: e500: "),
    (r"arch/powerpc/kvm/book3s", "KVM: PPC: Book3S: "),
    (r"arch/powerpc/kvm/", "KVM: PPC: "),
    (r"arch/arm64/kvm/", "KVM: arm64: "),
    (r"arch/x86/([^/]+)/", r"x86/\1: "),
    (r"arch/([^/]+)/", r"\1: "),
    (r"virt/kvm/", "KVM: "),
    (r"drivers/accel/([^/]+)/", r"accel/\1: "),
    (r"drivers/gpu/drm/([^/]+)/", r"drm/\1: "),
    (r"drivers/infiniband/(?:hw|sw)/([^/]+)/", r"RDMA/\1: "),
    (r"drivers/infiniband/([^/]+)/", r"RDMA/\1: "),
    (r"drivers/iommu/iommufd/selftest", "iommufd/selftest: "),
    (r"drivers/iommu/iommufd/", "iommufd: "),
    (r"drivers/virt/nitro_enclaves/", "nitro_enclaves: "),
    (r"drivers/virt/([^/]+)/", r"virt: \1: "),
    (r"drivers/misc/([^/]+)/", r"misc: \1: "),
    (r"drivers/media/(?:[^/]+/)*?([^/]+)/[^/]+$", r"media: \1: "),
    (r"drivers/vfio/", "vfio: "),
    (r"drivers/vhost/", "vhost: "),
    (r"drivers/xen/", "xen: "),
    (r"drivers/([^/]+)/([^/]+)/", r"\1: \2: "),
    (r"drivers/([^/]+)/", r"\1: "),
    (r"kernel/events/uprobes\.c", "uprobes: "),
    (r"kernel/events/", "perf/core: "),
    (r"kernel/trace/", "tracing: "),
    (r"mm/([^/]+)\.c", r"mm/\1: "),
    (r"lib/iov_iter\.c", "iov_iter: "),
    (r"net/([^/]+)/", r"net/\1: "),
    (r"fs/([^/]+)/", r"\1: "),
    (r"(io_uring|block|mm|crypto|security|sound|lib|kernel|net|fs)/", r"\1: "),
]


def path_prefix(rel):
    """The documented fallback prefix of a path (PREFIX_TABLE)."""
    for pat, rep in PREFIX_TABLE:
        m = re.match(pat, rel)
        if m:
            return m.expand(rep)
    return ""


def subject_prefix(kdir, files, is_git):
    """The prefix for a patch touching files (relative paths), and how it
    was found: "git log" (the most common "word: word: " chain of the
    last 50 subjects of `git log --format=%s -- files`) or "guessed"
    (PREFIX_TABLE on their common path)."""
    if is_git:
        r = subprocess.run(["git", "-C", kdir, "log", "--no-merges", "-n", "50",
                            "--format=%s", "--"] + list(files),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, errors="replace")
        cnt = collections.Counter()
        for s in r.stdout.split("\n"):
            m = re.match(r"^((?:[\w./-]+(?: [\w./-]+)?: )+)", s)
            if m and not m.group(1).lower().startswith(("revert", "merge")):
                cnt[m.group(1)] += 1
        if cnt:
            best = max(cnt.items(), key=lambda kv: (kv[1], kv[0]))
            return best[0], "git log"
    common = os.path.commonpath(files) if len(files) > 1 else files[0]
    if os.path.isfile(os.path.join(kdir, common)):
        return path_prefix(common), "guessed"
    return path_prefix(common + "/x.c"), "guessed"


GUP_SECTION = "MEMORY MANAGEMENT - GUP"


@functools.lru_cache(maxsize=None)
def gup_cc(kdir):
    """linux-mm@kvack.org and the maintainers, reviewers and lists of the
    tree's "MEMORY MANAGEMENT - GUP" section; a tree from before that
    section (6.12 has none) gives mm/gup.c's maintainers instead."""
    out, cur = [], None
    try:
        with open(os.path.join(kdir, "MAINTAINERS"), errors="replace") as f:
            for line in f:
                if line[:1].isalpha() and not re.match(r"^[A-Z]:", line):
                    cur = line.strip()
                    continue
                if cur and cur.startswith(GUP_SECTION):
                    m = re.match(r"^([MRL]):\s*(.*\S)", line)
                    if m:
                        out.append(m.group(2))
    except OSError:
        pass
    how = GUP_SECTION
    if not out:
        out, _ = maintainers_cc(kdir, ["mm/gup.c"])
        how = "mm/gup.c (the tree has no %s section)" % GUP_SECTION
    if not any("linux-mm@kvack.org" in a for a in out):
        out.append("linux-mm@kvack.org")
    return tuple(out), how


@functools.lru_cache(maxsize=None)
def _gup_section(kdir):
    """Whether the tree's MAINTAINERS has the GUP section."""
    try:
        with open(os.path.join(kdir, "MAINTAINERS"), errors="replace") as f:
            return any(line.startswith(GUP_SECTION) for line in f)
    except OSError:
        return False


def cc_list(kdir, files):
    """get_maintainer.pl's list for the files, then the GUP people (on a
    tree without the GUP section, mm/gup.c's maintainers come from the
    same get_maintainer.pl run)."""
    extra = [] if _gup_section(kdir) else ["mm/gup.c"]
    cc, _ = maintainers_cc(kdir, list(files) + extra)
    for a in gup_cc(kdir)[0] if not extra else ["linux-mm@kvack.org"]:
        if a not in cc:
            cc.append(a)
    return cc


def maintainers_cc(kdir, files):
    """Cc: addresses from the tree's get_maintainer.pl --no-git."""
    gm = os.path.join(kdir, "scripts/get_maintainer.pl")
    if not os.path.isfile(gm):
        return [], "scripts/get_maintainer.pl not in the tree"
    cmd = ["perl", gm, "--no-git", "--no-git-fallback", "--no-rolestats",
           "--no-roles", "--no-tree"]
    for f in files:
        cmd += ["-f", f]
    r = subprocess.run(cmd, cwd=kdir, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, errors="replace")
    if r.returncode:
        return [], "get_maintainer.pl failed: " + r.stderr.strip()[:200]
    out = [l.strip() for l in r.stdout.split("\n") if "@" in l]
    return out, ""


def identity(repo):
    """Author for the commits: the user's git identity, else pinconv."""
    name = git(repo, "config", "user.name", check=False).stdout.strip()
    mail = git(repo, "config", "user.email", check=False).stdout.strip()
    if name and mail:
        return name, mail
    return "pinconv", "pinconv@localhost"


# ---------------------------------------------------------------- the series

SPLIT_FILES = 6


def fixed_date(kdir):
    e = os.environ.get("SOURCE_DATE_EPOCH")
    if not e:
        e = str(int(os.stat(os.path.join(kdir, "Makefile")).st_mtime))
    return "@%s +0000" % e


USES = {
    "dma": "the device reads or writes them by DMA",
    "cpu": "the CPU reads or writes them through a kernel mapping",
    "meta": "page metadata only (flags, pfn, the page's identity)",
    "getref": "further page references are taken on them",
}


def _uses(sites):
    u = []
    for s in sites:
        for x in s.rec.get("uses", []) or []:
            if x not in u:
                u.append(x)
    return u


def unique_subject(c, prefix, base, alts):
    """prefix + base, or with the first alternative that makes it unique
    in this run (c.subjects is shared by every series of the run)."""
    for cand in [base] + alts:
        s = prefix + cand
        if len(s) <= 75 and s not in c.subjects:
            c.subjects.add(s)
            return s
    n = 2
    while "%s%s (%d)" % (prefix, base, n) in c.subjects:
        n += 1
    s = "%s%s (%d)" % (prefix, base, n)
    c.subjects.add(s)
    return s


def commit_message(c, conv, left, prefix, cc, ident):
    """What a maintainer reads: what the change does and why, what touches
    the data, how long the pin lives and what pinconv did about
    FOLL_LONGTERM, which release paths changed, how it was tested.  File
    and line lists go to REVIEW.md and the cover letter."""
    import convert_select
    rules = sorted(set(s.rule for s in conv))
    has_extract = any(r.startswith("extract") for r in rules)
    has_pin = any(r.startswith("pin/") for r in rules)
    acqs = [s for s in conv if s.kind == "acq"]
    rels = [s for s in conv if s.kind == "rel"]
    afuncs = sorted(set(s.function for s in acqs))
    rfuncs = sorted(set(s.function for s in rels))
    funcs = ", ".join("%s()" % f for f in (afuncs or rfuncs))
    if has_extract and not has_pin:
        base = "use iov_iter_extract_pages() for user pages"
        why = WHY_EXTRACT
    elif c.prof == "put_user_page":
        base = "convert put_page() to put_user_page*()"
        why = WHY_PUT_USER_PAGE
    elif acqs:
        base = "pin user pages with pin_user_pages*()"
        why = WHY_PIN + ("\n\n" + WHY_EXTRACT if has_extract else "")
    else:
        base = "release user pages with unpin_user_page*()"
        why = WHY_PIN
    subj = unique_subject(c, prefix, base, ["%s in %s" % (base, funcs),
                                            "%s in %s" % (base.split(" with ")[0], funcs)])
    body = [subj, "", why, ""]
    # What touches the data.
    uses = _uses(rels)
    if uses:
        body += textwrap.wrap("What the pages are used for, as pinconv's plan "
                              "traced them: %s." % "; ".join(USES.get(u, u) for u in uses), 72)
        body.append("")
    # How long the pin lives, and FOLL_LONGTERM.
    fam = convert_select.family(c.kdir)
    for a in acqs:
        args = convert_select.call_args(c.base_text(a.file), a.line, a.col)
        fi = fam.get(a.call, {}).get("flags_arg", -1)
        flags = args[fi] if args and 0 <= fi < len(args) else None
        if a.rule == "pin/gup_to_pin":
            new = a.call.replace("get_user_pages", "pin_user_pages", 1)
            txt = "%s() calls %s() instead of %s()" % (a.function, new, a.call)
            if flags is not None:
                terms = [x.strip("() ") for x in flags.split("|")]
                kept = [x for x in terms if x != "FOLL_GET"] or ["0"]
                txt += " with the flags the caller passed (%s)%s" % (
                    " | ".join(kept), ", FOLL_GET dropped: pin_user_pages*() "
                    "refuse it" if "FOLL_GET" in terms else "")
        elif a.rule and a.rule.startswith("extract"):
            txt = "%s() calls iov_iter_extract_pages() instead of %s()" % (a.function, a.call)
            flags = None
        else:
            continue
        body += textwrap.wrap(txt + ".", 72)
        if flags is not None and "FOLL_LONGTERM" in flags:
            body += textwrap.wrap("The pin is FOLL_LONGTERM, as the caller asked: it "
                                  "lives until the release below.", 72)
        elif flags is not None or (a.rule or "").startswith("extract"):
            body += textwrap.wrap(
                "FOLL_LONGTERM is not added: pinconv's plan does not judge yet how "
                "long the pin lives, so it does not guess; a pin kept beyond "
                "the call (in a long-lived object) needs it.", 72)
        body.append("")
    # Which release paths changed.
    if rels:
        body.append("Release paths changed:")
        body.append("")
        for f in rfuncs:
            ds = sorted(set(describe(s) for s in rels if s.function == f))
            body += textwrap.wrap("%s(): %s" % (f, "; ".join(ds)), 72,
                                  initial_indent="  ", subsequent_indent="    ")
        body.append("")
    if c.placeholder:
        body += ["put_user_page*() come from the previous patch (placeholders).", ""]
    if any(s.mode == "mixed" for s in conv):
        body += textwrap.wrap(
            "Pages of other origins reach the same release, so pages of "
            "iterators that are not pinned (BVEC) keep the reference "
            "iov_iter_get_pages2() took, and every other store of a page "
            "clears the flag.  iov_iter_get_pages2() refused KVEC iterators, "
            "iov_iter_extract_pages() accepts them without a reference, and "
            "get_page() on a KVEC page (slab, vmalloc) is wrong: check that no "
            "caller passes one.", 72) + [""]
    body += [TESTED, ""]
    # Generated-by in the kernel's own style (scripts/coccinelle patches),
    # kept under checkpatch's 75 columns.
    body += ["Generated by: pinconv (convert/%s.cocci)" % r for r in rules]
    body += ["Cc: " + a for a in cc]
    body += ["Signed-off-by: %s <%s>" % ident]
    return "\n".join(body) + "\n"


TESTED = "PINCONV-TESTED"       # replaced by review.py with the checks that ran


def _fixes_tag(c, s):
    """A Fixes: line from the tree's history (the commit that added the
    release line), or None on a tree without history."""
    if not c.is_git:
        return None
    lines = c.base_text(s.file).split("\n")
    text = lines[s.line - 1].strip() if 0 < s.line <= len(lines) else ""
    if not text:
        return None
    r = subprocess.run(["git", "-C", c.kdir, "log", "--reverse", "--abbrev=12",
                        "--format=%h (\"%s\")", "-S" + text, "--", s.file],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                       errors="replace")
    first = r.stdout.split("\n")[0].strip()
    return "Fixes: " + first if first else None


def _acq_flags(c, a):
    import convert_select
    fam = convert_select.family(c.kdir)
    args = convert_select.call_args(c.base_text(a.file), a.line, a.col)
    fi = fam.get(a.call, {}).get("flags_arg", -1)
    return args[fi] if args and 0 <= fi < len(args) else None


FIX_WHY = {
    "unpin": """\
A page pinned with FOLL_PIN carries a pin (GUP_PIN_COUNTING_BIAS
references, or the folio's pin count), which only unpin_user_page()
drops.  put_page() drops one reference, so the folio stays marked as
DMA-pinned (folio_maybe_dma_pinned()) and is never freed.  Release it
with unpin_user_page().""",
    "put": """\
__free_page() frees a page that belongs to the process: it is still
mapped in its page tables and may be in the page cache.  Drop the
reference get_user_pages*() took with put_page() instead.""",
    "array": """\
The call took a reference on every page of the array (the function
returns unless it got all of them).  On the error path one page is freed
with __free_page() and the function returns: __free_page() frees a page
that still belongs to the process (mapped in its page tables, maybe in
the page cache), and the references on the other pages are never
dropped.  Drop every reference the call took with release_pages(), the
batched put_page(), as the normal release path does with put_page().
This patch changes the page releases only: whatever else the function
set up before the failing step (DMA mappings, buffers) is as it was.""",
}


def fix_message(c, sconv, prefix, cc, ident):
    """The commit message of a fix patch: what goes wrong, along the
    plan's chain, and the fix; Fixes: from the history when there is one."""
    funcs = sorted(set(s.function for s in sconv))
    modes = sorted(set(s.mode for s in sconv))
    if modes == ["unpin"]:
        exprs = sorted(set(s.rec.get("expr", "") for s in sconv))
        subj = "unpin %s in %s()" % (", ".join(exprs), ", ".join(funcs))
    elif modes == ["array"]:
        subj = "put the user pages on the error paths of %s()" % ", ".join(funcs)
    else:
        subj = "release user pages with the right call in %s()" % ", ".join(funcs)
    subj = unique_subject(c, prefix, subj, ["release user pages with the right call"])
    body = [subj, ""]
    tags = []
    # One explanation per release call of one function and one acquisition.
    groups = {}
    for s in sconv:
        acq = (s.fix_acqs or [None])[0]
        k = (s.file, s.function, s.call, s.mode, acq.key if acq else "")
        groups.setdefault(k, []).append(s)
    for (file, func, call, mode, _), ss in sorted(groups.items()):
        acq = (ss[0].fix_acqs or [None])[0]
        what = "pinned pages" if mode == "unpin" else "pages that get_user_pages*() returned"
        body += textwrap.wrap("%s() in %s releases %s with %s()%s:" % (
            func, file, what, call, "" if len(ss) == 1 else
            " at %d places" % len(ss)), 72)
        body.append("")
        seen = set()
        for s in ss:
            for h in s.rec.get("chain") or []:
                line = "    %s: %s" % (h.get("file"), h.get("what", ""))
                if line not in seen:
                    seen.add(line)
                    body.append(line)
        flags = _acq_flags(c, acq) if acq and mode == "unpin" else None
        if flags:
            body.append("")
            body += textwrap.wrap("%s() is called with %s%s." % (
                acq.call, flags, "; the pin is long-term: it lives in %s until "
                "this release" % ss[0].rec.get("expr", "the carrier")
                if "FOLL_LONGTERM" in flags else ""), 72)
        body += [""] + FIX_WHY[mode].split("\n") + [""]
        for s in ss:
            tag = _fixes_tag(c, s)
            if tag and tag not in tags:
                tags.append(tag)
    body.append(TESTED)
    body.append("")
    if not tags:
        body += textwrap.wrap("No Fixes: tag: %s has no git history to name the "
                              "commit that added the release." % os.path.basename(c.kdir), 72)
        body.append("")
    body += tags
    body += ["Cc: " + a for a in cc]
    body += ["Signed-off-by: %s <%s>" % ident]
    return "\n".join(body) + "\n"


def build(c):
    """The series of c.changed: a repository of the base (a sparse clone of
    a git tree, or a snapshot of the touched files), one commit per
    MAINTAINERS section (a large one split per directory), format-patch.
    Fills c.base, c.repo, c.touched, c.ph_files, c.patch_sections,
    c.patches, and each converted site's patch number."""
    kdir, work = c.kdir, c.work
    if c.prof == "put_user_page" and c.conv and not pt.declares(kdir, "put_user_page"):
        r = add_placeholders(c.base_text("include/linux/mm.h"),
                             c.base_text("mm/gup.c"))
        if r is None:
            pt.die("cannot place the put_user_page placeholders in include/linux/mm.h")
        c.ph_files = {"include/linux/mm.h": r[0], "mm/gup.c": r[1]}
    sections = {}
    maint = pt.Maintainers(kdir)
    for f in c.changed:
        sections.setdefault(maint.section_of(f), []).append(f)
    # A large section is split per directory (per driver), one patch each.
    split = set()
    for sec in list(sections):
        dirs = sorted(set(os.path.dirname(f) for f in sections[sec]))
        if len(sections[sec]) > SPLIT_FILES and len(dirs) > 1:
            files = sections.pop(sec)
            split.add(sec)
            for d in dirs:
                sections["%s (%s)" % (sec, d)] = [f for f in files
                                                  if os.path.dirname(f) == d]
    repo = c.repo = os.path.join(work, "repo")
    date = fixed_date(kdir)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    touched = c.touched = sorted(set(c.changed) | set(c.ph_files))
    if c.is_git:
        git(work, "clone", "-q", "--shared", "--no-checkout", kdir, repo)
        git(repo, "sparse-checkout", "set", "--no-cone", *touched)
        git(repo, "checkout", "-q", "--detach", "HEAD")
    else:
        os.makedirs(repo)
        git(repo, "init", "-q")
        for f in touched:
            p = os.path.join(repo, f)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as fh:
                fh.write(c.base_text(f))
        git(repo, "add", "-A")
        git(repo, "-c", "user.name=pinconv", "-c", "user.email=pinconv@localhost",
            "commit", "-q", "-m",
            "base: %s %s, as found in %s" % (os.path.basename(kdir),
                                             pt.kernel_version(kdir), kdir),
            env=env)
    ident = identity(repo)
    base = c.base = git(repo, "rev-parse", "HEAD").stdout.strip()
    cenv = dict(env, GIT_AUTHOR_NAME=ident[0], GIT_AUTHOR_EMAIL=ident[1],
                GIT_COMMITTER_NAME=ident[0], GIT_COMMITTER_EMAIL=ident[1])

    def commit(files, msg):
        for f, text in files.items():
            with open(os.path.join(repo, f), "w") as fh:
                fh.write(text)
        git(repo, "add", "-f", "--", *sorted(files))
        git(repo, "commit", "-q", "-F", "-", env=cenv, inp=msg)

    def patch_of(f):
        sec = maint.section_of(f)
        return "%s (%s)" % (sec, os.path.dirname(f)) if sec in split else sec

    c.patch_sections = []
    if c.ph_files:
        cc = cc_list(kdir, sorted(c.ph_files))
        msg = PLACEHOLDER_MSG + "\nGenerated by: pinconv (placeholder patch)\n" + \
            "".join("Cc: %s\n" % a for a in cc) + "Signed-off-by: %s <%s>\n" % ident
        commit(c.ph_files, msg)
        c.subjects.add(msg.split("\n")[0])
        c.patch_sections.append(("MEMORY MANAGEMENT (placeholders)", sorted(c.ph_files), [], []))
    conv, left = c.conv, c.left
    for sec in sorted(sections):
        files = sorted(sections[sec])
        sconv = [s for s in conv if s.file in files]
        sleft = [s for s in left if patch_of(s.file) == sec]
        prefix, how = subject_prefix(kdir, files, c.is_git)
        c.prefix_how[len(c.patch_sections) + 1] = how
        cc = cc_list(kdir, files)
        commit({f: c.changed[f] for f in files},
               fix_message(c, sconv, prefix, cc, ident) if c.fix else
               commit_message(c, sconv, sleft, prefix, cc, ident))
        c.patch_sections.append((sec, files, sconv, sleft))
    pdir = os.path.join(work, "patches")
    # A single patch goes without a cover letter unless COVER=1; its notes
    # go below its "---" line (review.py).
    c.cover = len(c.patch_sections) > 1 or os.environ.get("COVER", "") == "1"
    git(repo, "format-patch", "-q", "--base=" + base, "-o", pdir, base + "..HEAD",
        *(["--cover-letter"] if c.cover else []), env=cenv)
    c.patches = sorted(os.path.join(pdir, p) for p in os.listdir(pdir))
    real = [p for p in c.patches if not p.endswith("0000-cover-letter.patch")]
    for n, (_, _, sconv, _) in enumerate(c.patch_sections, 1):
        for s in sconv:
            s.patch, s.patch_file = n, os.path.basename(real[n - 1])
