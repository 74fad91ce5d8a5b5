#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""scan.py — every page-acquiring call site of a kernel tree.

    make scan [KDIR=...] [OUT=...] [API=...]

1. family:     the acquiring functions the tree declares (pinconv_tree)
2. candidates: files that call one of them (grep for the names, then
               token_hits() on the file's code: comments, strings,
               declarations and definitions are no calls)
3. spatch:     semantic-patches/scan/gup_calls.cocci over the candidates,
               GNU parallel, per-file timeout
4. cross-check: a token search of the same files (comments, strings,
               declarations and definitions removed); every hit spatch
               did not report is listed under "unparsed" with the reason
5. output:     scan.json (scripts/schema/scan.schema.json), scan.md, and
               gcc-style notes on stdout; written atomically
"""

import hashlib
import heapq
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinconv_tree as pt  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULE = os.path.join(TOP, "semantic-patches/scan/gup_calls.cocci")
MACROS = os.path.join(TOP, "semantic-patches/scan/macros.h")
# --no-saved-typedefs: a typedef spatch guesses in one file must not
# change how it parses the next one of the same run (kvm_main.c parsed
# in a group of 40 gave other facts than alone; ceph's kfree(pages) became
# a declaration).  Each file's results then do not depend on its group.
# --python: spatch finds its interpreter by running the `python3` first on
# PATH (then ldd, ldconfig); a pyenv shim there costs 0.2 s per spatch
# and a Python that is not Debian's.  Named, it costs 0.02 s.
SPATCH_PYTHON = ["--python", sys.executable]
SPATCH_OPTS = ["--very-quiet", "--no-includes", "--include-headers",
               "--no-saved-typedefs"] + SPATCH_PYTHON
SPATCH_TIMEOUT = int(os.environ.get("PINCONV_SPATCH_TIMEOUT", "60"))
# Userspace code (tools/) never calls the kernel's GUP.
EXCLUDE_DIRS = ("tools/",)


def need_tools():
    for tool in ("spatch", "parallel", "grep"):
        if not shutil.which(tool):
            pt.die("%s not found (run scripts/deps.sh)" % tool)


def candidates(kdir, names):
    """Files of the tree calling one of names: a file
    naming them only in comments ("pages from get_user_pages()":
    mm/vmscan.c, mm/filemap.c, kernel/ptrace.c...) or strings, or only
    declaring or defining them, holds no call, and spatch need not read
    it."""
    pats = []
    for n in sorted(names):
        pats += ["-e", n]
    out = []
    for f in sorted(pt.grep_tree(kdir, ["-wF"] + pats)):
        if not f.startswith(EXCLUDE_DIRS):
            with open(os.path.join(kdir, f), errors="replace") as fh:
                if calls_any(fh.read(), names):
                    out.append(f)
    return out


def calls_any(text, names):
    """Whether text calls one of names, token_hits() (a file that only
    declares or defines them, mm/gup.c, holds no call site either)."""
    return any(True for _ in token_hits(pt.strip_comments(text), names))


def macro_file(workdir):
    """Coccinelle's standard.h without its SYSCALL_DEFINEn, plus ours."""
    std = "/usr/lib/coccinelle/standard.h"
    out = []
    if os.path.isfile(std):
        skip = False
        with open(std, errors="replace") as f:
            for line in f:
                if re.match(r"#define\s+(COMPAT_)?SYSCALL_DEFINE\d", line):
                    skip = True
                if not skip:
                    out.append(line)
                if skip and not line.rstrip().endswith("\\"):
                    skip = False
    with open(MACROS) as f:
        out.append(f.read())
    path = os.path.join(workdir, "macros.h")
    with open(path, "w") as f:
        f.write("".join(out))
    return path


# Each spatch is given a --file-groups listing of many files, one group
# per file: spatch then handles them one by one as if run on each alone
# (its matches, a typedef it guesses, a timeout stay with the file; see
# --no-saved-typedefs above), at one start-up (Python, the rules, the
# macro file: 0.1 s) for the lot.  Files given as one group (or on the
# command line) are matched as one set instead, at a cost that grows
# faster than their size, and a timeout aborts them all.  The files are
# dealt into CHUNKS_PER_JOB listings per job of about equal size, so the
# cores finish together.
CHUNKS_PER_JOB = 3


def chunks(kdir, files, n):
    """files dealt into at most n lists of about equal bytes, largest
    first to the least loaded (longest processing time first)."""
    sized = sorted((-os.path.getsize(os.path.join(kdir, f)), f) for f in files)
    heap = [(0, i) for i in range(min(n, len(sized)))]
    out = [[] for _ in heap]
    for neg, f in sized:
        total, i = heapq.heappop(heap)
        out[i].append(f)
        heapq.heappush(heap, (total - neg, i))
    return out


def jobs():
    return int(os.environ.get("PINCONV_JOBS") or os.cpu_count() or 2)


EXN = re.compile(r"^EXN: (.*) in (\S+)$", re.M)


def run_parallel(kdir, env, lists, workdir, name, rule):
    """One GNU parallel run of rule, a spatch per list of files (each file
    its own group).  Returns [(files, exit, stdout, stderr, {file: why}
    of the files spatch gave up on, their records to be dropped)]."""
    results = os.path.join(workdir, name)
    os.makedirs(results, exist_ok=True)
    listings = {}       # listing path -> index in lists
    for i, fs in enumerate(lists):
        path = os.path.join(results, "%d.groups" % i)
        with open(path, "w") as f:
            f.write("\n\n".join(fs) + "\n")
        listings[path] = i
    joblog = results + ".log"
    cmd = ["parallel", "--will-cite", "-j", str(jobs()),
           "--joblog", joblog, "--results", results + "/{#}/",
           "spatch"] + SPATCH_OPTS + [
           "--macro-file-builtins", os.path.join(workdir, "macros.h"),
           "--timeout", str(SPATCH_TIMEOUT), "--sp-file", rule,
           "--file-groups", "{}", ":::"] + list(listings)
    if sys.stderr.isatty() and not os.environ.get("PINCONV_QUIET"):
        cmd.insert(1, "--bar")
    subprocess.run(cmd, cwd=kdir, env=env, stdout=subprocess.DEVNULL)
    out = []
    with open(joblog) as f:
        next(f)
        for line in f:
            col = line.rstrip("\n").split("\t")
            seq, rc, command = col[0], int(col[6]), col[8]
            i = listings[command.rsplit(" --file-groups ", 1)[1]]
            files = lists[i]
            base = os.path.join(results, seq)
            read = lambda n: open(os.path.join(base, n), errors="replace").read()
            err = read("stderr")
            gave_up = {}
            for m in EXN.finditer(err):
                if m.group(2) in files:
                    gave_up[m.group(2)] = "timeout" if "Timeout" in m.group(1) else m.group(1)
            out.append((i, (files, rc, read("stdout"), err, gave_up)))
    return [o for _, o in sorted(out, key=lambda o: o[0])]


def run_groups(kdir, env, files, workdir, rule):
    """rule over files, chunks() of them to a spatch; the files of a
    spatch that failed as a whole run again one by one.  Returns (JSON
    records, {file: why} of the files spatch gave up on)."""
    recs, failed, retry = [], {}, []

    def take(out, gave_up):
        failed.update(gave_up)
        recs.extend(r for r in (json.loads(l) for l in out.splitlines() if l.startswith("{"))
                    if r["file"] not in gave_up)

    for fs, rc, out, err, gave_up in run_parallel(
            kdir, env, chunks(kdir, files, CHUNKS_PER_JOB * jobs()), workdir, "par", rule):
        if rc == 0:
            take(out, gave_up)
        else:
            retry += fs
    if retry:
        for fs, rc, out, err, gave_up in run_parallel(
                kdir, env, [[f] for f in sorted(retry)], workdir, "retry", rule):
            if rc != 0:
                why = "timeout" if "timeout" in err.lower() else \
                    (err.strip().splitlines() or ["exit %d" % rc])[-1]
                gave_up = {fs[0]: why}
            take(out if rc == 0 else "", gave_up)
    for rec in recs:
        if rec["file"].startswith("./"):
            rec["file"] = rec["file"][2:]
    return recs, failed


def cache_root():
    """Per-file spatch results, keyed by rule and content
    ($PINCONV_SPATCH_CACHE, default ~/.cache/pinconv/spatch)."""
    return os.environ.get("PINCONV_SPATCH_CACHE") or pt.cache_root("spatch")


def _rule_key(rule, env):
    """What besides a file's content decides a rule's output on it."""
    h = hashlib.sha1()
    for path in (rule, MACROS):
        with open(path, "rb") as f:
            h.update(f.read())
    for k in sorted(env):
        h.update(("%s=%s\n" % (k, env[k])).encode())
    h.update(" ".join(SPATCH_OPTS).encode())
    v = subprocess.run(["spatch", "--version"], stdout=subprocess.PIPE,
                       text=True).stdout.split("\n")[0]
    h.update(v.encode())
    return h.hexdigest()


def file_key(kdir, f):
    """A file's cache key: its path and content."""
    with open(os.path.join(kdir, f), "rb") as fh:
        return hashlib.sha1(f.encode() + b"\0" + fh.read()).hexdigest()


def family_env(family, extra_env=None):
    env = {"PINCONV_FAMILY": ",".join(sorted(family))}
    env.update(extra_env or {})
    return env


def rule_cache(rule, keyenv):
    return os.path.join(cache_root(), _rule_key(rule, keyenv)[:16])


def store(cdir, key, recs):
    pt.write_atomic(os.path.join(cdir, key + ".jsonl"), "".join(
        json.dumps(r, sort_keys=True) + "\n" for r in recs))


def store_scan(kdir, family, recs_by_file):
    """Cache the scan rule's records of files whose spatch ran it as
    part of another rule (scripts/facts.py runs it with the fact rules,
    one parse for both): the scan of those files then runs no spatch."""
    cdir = rule_cache(RULE, family_env(family))
    for f, recs in recs_by_file.items():
        store(cdir, file_key(kdir, f), recs)


def run_spatch(kdir, files, family, workdir, rule=RULE, extra_env=None,
               cache=True):
    """Run a JSON-Lines-printing rule over files with GNU parallel
    (run_groups).  Each file's records are cached by the file's path and
    content and the rule, so a rerun only runs spatch on what changed.
    Returns (records, the files that still failed, with spatch's
    reason)."""
    if not files:
        return [], {}
    macro_file(workdir)
    keyenv = family_env(family, extra_env)
    env = dict(os.environ, **keyenv)
    recs, todo, keys = [], [], {}
    cdir = rule_cache(rule, keyenv)
    for f in files:
        if not cache:
            todo.append(f)
            continue
        keys[f] = file_key(kdir, f)
        path = os.path.join(cdir, keys[f] + ".jsonl")
        if os.path.isfile(path):
            with open(path) as fh:
                recs += [json.loads(l) for l in fh if l.strip()]
        else:
            todo.append(f)
    if not todo:
        return recs, {}
    new, failed = run_groups(kdir, env, todo, workdir, rule)
    if cache:
        per = {}
        for rec in new:
            per.setdefault(rec["file"], []).append(rec)
        for f in todo:
            if f not in failed:
                store(cdir, keys[f], per.get(f, []))
    return recs + new, failed


CALL_KW = re.compile(r"\b(return|if|while|for|switch|case|else|sizeof|do)\b")


def token_hits(text, names):
    """Calls of names in comment- and string-free text, minus
    declarations, definitions and #define lines.
    Yields (line, col, name, kind) with kind 'call' or 'macro'."""
    rx = re.compile(r"\b(%s)\s*\(" % "|".join(map(re.escape, sorted(names))))
    lines = text.split("\n")
    for m in rx.finditer(text):
        ln = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1)
        before = lines[ln - 1][:col]
        # A #define line, or its continuation, holds the call.
        k = ln - 1
        while k > 0 and lines[k - 1].rstrip().endswith("\\"):
            k -= 1
        if lines[k].lstrip().startswith("#"):
            if re.match(r"\s*#\s*define\s+%s\b" % m.group(1), lines[ln - 1]):
                continue          # the family member's own macro definition
            yield ln, col, m.group(1), "macro"
            continue
        # "type name(" with nothing but a type before it: a declaration or
        # definition (the return type may be on the previous line).
        stmt = before
        if not stmt.strip():
            prev = lines[ln - 2].rstrip() if ln >= 2 else ""
            if prev and not prev.endswith((";", "{", "}", ")", ",", "=",
                                           "(", "&&", "||", ":", "?")) and \
                    re.search(r"[\w\*]\s*$", prev) and not CALL_KW.search(prev):
                stmt = prev + " "
        if re.match(r"^\s*(?:[A-Za-z_]\w*\s+|\*\s*)*[A-Za-z_]\w*[\s\*]+$",
                    stmt) and not CALL_KW.search(stmt) and \
                not re.search(r"[=(,]", stmt):
            continue
        yield ln, col, m.group(1), "call"


def call_args(text_lines, line, col, name):
    """The argument list of the call of name at line:col (1-based line,
    0-based col), as written, or None when it cannot be read."""
    src = "\n".join(text_lines[line - 1:line + 40])
    i = src.find(name, col)
    if i < 0:
        return None
    i = src.find("(", i + len(name))
    depth, j = 0, i
    while j < len(src):
        c = src[j]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return pt.split_args(" ".join(src[i + 1:j].split()))
        j += 1
    return None


def assigned_to(text_lines, line, col):
    """For `x = f(...)` or `type *x = f(...)`: x.  None otherwise."""
    before = text_lines[line - 1][:col].rstrip()
    k = line - 1
    while not before and k > 0:
        k -= 1
        before = text_lines[k - 1].rstrip()
    m = re.search(r"([\w\.\->\[\]\*]+)\s*=$", before)
    if not m or before.endswith(("==", "!=", "<=", ">=")):
        return None
    return m.group(1).lstrip("*")


def function_name(text_lines, rec):
    """spatch calls the body of a #define "something_else": name the macro."""
    if rec["function"] != "something_else":
        return rec["function"]
    k = rec["line"] - 1
    while k > 0 and text_lines[k - 1].rstrip().endswith("\\"):
        k -= 1
    m = re.match(r"\s*#\s*define\s+(\w+)", text_lines[k])
    return "#define " + m.group(1) if m else "(outside any function)"


def lvalue(arg):
    if arg is None:
        return None
    a = arg.strip()
    if a in ("NULL", "0"):
        return None
    if a.startswith("&"):
        a = a[1:].strip()
    return a


def diagnose(kdir, f, workdir):
    """Why spatch found no call in f: the parse errors spatch --parse-c
    reports, as [(line, around)]."""
    try:
        r = subprocess.run(["spatch", "--parse-c", "--no-includes",
                            "--macro-file-builtins",
                            os.path.join(workdir, "macros.h"), f],
                           cwd=kdir, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=SPATCH_TIMEOUT * 2)
    except subprocess.TimeoutExpired:
        return None
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(
        r"parse error\s*\n\s*= File \"[^\"]*\", line (\d+), column \d+.*?\n"
        r"\s*around = '([^']*)'", r.stdout)]


def scan(kdir, api=None, workdir=None):
    family = pt.gup_family(kdir)
    if not family:
        pt.die("%s declares no get_user_pages family in %s" %
               (kdir, " or ".join(pt.FAMILY_HEADERS)), 1)
    info = pt.tree_info(kdir, api)
    files = candidates(kdir, family)
    recs, failed = run_spatch(kdir, files, family, workdir)
    maint = pt.Maintainers(kdir)
    sec_cache = {}

    def section(f):
        if f not in sec_cache:
            sec_cache[f] = maint.section_of(f)
        return sec_cache[f]

    found = {}
    for r in recs:
        found[(r["file"], r["line"], r["col"])] = r
    sites, unparsed = [], []
    for f in files:
        with open(os.path.join(kdir, f), errors="replace") as fh:
            raw = fh.read()
        lines = raw.split("\n")
        clean = pt.strip_comments(raw)
        clean_lines = clean.split("\n")
        spatch_lines = {k[1] for k in found if k[0] == f}
        missing = []
        for ln, col, name, kind in token_hits(clean, family):
            if ln in spatch_lines:
                continue
            if kind == "macro":
                unparsed.append({"file": f, "line": ln, "api": name,
                                 "reason": "call inside a #define: spatch "
                                           "cannot see calls in macro bodies"})
            else:
                missing.append((ln, name))
        if missing:
            errors = None if f in failed else diagnose(kdir, f, workdir)
            if errors is None:
                why = ("spatch timed out on this file (%d s)" % SPATCH_TIMEOUT
                       if failed.get(f, "timeout") == "timeout" else
                       "spatch failed on this file: %s" % failed[f])
            elif errors:
                why = "spatch could not parse the enclosing function (%s)" % \
                    "; ".join("parse error at line %d near '%s'" % e
                              for e in errors)
            else:
                why = ("spatch parsed the file but did not match the call "
                       "(unknown macro or construct)")
            for ln, name in missing:
                unparsed.append({"file": f, "line": ln, "api": name,
                                 "reason": why})
        for key in sorted(k for k in found if k[0] == f):
            r = found[key]
            fam = family[r["api"]]
            args = call_args(clean_lines, r["line"], r["col"], r["api"])
            if args is None:
                args = []
            def arg(i):
                if i < 0 or i >= len(args):
                    return None
                # As written: take the text from the raw source.
                return args[i]
            if fam["returns_page"]:
                pages = assigned_to(clean_lines, r["line"], r["col"])
            else:
                pages = lvalue(arg(fam["pages_arg"]))
            sites.append({
                "file": f, "line": r["line"], "col": r["col"],
                "function": function_name(clean_lines, r), "api": r["api"],
                "kind": fam["kind"],
                "flags": arg(fam["flags_arg"]),
                "pages": pages,
                "subsystem": section(f),
            })
        del lines
    sites.sort(key=lambda s: (s["file"], s["line"], s["col"]))
    unparsed.sort(key=lambda u: (u["file"], u["line"], u["api"]))
    return {
        "schema": "pinconv-scan/1",
        "tree": info,
        "family": family,
        "sites": sites,
        "unparsed": unparsed,
    }


def markdown(scan):
    t = scan["tree"]
    out = ["# pinconv scan: %s (v%s)" % (t["path"], t["version"]), "",
           "API profile: `%s`; iov_iter_extract_pages: %s." %
           (t["api_profile"], "yes" if t["extract_api"] else "no"), "",
           "%d acquisition sites in %d files, %d MAINTAINERS sections; "
           "%d calls spatch could not analyse." %
           (len(scan["sites"]), len({s["file"] for s in scan["sites"]}),
            len({s["subsystem"] for s in scan["sites"]}), len(scan["unparsed"])),
           ""]
    by = {}
    for s in scan["sites"]:
        by.setdefault(s["subsystem"], []).append(s)
    for sec in sorted(by):
        out += ["## %s (%d)" % (sec, len(by[sec])), "",
                "| site | function | api | flags | pages |",
                "|---|---|---|---|---|"]
        for s in by[sec]:
            out.append("| %s:%d:%d | %s | %s | %s | %s |" % (
                s["file"], s["line"], s["col"], s["function"], s["api"],
                ("`%s`" % s["flags"]) if s["flags"] else "-",
                ("`%s`" % s["pages"]) if s["pages"] else "-"))
        out.append("")
    if scan["unparsed"]:
        out += ["## Not analysed by spatch", "", "| site | api | reason |",
                "|---|---|---|"]
        for u in scan["unparsed"]:
            out.append("| %s:%d | %s | %s |" % (u["file"], u["line"],
                                               u["api"], u["reason"]))
        out.append("")
    return "\n".join(out)


def notes(scan):
    out = []
    for s in scan["sites"]:
        out.append("%s:%d:%d: note: %s() in %s: %s pages into %s [%s]" % (
            s["file"], s["line"], s["col"] + 1, s["api"], s["function"],
            s["kind"], s["pages"] or "(none)", s["subsystem"]))
    for u in scan["unparsed"]:
        out.append("%s:%d:1: warning: %s() not analysed: %s" % (
            u["file"], u["line"], u["api"], u["reason"]))
    return out


def state_key(kdir, api):
    """What a scan.json describes: the tree's content (pt.tree_state), the
    scan's own files and API=.  scan.key next to scan.json holds it, and a
    scan.json is fresh exactly when its key is the tree's key now."""
    state = pt.tree_state(kdir)
    if state is None:
        return None
    h = hashlib.sha1(state.encode())
    for path in (os.path.abspath(__file__), pt.__file__, RULE, MACROS):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update((api or "").encode())
    return h.hexdigest()


def is_fresh(kdir, outdir, api):
    """scan.json in outdir describes the tree as it is now."""
    try:
        with open(os.path.join(outdir, "scan.key")) as f:
            old = f.read().strip()
    except OSError:
        return False
    return os.path.isfile(os.path.join(outdir, "scan.json")) and \
        old == state_key(kdir, api)


def main():
    need_tools()
    kdir = pt.check_tree(pt.default_kdir())
    api = os.environ.get("API") or None
    if api and api not in pt.PROFILES:
        pt.die("unknown API=%s (known: %s)" % (api, ", ".join(pt.PROFILES)))
    outdir = pt.report_dir(kdir, os.environ.get("OUT") or None)
    quiet = os.environ.get("PINCONV_QUIET")
    key = state_key(kdir, api)
    with tempfile.TemporaryDirectory(prefix="pinconv-scan.") as work:
        result = scan(kdir, api, work)
    t = result["tree"]
    print("pinconv: %s: Linux %s, API profile %s, iov_iter_extract_pages %s" %
          (t["path"], t["version"], t["api_profile"],
           "present" if t["extract_api"] else "absent"), file=sys.stderr)
    pt.write_atomic(os.path.join(outdir, "scan.md"), markdown(result))
    pt.write_atomic(os.path.join(outdir, "scan.json"), pt.dump_json(result))
    if key:
        pt.write_atomic(os.path.join(outdir, "scan.key"), key + "\n")
    if not quiet:
        for line in notes(result):
            print(line)
    print("pinconv: %d sites, %d not analysed; wrote %s/scan.json" %
          (len(result["sites"]), len(result["unparsed"]), outdir),
          file=sys.stderr)


if __name__ == "__main__":
    pt.run_main(main)
