#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""srcfn.py — find a site in a kernel source file by function and call, not
by line number (a distribution point release moves lines).

    srcfn.py line FILE FUNCTION TEXT [N]   the line number of the N-th line
                                           (1-based; default: the only one)
                                           of FUNCTION's definition holding
                                           TEXT (a fixed string)
    srcfn.py hash FILE FUNCTION            a short sha1 of FUNCTION's text

A definition is a line that starts in column 0, names FUNCTION before a
"(" (or is SYSCALL_DEFINEn(FUNCTION, ...)) and is not a declaration; it
ends at the first "}" in column 0 after it.  Exit 1 with one line on
stderr when the function or the text is not found exactly as asked.
"""
import hashlib
import re
import sys


def function_lines(path, func):
    """(first, lines) of FUNCTION's definition in PATH: the 1-based number
    of its first line and its lines."""
    with open(path, errors="replace") as f:
        lines = f.read().split("\n")
    head = re.compile(r"^(?:[A-Za-z_].*[\s*])?%s\s*\(|^(?:COMPAT_)?SYSCALL_DEFINE\d\(%s\s*[,)]"
                      % (re.escape(func), re.escape(func)))
    found = []
    i = 0
    while i < len(lines):
        if head.match(lines[i]) and not lines[i].rstrip().endswith(";"):
            # A prototype may span lines: it is a definition when a "{"
            # in column 0 (or at the end of the head) comes before a ";".
            j = i
            while j < len(lines) and not lines[j].startswith("{") and \
                    not lines[j].rstrip().endswith("{") and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and not lines[j].rstrip().endswith(";"):
                k = j
                while k < len(lines) and not lines[k].startswith("}"):
                    k += 1
                found.append((i + 1, lines[i:k + 1]))
                i = k
        i += 1
    if len(found) != 1:
        sys.exit("srcfn: %s: %d definitions of %s()" % (path, len(found), func))
    return found[0]


def main(argv):
    if len(argv) >= 4 and argv[1] == "line":
        first, lines = function_lines(argv[2], argv[3])
        hits = [first + n for n, l in enumerate(lines) if argv[4] in l]
        want = int(argv[5]) if len(argv) > 5 else None
        if want is None and len(hits) != 1:
            sys.exit("srcfn: %s: %s() has %d lines holding %r, want exactly one"
                     % (argv[2], argv[3], len(hits), argv[4]))
        if want is not None and not 1 <= want <= len(hits):
            sys.exit("srcfn: %s: %s() has %d lines holding %r, not a %d-th"
                     % (argv[2], argv[3], len(hits), argv[4], want))
        print(hits[(want or 1) - 1])
    elif len(argv) == 4 and argv[1] == "hash":
        _, lines = function_lines(argv[2], argv[3])
        print(hashlib.sha1("\n".join(lines).encode()).hexdigest()[:12])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
