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
import os
import re
import subprocess

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


def path_prefix(rel):
    parts = rel.split("/")
    dirs = parts[:-1]
    if not dirs:
        return ""
    top = dirs[0]
    if top == "drivers":
        sub = [d for d in dirs[1:3]]
        return "".join(s + ": " for s in sub) if sub else "drivers: "
    if top in ("fs", "mm", "block", "kernel", "lib", "io_uring", "crypto",
               "security", "sound", "virt"):
        if top in ("mm", "block", "io_uring"):
            return top + ": "
        return (dirs[1] + ": ") if len(dirs) > 1 else top + ": "
    if top == "net":
        return ("net: %s: " % dirs[1]) if len(dirs) > 1 else "net: "
    return "".join(s + ": " for s in dirs[:2])


def subject_prefix(kdir, files, is_git):
    """The prefix for a patch touching files (relative paths)."""
    common = os.path.commonpath(files) if len(files) > 1 else files[0]
    if is_git:
        r = subprocess.run(["git", "-C", kdir, "log", "--no-merges", "-n", "50",
                            "--format=%s", "--", common],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, errors="replace")
        cnt = collections.Counter()
        for s in r.stdout.split("\n"):
            m = re.match(r"^((?:[\w./-]+: )+)", s)
            if m:
                cnt[m.group(1)] += 1
        if cnt:
            best = max(cnt.items(), key=lambda kv: (kv[1], kv[0]))
            return best[0], "git log"
    if os.path.isfile(os.path.join(kdir, common)):
        return path_prefix(common), "path"
    return path_prefix(common + "/x.c"), "path"


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
