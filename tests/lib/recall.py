#!/usr/bin/python3
"""recall.py SCAN_JSON — cross-check a scan against a plain token search.

An independent, deliberately simple check: `grep -rnw` of the family's
names over the tree's .c/.h files (tools/ excluded, as scan excludes it),
then drop by line-level rules only: comment lines, hits inside a string
or after //, hits not followed by "(" (references such as
EXPORT_SYMBOL(name)), and prototypes/definitions (a type and the name at
the start of a statement, no '=' or 'return').  Every remaining hit must
be a scan site or listed in "unparsed"; every site must be a grep hit.
Prints the counts per category and each unexplained difference; exits 1
if there is one."""

import json
import re
import subprocess
import sys

scan = json.load(open(sys.argv[1]))
kdir = scan["tree"]["path"]
names = sorted(scan["family"])
r = subprocess.run(["grep", "-rnwE", "--include=*.c", "--include=*.h",
                    "|".join(names), "."], cwd=kdir, stdout=subprocess.PIPE,
                   text=True, errors="replace")
cats = {}
calls = set()
for line in r.stdout.splitlines():
    path, ln, text = line.split(":", 2)
    path = path[2:]
    if path.startswith("tools/"):
        continue
    s = text.strip()
    for m in re.finditer(r"\b(%s)\b" % "|".join(names), text):
        pre, post = text[:m.start()], text[m.end():]
        if s.startswith(("*", "/*", "//")) or "//" in pre or \
                ("/*" in pre and "*/" not in pre):
            cat = "comment"
        elif pre.count('"') % 2 == 1:
            cat = "string"
        elif not re.match(r"\s*\(", post):
            cat = "reference"
        elif re.match(r"^\s*(#\s*define\s+)$", pre):
            cat = "macro definition"
        elif re.match(r"^\s*((static|extern|inline|__always_inline|const|"
                      r"unsigned|struct|long|int|bool|void|ssize_t|[a-z_]+_t)"
                      r"\b[\s\*]*)+$", pre) and not re.search(r"\w+\s+\w+\s*=", pre):
            cat = "declaration"
        elif re.match(r"^\s*((static|extern|inline)\s+)*struct\s+\w+\s*\*+\s*$",
                      pre):
            cat = "declaration"
        else:
            cat = "call"
            calls.add((path, int(ln)))
        cats[cat] = cats.get(cat, 0) + 1

sites = {(s["file"], s["line"]) for s in scan["sites"]}
unparsed = {(u["file"], u["line"]) for u in scan["unparsed"]}
bad = 0
for c in sorted(calls - sites - unparsed):
    print("grep call not in scan: %s:%d" % c)
    bad += 1
for s in sorted(sites - calls):
    # A site grep sees on another line (multi-line call) is no miss.
    print("scan site not a grep call: %s:%d" % s)
    bad += 1
print("grep hits by category: %s" % ", ".join(
    "%s %d" % kv for kv in sorted(cats.items())))
print("scan: %d sites, %d unparsed; grep calls: %d; unexplained: %d" % (
    len(sites), len(unparsed), len(calls), bad))
sys.exit(1 if bad else 0)
