# SPDX-License-Identifier: GPL-2.0
"""What pinconv knows about a kernel tree, read from the tree itself.

- is_kernel_tree(), kernel_version(): from the top-level Makefile.
- gup_family(): every page-acquiring function the tree declares in
  include/linux/mm.h and include/linux/uio.h, with the index of its
  pages and flags parameters, read from the prototypes.
- api_profile(): put_user_page (v5.2-v5.5), pin (v5.6+), or none, and
  whether iov_iter_extract_pages() exists (v6.3+).
- Maintainers: MAINTAINERS parsed once; section_of() maps many files.
- tree_id(), report_dir(), write_atomic(): where reports go and how they
  are written (temp name + rename, never a half-written report).
"""

import collections
import hashlib
import json
import os
import concurrent.futures
import re
import subprocess
import sys

PROFILES = ("put_user_page", "pin")

# Which names belong to the family is a naming rule; which of them exist,
# and their signatures, come from the tree's headers.
FAMILY_RE = re.compile(
    r"^(?:__)?(?:get|pin)_user_pages?(?:_[a-z_]+)?$"
    r"|^iov_iter_get_pages\w*$|^iov_iter_extract_pages$"
    r"|^get_dump_page$|^memfd_pin_folios$")
FAMILY_HEADERS = ("include/linux/mm.h", "include/linux/uio.h")


def die(msg, code=2):
    print("pinconv: " + msg, file=sys.stderr)
    sys.exit(code)


def cache_root(*parts):
    """The one cache root: $PINCONV_CACHE, else $XDG_CACHE_HOME/pinconv,
    else ~/.cache/pinconv (joined with parts).  Everything cached of a tree
    is keyed by its content or its package version, never by "6.12"."""
    root = os.environ.get("PINCONV_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "pinconv")
    return os.path.join(root, *parts)


def run_main(main, *args):
    """Run a stage's main() with pinconv's exit codes: its own return
    value (0 clean, 1 findings or failed checks), 2 for usage and tool
    errors, and also 2 when interrupted (SIGINT, SIGTERM) or when the stage
    crashes, with one `pinconv:` line first (a crash's traceback follows
    it), so a CI job never reads a crash as "findings"."""
    import signal
    import traceback

    def _terminate(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _terminate)
    try:
        rc = main(*args)
    except KeyboardInterrupt:
        die("interrupted; no report written")
    except BrokenPipeError:
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as e:  # a crash is a tool error, not a finding
        print("pinconv: internal error: %s: %s" % (type(e).__name__, e),
              file=sys.stderr)
        traceback.print_exc()
        sys.exit(2)
    sys.exit(rc or 0)


def default_kdir():
    """KDIR from the environment, else Debian's linux-source-6.12 unpacked
    once into the cache by scripts/default-tree.sh."""
    kdir = os.environ.get("KDIR", "")
    if kdir:
        return kdir
    import subprocess
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run([os.path.join(here, "default-tree.sh"), "6.12"],
                       stdout=subprocess.PIPE, text=True)
    if r.returncode:
        die("no KDIR= and the default tree (linux-source-6.12) is not available")
    return r.stdout.strip()


def is_kernel_tree(kdir):
    return (os.path.isfile(os.path.join(kdir, "Makefile")) and
            os.path.isfile(os.path.join(kdir, "include/linux/mm.h")) and
            os.path.isfile(os.path.join(kdir, "MAINTAINERS")))


def check_tree(kdir):
    if not kdir:
        die("no kernel tree given (KDIR=)")
    if not os.path.isdir(kdir):
        die("KDIR=%s: no such directory" % kdir)
    if not is_kernel_tree(kdir):
        die("KDIR=%s: not a kernel tree (no Makefile, include/linux/mm.h "
            "and MAINTAINERS)" % kdir)
    return os.path.realpath(kdir)


def kernel_version(kdir):
    vals = {}
    with open(os.path.join(kdir, "Makefile"), errors="replace") as f:
        for line in f:
            m = re.match(r"^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=\s*(\S*)",
                         line)
            if m:
                vals[m.group(1)] = m.group(2)
            if len(vals) == 4:
                break
    v = "%s.%s" % (vals.get("VERSION", "?"), vals.get("PATCHLEVEL", "?"))
    if vals.get("SUBLEVEL", "0") not in ("", "0"):
        v += "." + vals["SUBLEVEL"]
    return v + vals.get("EXTRAVERSION", "")


_LEXEME = re.compile(r"/\*.*?(?:\*/|\Z)|//[^\n]*|([\"'])((?:\\.|(?!\1)[^\\\n])*)(\\?)(.?)", re.S)
_NOT_NL = re.compile(r"[^\n]")


def _blank(m):
    s = m.group(0)
    q = m.group(1)
    if not q:                               # a comment
        return _NOT_NL.sub(" ", s)
    body, bsl, term = m.group(2), m.group(3), m.group(4)
    if bsl:                                 # a backslash ends the text
        body += bsl
        term = ""
    if term:                                # closed, or cut at a newline
        return q + _NOT_NL.sub(" ", body) + q
    if not body:
        return q
    return q + _NOT_NL.sub(" ", body[:-1]) + q


def strip_comments(text):
    """Blank out comments and string/char literals, keeping offsets and
    newlines so line numbers stay right (an unterminated literal ends at
    its line's end)."""
    return _LEXEME.sub(_blank, text)


def _strip_comments_loop(text):
    """The reference implementation strip_comments() must agree with
    (tests/t0001)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) +
                       (c if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_args(s):
    """Split a C argument list at top-level commas."""
    args, depth, cur = [], 0, []
    for c in s:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        args.append("".join(cur).strip())
    return args


def _param_name(p):
    m = re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*$", p)
    return m.group(1) if m else ""


def gup_family(kdir):
    """{name: {header, line, returns_page, pages_arg, flags_arg, kind}}.

    kind: "get" (FOLL_GET reference), "pin" (FOLL_PIN) or "extract"
    (pins only user-backed iterators: iov_iter_extract_will_pin()).
    pages_arg/flags_arg: 0-based index, or -1 when there is none.
    Cached by the headers' content and this file's (parsing mm.h takes
    seconds, and every stage asks).
    """
    with open(os.path.abspath(__file__), "rb") as f:
        h = hashlib.sha1(f.read())
    for hdr in FAMILY_HEADERS:
        path = os.path.join(kdir, hdr)
        h.update(hdr.encode() + b"\0")
        if os.path.isfile(path):
            with open(path, "rb") as f:
                h.update(f.read())
    cache = cache_root("family", h.hexdigest() + ".json")
    try:
        with open(cache) as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    fam = _gup_family(kdir)
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        write_atomic(cache, json.dumps(fam, sort_keys=True))
    except OSError:
        pass
    return fam


_DECL = re.compile(r"(?:^|[;}\n])\s*((?:extern\s+|static\s+|inline\s+|"
                   r"__always_inline\s+)*[\w\s\*]+?)\b(\w+)\s*\(([^;{)]*(?:\([^)]*\)[^;{)]*)*)\)\s*[;{]",
                   re.S)
_TYPE_CHAR = re.compile(r"[\w\s*]")


def _family_decls(text):
    """_DECL's matches for the family's names in text.  _DECL is tried
    only where a family name is followed by "(", from where its return
    type starts (the first ;, } or newline before it that only type
    words follow): over the whole of mm.h it took 1.6 s (a lazy type
    from every newline of the blanked comments), this way milliseconds."""
    for m in re.finditer(r"\b(\w+)\s*\(", text):
        if not FAMILY_RE.match(m.group(1)):
            continue
        s = m.start()
        while s > 0 and _TYPE_CHAR.match(text, s - 1):
            s -= 1
        if s > 0 and text[s - 1] in ";}\n":
            s -= 1
        elif s > 0:
            s = text.find("\n", s, m.start())
            if s < 0:
                continue
        d = _DECL.match(text, s)
        if d and d.start(2) == m.start(1):
            yield d


def _gup_family(kdir):
    fam = {}
    for hdr in FAMILY_HEADERS:
        path = os.path.join(kdir, hdr)
        if not os.path.isfile(path):
            continue
        with open(path, errors="replace") as f:
            text = strip_comments(f.read())
        for m in _family_decls(text):
            ret, name, params = m.group(1), m.group(2), m.group(3)
            if name in fam:
                continue
            if re.search(r"\b(return|if|while|for|define)\b", ret):
                continue
            plist = split_args(" ".join(params.split()))
            pages = flags = -1
            for i, p in enumerate(plist):
                if re.search(r"struct\s+(page|folio)\s*\*\s*\*", p) and pages < 0:
                    pages = i
                if re.search(r"flags$", _param_name(p)) and \
                        "extraction" not in p and flags < 0:
                    flags = i
            if name.startswith("pin_") or name == "memfd_pin_folios":
                kind = "pin"
            elif name == "iov_iter_extract_pages":
                kind = "extract"
            else:
                kind = "get"
            fam[name] = {
                "header": hdr,
                "line": text.count("\n", 0, m.start(2)) + 1,
                "returns_page": bool(re.search(r"struct\s+page\s*\*\s*$",
                                               ret.strip())),
                "pages_arg": pages,
                "flags_arg": flags,
                "kind": kind,
            }
    return fam


def declares(kdir, name, headers=FAMILY_HEADERS):
    pat = re.compile(r"\b%s\s*\(" % re.escape(name))
    for hdr in headers:
        path = os.path.join(kdir, hdr)
        if os.path.isfile(path):
            with open(path, errors="replace") as f:
                if pat.search(strip_comments(f.read())):
                    return True
    return False


def api_profile(kdir):
    """(profile, extract_api) as the tree's headers say."""
    if declares(kdir, "unpin_user_page"):
        prof = "pin"
    elif declares(kdir, "put_user_page"):
        prof = "put_user_page"
    else:
        prof = "none"
    return prof, declares(kdir, "iov_iter_extract_pages")


def choose_profile(kdir, override=None):
    prof, extract = api_profile(kdir)
    if override:
        if override not in PROFILES:
            die("unknown API=%s (known: %s)" % (override, ", ".join(PROFILES)))
        prof = override
        if prof != "pin":
            extract = False
    elif prof == "none":
        # v5.2 and older: the placeholders get added by the series.
        prof = "put_user_page"
    return prof, extract


def source_files(kdir):
    """The tree's *.c and *.h files, relative to kdir, sorted: in a git
    tree the tracked ones still present and the untracked ones git does
    not ignore (a dirty tree is analysed as it is on disk), else every one
    on disk."""
    if os.path.isdir(os.path.join(kdir, ".git")):
        ls = ["git", "-C", kdir, "ls-files", "-z", "--", "*.c", "*.h"]
        r = subprocess.run(ls[:4] + ["-c", "-o", "--exclude-standard"] + ls[4:],
                           stdout=subprocess.PIPE)
        gone = subprocess.run(ls[:4] + ["-d"] + ls[4:], stdout=subprocess.PIPE)
        if r.returncode == 0 and gone.returncode == 0:
            files = set(r.stdout.decode(errors="replace").split("\0"))
            files -= set(gone.stdout.decode(errors="replace").split("\0"))
            return sorted(f for f in files if f)
    r = subprocess.run(["find", ".", "-type", "f", "(", "-name", "*.c", "-o",
                        "-name", "*.h", ")"], cwd=kdir, stdout=subprocess.PIPE)
    return sorted(f[2:] for f in r.stdout.decode(errors="replace").split("\n")
                  if f.startswith("./"))


# Readers at once: a tree read from disk is bound by the disk's latency,
# not by grep (one grep -r over a cold 6.12 tree: 51 s; eight: 8 s).
GREP_READERS = 8


def grep_tree(kdir, args, files=None, lines=False):
    """The files (relative to kdir; default: source_files()) in which
    `grep args` finds a line, as a set; with lines, grep's output lines
    ("file:text", in file order).  GREP_READERS greps at once."""
    files = source_files(kdir) if files is None else sorted(files)
    if not files:
        return [] if lines else set()
    n = max(1, min(2000, -(-len(files) // (GREP_READERS * 4))))
    chunks = [files[i:i + n] for i in range(0, len(files), n)]
    opts = ["-H"] if lines else ["-l"]

    def one(chunk):
        r = subprocess.run(["grep"] + opts + args + ["--"] + chunk, cwd=kdir,
                           stdout=subprocess.PIPE)
        if r.returncode not in (0, 1):
            die("grep failed in %s" % kdir, 1)
        return r.stdout.decode(errors="replace").split("\n")

    out = []
    with concurrent.futures.ThreadPoolExecutor(GREP_READERS) as pool:
        for got in pool.map(one, chunks):
            out += [x for x in got if x]
    return out if lines else set(out)


def _git(kdir, *args):
    import subprocess
    return subprocess.run(["git", "-C", kdir] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, universal_newlines=True,
                          errors="replace")


def tree_state(kdir):
    """A key for "the tree has this content": what decides whether a
    scan.json or plan.json made earlier still describes it.  A git work
    tree: the committed tree, the working tree's diff against it and the
    untracked C sources by content (git hashes content).  Any other tree:
    every source file's path, size and modification time (a Debian tree
    unpacked by default-tree.sh is never written, so this is its content).
    None when the tree cannot be read."""
    h = hashlib.sha1()
    if _git(kdir, "rev-parse", "--show-toplevel").stdout.strip() == \
            os.path.realpath(kdir):
        for args in (("rev-parse", "HEAD^{tree}"),
                     ("diff", "HEAD", "--binary", "--no-color", "--no-ext-diff",
                      "--relative", "--"),
                     ("ls-files", "-o", "-s", "--", "*.c", "*.h")):
            r = _git(kdir, *args)
            if r.returncode != 0:
                return None
            h.update(r.stdout.encode(errors="replace"))
        for name in sorted(_git(kdir, "ls-files", "-o", "--", "*.c", "*.h")
                           .stdout.splitlines()):
            try:
                with open(os.path.join(kdir, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read())
            except OSError:
                pass
        return "git:" + h.hexdigest()
    todo = [kdir]
    entries = []
    while todo:
        d = todo.pop()
        try:
            it = os.scandir(d)
        except OSError:
            return None
        with it:
            for e in it:
                if e.name.startswith(".") and e.name != ".pinconv-unpacked":
                    continue
                if e.is_dir(follow_symlinks=False):
                    todo.append(e.path)
                elif e.name.endswith((".c", ".h")) or e.name in (
                        "Makefile", "Kbuild", "MAINTAINERS", ".pinconv-unpacked"):
                    st = e.stat(follow_symlinks=False)
                    entries.append("%s %d %d" % (e.path[len(kdir):], st.st_size,
                                                 st.st_mtime_ns))
    entries.sort()
    h.update("\n".join(entries).encode(errors="replace"))
    return "stat:" + h.hexdigest()


def tree_id(kdir):
    """A short, stable, readable name for a tree: its directory name and
    version, plus a hash of its real path so two trees never share one."""
    kdir = os.path.realpath(kdir)
    h = hashlib.sha1(kdir.encode()).hexdigest()[:6]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(kdir)) or "tree"
    return "%s-%s" % (base, h)


def report_dir(kdir, out=None):
    if out:
        return os.path.abspath(out)
    root = os.environ.get("PINCONV_REPORTS") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reports")
    return os.path.join(root, tree_id(kdir))


def write_atomic(path, data):
    """Write path whole or not at all: a temporary name, then a rename.
    A full disk or a read-only OUT is a tool error (exit 2) that leaves
    no partial file, under either name."""
    d = os.path.dirname(path)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        if d:
            os.makedirs(d, exist_ok=True)
        with open(tmp, "w") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        die("cannot write %s: %s" % (path, e.strerror or e))


def dump_json(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def tree_info(kdir, api=None):
    prof, extract = choose_profile(kdir, api)
    return {
        "path": os.path.realpath(kdir),
        "version": kernel_version(kdir),
        "api_profile": prof,
        "extract_api": extract,
    }


class Maintainers:
    """MAINTAINERS, parsed once.  section_of(file) gives the section
    get_maintainer.pl would list first: the one whose F:/N: pattern
    matches most specifically (deepest path), X: patterns excluding."""

    def __init__(self, kdir):
        self.sections = []
        path = os.path.join(kdir, "MAINTAINERS")
        cur = None
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = re.match(r"^([A-Z]):\s*(.*)$", line)
                if m:
                    if cur is not None and m.group(1) in "FXN":
                        cur[m.group(1)].append(m.group(2).strip())
                    continue
                if line and not line[0].isspace():
                    cur = {"name": line.strip(), "F": [], "X": [], "N": []}
                    self.sections.append(cur)
                else:
                    cur = None
        self.sections = [s for s in self.sections if s["F"] or s["N"]]
        self._compiled = {}
        self._memo = {}
        # Sections by their F: patterns' first one or two whole directories
        # before any wildcard ("" when there is none, and every section
        # with an N: regex): a path needs only its own directories' ones.
        self._byprefix = collections.defaultdict(set)
        for i, s in enumerate(self.sections):
            for pat in s["F"]:
                dirs = re.split(r"[*?]", pat, 1)[0].split("/")[:-1]
                self._byprefix["/".join(dirs[:2])].add(i)
            if s["N"]:
                self._byprefix[""].add(i)

    def _section(self, i):
        """Section i with its patterns compiled (on first use: a path
        only ever needs the few sections _candidates() names)."""
        if i not in self._compiled:
            s = self.sections[i]
            self._compiled[i] = (s["name"],
                                 [self._glob(p) for p in s["F"]],
                                 [self._glob(p) for p in s["X"]],
                                 [re.compile(p) for p in s["N"] if self._okre(p)])
        return self._compiled[i]

    @staticmethod
    def _okre(p):
        try:
            re.compile(p)
            return True
        except re.error:
            return False

    @staticmethod
    def _glob(pat):
        """get_maintainer.pl's file_match_pattern(): a trailing / matches
        the whole subtree, otherwise the file must have as many / as the
        pattern; * and ? are wildcards.  The rank is its pattern depth
        (slashes, +1 without a trailing /), exact names before globs."""
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                     for c in pat)
        slashes = pat.count("/")
        depth = slashes + (0 if pat.endswith("/") else 1)
        rank = (depth, 0 if ("*" in pat or "?" in pat) else 1)
        return re.compile("^" + rx), slashes, pat.endswith("/"), rank

    @staticmethod
    def _match(g, relpath):
        rx, slashes, isdir, _ = g
        if not rx.match(relpath):
            return False
        return isdir or relpath.count("/") == slashes

    def section_of(self, relpath):
        if relpath not in self._memo:
            self._memo[relpath] = self._section_of(relpath)
        return self._memo[relpath]

    def _candidates(self, relpath):
        """The sections that can match relpath: an F: pattern whose
        literal start is a prefix of it, or any N: regex."""
        dirs = relpath.split("/")[:-1]
        keys = ["", "/".join(dirs[:1]), "/".join(dirs[:2])]
        found = set()
        for k in set(keys):
            found |= self._byprefix.get(k, set())
        return [self._section(i) for i in sorted(found)]

    def _section_of(self, relpath):
        best, best_rank = "THE REST", (-1, 0)
        for name, fs, xs, ns in self._candidates(relpath):
            if name == "THE REST":
                continue
            if any(self._match(g, relpath) for g in xs):
                continue
            rank = max([g[3] for g in fs if self._match(g, relpath)],
                       default=None)
            if rank is None and any(rx.search(relpath) for rx in ns):
                rank = (0, 0)
            if rank is not None and rank > best_rank:
                best, best_rank = name, rank
        return best
