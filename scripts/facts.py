#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""facts.py — the page-flow graph of a kernel tree, from spatch facts.

    facts.py KDIR GRAPH.json [SCAN.json]

1. candidates: the files that call a GUP-family function (scan.candidates);
               the files that can hold or release a page (page_files, new
               candidates come from these) are read meanwhile;
2. facts:      semantic-patches/facts/*.cocci (joined into one rule with
               the scan's, run by GNU parallel through scan.run_groups,
               cached per file content) print JSON Lines: calls and their
               arguments, moves, returns,
               declarations, function definitions, dirty loops, and
               which definition of a local page pointer reaches which
               use (defuse.cocci: a local's values on different paths
               stay apart);
3. graph:      every page expression is named as a carrier — a local
               (file:function:name), a struct field ("struct type.field",
               or "?.field" when the base's type is not known, joined to
               every typed field of that name), a function's return value
               or parameter — and every move, argument passed to a known
               function (static ones by file), return, and call through an
               ops table (".member = fn" initialisers) becomes an edge;
               acquisitions, other origins, releases and uses are told
               apart by callee name (the tables below);
4. iterate:    carriers reached from an acquisition name new functions and
               fields; the files that mention them (and can release or
               store pages) become candidates, until nothing new appears.

The graph (nodes, edges with the file:line hop that justifies them, seeds,
flags, releases) is what scripts/pinflow solves.
"""

import collections
import concurrent.futures
import functools
import hashlib
import itertools
import json
import operator
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kapi  # noqa: E402
import pinconv_tree as pt  # noqa: E402
import scan  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULE_DIR = os.path.join(TOP, "semantic-patches/facts")
RULES = ("calls", "moves", "decls", "dirty-loop", "defuse")
MAX_ROUNDS = 6
# The page allocator and GUP themselves, and the generic headers: flows
# into them are API calls, not helpers worth following.
NO_EXPAND = ("mm/", "include/", "tools/", "arch/x86/include/", "Documentation/")
GENERIC = re.compile(r"^(folio_|__folio|Page|SetPage|ClearPage|__SetPage|__ClearPage|"
                     r"list_|hlist_|xa_|xas_|mem(cpy|set|move|cmp)$|k[vz]?free$|"
                     r"vfree$|kvfree$|[A-Z_0-9]+$|dev_(dbg|err|warn|info)|pr_|"
                     r"trace_|lruvec_|mem_cgroup_|page_ref_|dump_page$|"
                     r"likely$|unlikely$|WARN|BUG|IS_ERR|PTR_ERR|ERR_PTR|"
                     r"min|max|swap$|sizeof)")

# The kernel page API (releases, other origins, same-page calls, iov_iter
# set-ups, uses, extra references, containers): scripts/kapi.json.
RELEASES = kapi.RELEASES
ORIGINS = kapi.ORIGINS
SAME_PAGE = kapi.SAME_PAGE
ITER_SETUP = kapi.ITER_SETUP
USES = kapi.USES
GETREF = kapi.GETREF
CONTAINERS = kapi.CONTAINERS
CONTAINER_STORES = kapi.CONTAINER_STORES
ITERATORS = kapi.ITERATORS
BIO_PAGES = "F:bio_vec.bv_page"
RARE_FIELD = 2
ARRAY_PTR = re.compile(r"struct\s+(page|folio)\s*\*\s*\*")
LIBRARY = ("lib/", "include/")
SKB_TYPE = re.compile(r"\bstruct\s+sk_buff\s*\*")

# Functions whose bodies are the APIs themselves: their insides are not
# followed (put_page() is a release, not a helper that releases).
PAGE_TYPE = re.compile(r"\b(struct\s+(page|folio|iov_iter|bio_vec|scatterlist|"
                       r"pipe_buffer|sg_table)|skb_frag_t)\b")
RELEASE_TOKEN = re.compile(
    r"\b(put_page|release_pages|folio_put|unpin_user_pages?\w*|put_user_pages?\w*|"
    r"page_cache_release|__free_pages?|bio_release_pages?|get_page|folio_get|"
    r"kmap\w*|sg_set_page|bio_add_page|dma_map_page)\b")

TOK = re.compile(r"->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[A-Za-z_]\w*|\d[\w.]*|\S")
BINOPS = {"==", "!=", "<", ">", "<=", ">=", "&&", "||", "|", "^", "%", "/",
          "<<", ">>", "!", "~", "sizeof"}
TYPEWORDS = {"struct", "union", "enum", "const", "volatile", "unsigned",
             "signed", "void", "char", "int", "long", "short", "u8", "u16",
             "u32", "u64", "size_t", "unsigned long", "bool", "__force",
             "__user", "uintptr_t", "phys_addr_t", "dma_addr_t"}


def api_names(family):
    return (set(family) | set(RELEASES) | set(ORIGINS) | set(ITER_SETUP) |
            set(USES) | set(GETREF) | set(SAME_PAGE) | set(kapi.ADDRESS_TO) |
            set(kapi.ADDRESS_FROM) | set(kapi.SKB_STORES) | set(kapi.SKB_RELEASES) |
            set(kapi.FIELD_ACCESSORS))


def tokens(s):
    return TOK.findall(s)


def _close(t, i):
    """Index of the bracket closing the one at t[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = 0
    for j in range(i, len(t)):
        if t[j] in pairs:
            depth += 1
        elif t[j] in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return len(t) - 1


def _split_top(t, seps):
    """Split tokens at depth-0 separators; returns (parts, separators)."""
    parts, cur, found, depth = [], [], [], 0
    for x in t:
        if x in "([{":
            depth += 1
        elif x in ")]}":
            depth -= 1
        if depth == 0 and x in seps:
            parts.append(cur)
            found.append(x)
            cur = []
        else:
            cur.append(x)
    parts.append(cur)
    return parts, found


def struct_name(typ):
    """'struct fuse_copy_state *' -> 'fuse_copy_state'; typedefs by name."""
    if not typ:
        return "?"
    m = re.search(r"\b(?:struct|union)\s+(\w+)", typ)
    if m:
        return m.group(1)
    words = [w for w in re.findall(r"\w+", typ) if w not in TYPEWORDS]
    return words[-1] if words else "?"


class Graph:
    """Nodes, edges and seeds, with the hops that justify them."""

    def __init__(self):
        self.node_ix = {}
        self.nodes = []
        self.hops = []
        self.hop_ix = {}
        self.edges = set()
        self.seeds = []
        self.flags = set()
        self.releases = []

    def node(self, name):
        i = self.node_ix.get(name)
        if i is None:
            i = self.node_ix[name] = len(self.nodes)
            self.nodes.append(name)
        return i

    def hop(self, file, line, what):
        key = (file, int(line), what)
        i = self.hop_ix.get(key)
        if i is None:
            i = self.hop_ix[key] = len(self.hops)
            self.hops.append({"file": file, "line": int(line), "what": what})
        return i

    def edge(self, a, b, hop):
        if a != b:
            self.edges.add((self.node(a), self.node(b), hop))

    def to_json(self):
        return {"nodes": self.nodes, "hops": self.hops,
                "edges": sorted(self.edges), "seeds": self.seeds,
                "flags": sorted(self.flags), "releases": self.releases}


class Facts:
    """All facts of the candidate files, and the graph built from them."""

    def __init__(self, kdir, family, bio_class="put"):
        self.kdir = kdir
        self.family = family
        self.bio_class = bio_class
        self.skip = api_names(family)
        self.recs = []
        self._keyed = []
        self.memo = {}
        self.decl = {}
        self.file_decl = {}
        self.params = collections.defaultdict(dict)
        self.defs = collections.defaultdict(set)
        self.static = set()
        self.calls = collections.defaultdict(dict)
        self.dirty = set()
        self.icalls = collections.defaultdict(dict)
        self.iters = collections.defaultdict(dict)
        self.du_def = collections.defaultdict(set)
        self.du_use = collections.defaultdict(set)
        self.call_at = collections.defaultdict(list)
        self.round_trips = {}

    # ---- indexes over the raw facts ----
    @staticmethod
    def _sortkey(r):
        return (r["file"], r.get("line", 0), r.get("col", 0), r["k"], r.get("n", -1),
                r.get("e") or r.get("dst") or r.get("name") or "",
                r.get("src") or r.get("callee") or r.get("member") or
                r.get("iterator") or r.get("fname") or "", r.get("dline", 0))

    def add(self, recs):
        """Index the facts of files not added before (each round's new
        files).  Facts come from the cache or from parallel spatch runs:
        they are indexed in one order, so node and hop numbers (and
        chains) never depend on it."""
        first = operator.itemgetter(0)
        keyed = sorted(((self._sortkey(r), r) for r in recs
                        if r.get("func") not in self.skip), key=first)
        # Two sorted runs, keys computed once: timsort merges them.
        self._keyed = sorted(self._keyed + keyed, key=first)
        self.recs = [r for _, r in self._keyed]
        new = [r for _, r in keyed]
        ncalls = len(self.calls)
        for r in new:
            k, f = r["k"], r["file"]
            if k == "decl":
                self.decl[(f, r["func"], r["name"])] = r["type"]
                self.file_decl.setdefault((f, r["name"]), r["type"])
            elif k == "param":
                self.decl[(f, r["fname"], r["name"])] = r["type"]
                self.params[(f, r["fname"])][r["n"]] = (r["name"], r["type"])
            elif k == "fundef":
                self.defs[r["name"]].add(f)
            elif k == "static":
                self.static.add((f, r["name"]))
            elif k == "call":
                self.calls[(f, r["line"], r["col"], r["callee"], r["func"])].update(
                    enumerate(r["args"]))
            elif k == "icall":
                self.icalls[(f, r["line"], r["col"], r["member"], r["func"])].update(
                    enumerate(r["args"]))
            elif k == "iter":
                self.iters[(f, r["line"], r["col"], r["iterator"], r["func"])].update(
                    enumerate(r["args"]))
            elif k == "dirtyloop":
                self.dirty.add((f, r["line"], r["col"]))
            elif k == "du":
                self.du_def[(f, r["func"], r["name"])].add(r["dline"])
                self.du_use[(f, r["func"], r["name"], r["line"])].add(r["dline"])
        for key in itertools.islice(self.calls, ncalls, None):
            self.call_at[(key[0], key[1], key[3])].append(key)

    def resolve(self, file, name):
        """Files defining the function name as seen from file.  Library
        functions (lib/, include/) are not followed from other files:
        their parameters and returns would join every caller."""
        if (file, name) in self.static:
            return [file]
        return sorted(f for f in self.defs.get(name, ())
                      if (f, name) not in self.static and
                      (f == file or not f.startswith(LIBRARY)))

    def ret_node(self, file, name):
        return ["R:%s:%s" % (f, name) for f in self.resolve(file, name)]

    def param_node(self, file, fname, n):
        p = self.params.get((file, fname), {}).get(n)
        return "L:%s:%s:%s" % (file, fname, p[0]) if p else None

    # ---- naming page expressions ----
    def typeof(self, t, file, func):
        if len(t) == 1 and re.match(r"[A-Za-z_]", t[0]):
            typ = self.decl.get((file, func, t[0])) or self.file_decl.get((file, t[0]))
            return struct_name(typ)
        if t and t[-1] == "]":
            depth, i = 0, len(t) - 1
            while i >= 0:
                if t[i] == "]":
                    depth += 1
                elif t[i] == "[":
                    depth -= 1
                    if depth == 0:
                        break
                i -= 1
            return self.typeof(t[:i], file, func)
        if t[:2] in (["container_of", "("], ["list_entry", "("],
                     ["list_first_entry", "("], ["list_last_entry", "("]):
            parts, _ = _split_top(t[2:_close(t, 1)], {","})
            if len(parts) >= 2:
                return struct_name(" ".join(parts[1]))
        if t and t[0] == "(" and _close(t, 0) == len(t) - 1:
            return self.typeof(t[1:-1], file, func)
        return "?"

    def carriers(self, expr, file, func, line, store=False):
        """Graph nodes an expression's page(s) live in ([] if none).
        store: the expression is written (a field of unknown struct type
        then feeds every typed field of that name; read, it is fed by
        them — two nodes, so unrelated structs do not merge)."""
        key = (expr, file, func, line, store)
        raw = self.memo.get(key)
        if raw is None:
            self.store = store
            raw = self.memo[key] = tuple(self._carriers(tokens(expr), file, func, line))
        out = []
        for c in raw:
            if c.startswith("C:"):
                out += self.ret_node(file, c[2:])
            else:
                out.append(c)
        return out

    def _carriers(self, t, file, func, line):
        while t and t[0] == "(" and _close(t, 0) == len(t) - 1:
            t = t[1:-1]
        if not t:
            return []
        parts, seps = _split_top(t, {"?", ":"})
        if "?" in seps and len(parts) >= 3:
            return (self._carriers(parts[1], file, func, line) +
                    self._carriers(parts[2], file, func, line))
        if any(x in BINOPS for x in self._depth0(t)):
            return []
        if t[0] in ("&", "*"):
            return self._carriers(t[1:], file, func, line)
        if t[0] == "(":
            j = _close(t, 0)
            inner = t[1:j]
            if inner and (inner[0] in TYPEWORDS or inner[-1] == "*"):
                return self._carriers(t[j + 1:], file, func, line)
        parts, seps = _split_top(t, {"+", "-"})
        if len(parts) > 1 and parts[0]:
            return self._carriers(parts[0], file, func, line)
        if t[0] == "(":
            # (*pages)[i]: the parenthesised base names the carrier.
            return self._carriers(t[1:_close(t, 0)], file, func, line)
        if t[0] in ("++", "--"):
            return self._carriers(t[1:], file, func, line)
        if t[-1] in ("++", "--"):
            return self._carriers(t[:-1], file, func, line)
        return self._postfix(t, file, func, line)

    @staticmethod
    def _depth0(t):
        out, depth = [], 0
        for x in t:
            if x in "([{":
                depth += 1
            elif x in ")]}":
                depth -= 1
            elif depth == 0:
                out.append(x)
        return out

    def _postfix(self, t, file, func, line):
        if not re.match(r"[A-Za-z_]", t[0]):
            return []
        # Only name (suffix)*: a call, an index, a member.
        i = 1
        while i < len(t):
            if t[i] in ("(", "["):
                i = _close(t, i) + 1
            elif t[i] in ("->", ".") and i + 1 < len(t) and \
                    re.match(r"[A-Za-z_]", t[i + 1]):
                i += 2
            else:
                return []
        # Find the last member access at depth 0.
        last, depth = -1, 0
        for i, x in enumerate(t):
            if x in "([{":
                depth += 1
            elif x in ")]}":
                depth -= 1
            elif depth == 0 and x in ("->", ".") and i + 1 < len(t):
                last = i
        if last > 0:
            field = t[last + 1]
            if not re.match(r"[A-Za-z_]\w*$", field):
                return []
            rest = t[last + 2:]
            if rest and rest[0] == "(":
                return []      # a call through a member: not a carrier
            typ = self.typeof(t[:last], file, func)
            if typ == "?" and t[last] == "." and self._depth0(t[:last])[-1:] != ["]"] \
                    and ("->" in self._depth0(t[:last]) or "." in self._depth0(t[:last])):
                # umem->sgt_append.sgt: a struct embedded in a field is
                # part of that field.
                return self._carriers(t[:last], file, func, line)
            if (typ, field) == ("folio", "page") or typ in CONTAINERS:
                # &folio->page is the folio's page; a bio_vec, sg entry
                # or frag holds the page of the variable it lives in.
                base = self._carriers(t[:last], file, func, line)
                if base:
                    return base
            if typ == "?":
                return ["F:?.%s%s@%s" % (field, ">" if self.store else "<", file)]
            return ["F:%s.%s" % (typ, field)]
        name = t[0]
        if len(t) > 1 and t[1] == "(":
            j = _close(t, 1)
            return self.call_result(name, t[2:j], file, func, line)
        if t[0] in ("NULL", "true", "false") or t[0].isupper() and len(t) == 1:
            return []
        if (file, func, name) in self.decl:
            return self._local(file, func, name, line)
        return ["G:%s:%s" % (file, name)]

    def _local(self, file, func, name, line):
        """A local page pointer with two or more definitions has a node
        per definition ("L:file:func:name#line"): a store at a definition
        line writes that version, a read sees the versions defuse.cocci
        says reach it (all of them when it says nothing).  The plain node
        holds what no definition fact names (parameters, other stores)
        and is read everywhere, so a missing fact loses no flow."""
        base = "L:%s:%s:%s" % (file, func, name)
        defs = self.du_def.get((file, func, name))
        if not defs or len(defs) < 2:
            return [base]
        if self.store:
            return [base + "#%d" % line] if line in defs else [base]
        seen = self.du_use.get((file, func, name, line)) or defs
        return [base] + [base + "#%d" % d for d in sorted(seen)]

    def call_result(self, name, args, file, func, line):
        if name in ORIGINS:
            return ["O:%s:%s:%d:%s" % (ORIGINS[name], file, line, name)]
        if name in SAME_PAGE:
            parts, _ = _split_top(args, {","})
            i = SAME_PAGE[name]
            return self._carriers(parts[i], file, func, line) if len(parts) > i else []
        if name in kapi.FIELD_ACCESSORS:
            return ["F:" + kapi.FIELD_ACCESSORS[name]]
        if name in kapi.ADDRESS_TO or name in kapi.ADDRESS_FROM:
            # page_address(page) is an address node fed by page's
            # carriers; virt_to_page(va) a page node, fed by va's when an
            # address node reaches va (build()), else a "virt" origin.
            parts, _ = _split_top(args, {","})
            i = (kapi.ADDRESS_TO.get(name) if name in kapi.ADDRESS_TO
                 else kapi.ADDRESS_FROM[name])
            if len(parts) <= i:
                return []
            arg = " ".join(parts[i])
            node = "%s:%s:%d:%s(%s)" % ("P" if name in kapi.ADDRESS_TO else "V",
                                        file, line, name, _short(arg))
            self.round_trips[node] = (name, arg, file, func, line)
            return [node]
        if name in self.family:
            if self.family[name].get("returns_page"):
                keys = [k for k in self.call_at.get((file, line, name), ())]
                return ["A:%s:%d:%d" % (k[0], k[1], k[2]) for k in keys] or \
                    ["A:%s:%d:-1" % (file, line)]
            return []
        if name in ("container_of", "list_entry", "list_first_entry"):
            return []
        return ["C:" + name]

    # ---- the graph ----
    def build(self, ops):
        g = Graph()
        self.g = g
        self.acq = {}
        for r in self.recs:
            if r["k"] == "mv":
                self._move(g, r)
            elif r["k"] == "ret":
                for c in self.carriers(r["e"], r["file"], r["func"], r["line"]):
                    for rn in self.ret_node(r["file"], r["func"]):
                        g.edge(c, rn, g.hop(r["file"], r["line"],
                                            "return %s" % _short(r["e"])))
        for key in sorted(self.calls):
            self._call(g, key, self.calls[key])
        for key in sorted(self.icalls):
            self._icall(g, key, self.icalls[key], ops)
        for key in sorted(self.iters):
            self._iterator(g, key, self.iters[key])
        # "?.f@file" is some struct's f, written (">") or read ("<") in
        # file where the base's type is not known.  A store reaches the
        # loads of the same file (the same expression, most often); a
        # load is fed by the typed fields of that name only when few
        # structs have one (pg, ind_page...): a field every driver has
        # (pages, page, sg) would be a hub joining them all.
        byfield = collections.defaultdict(list)
        for n in list(g.nodes):
            if n.startswith("F:") and not n.startswith("F:?."):
                byfield[n.split(".", 1)[1]].append(n)
        for n in list(g.nodes):
            if not n.startswith("F:?."):
                continue
            f, rest = n[4:].split("@", 1)[0], n.split("@", 1)[1]
            f, mode = f[:-1], f[-1]
            h = g.hop("", 0, "?.%s: a struct's %s (base type unknown)" % (f, f))
            if mode == "<" and len(byfield.get(f, ())) <= RARE_FIELD:
                for t in byfield[f]:
                    g.edge(t, n, h)
            if mode == ">":
                g.edge(n, "F:?.%s<@%s" % (f, rest), h)
        # A callee that fills an array or *out parameter it was given
        # (p9_get_mapped_pages(chan, &pages, ...)) hands pages back.
        arg_hops = set(b[2] for b in self.bindings)
        written = set(dst for src, dst, h in g.edges if h not in arg_hops)
        for c, p, h, addr in self.bindings:
            pi = g.node_ix.get(p)
            if pi is not None and pi in written and (addr or ARRAY_PTR.search(self.node_type(p))):
                g.edge(p, c, h)
            elif pi is not None and pi in written and kapi.CONTAINER_PTR.search(
                    self.node_type(p)):
                # An array of pages or of bio_vec/sg entries filled by the
                # callee: followed within the files read (a tree-wide
                # search from every sg list handed down is the DMA layer).
                hb = g.hop(g.hops[h]["file"], g.hops[h]["line"],
                           g.hops[h]["what"] + " [filled by the callee]")
                g.edge(p, c, hb)
                self.fill_hops.add(hb)
        self._round_trips(g)
        # A pipe buffer's page may be anyone's.
        for n in ("F:pipe_buffer.page",):
            if n in g.node_ix:
                g.seeds.append({"node": g.node(n), "kind": "pipe",
                                "hop": g.hop("", 0, "pipe buffer pages (any origin)"),
                                "acq": -1, "iter": -1})
        return g

    def _round_trips(self, g):
        """page_address(page), page_to_pfn(page): an address node fed by
        page.  virt_to_page(va), pfn_to_page(pfn): the same page when an
        address node reaches va (one pass: a second round trip through
        the page found is not followed), else a page of origin "virt"."""
        addrs, pfns = [], []
        for node, (name, arg, f, fn, line) in sorted(self.round_trips.items()):
            if node.startswith("P:"):
                h = g.hop(f, line, "%s(%s)" % (name, _short(arg)))
                for c in self.carriers(arg, f, fn, line):
                    g.edge(c, node, h)
                if node in g.node_ix:
                    (pfns if name in kapi.ADDRESS_TO_PFN else addrs).append(g.node_ix[node])
        adj = adjacency(g) if addrs or pfns else {}
        seen = reach(g, addrs, adj=adj) if addrs else set()
        if pfns:
            # A pfn is followed through the locals, parameters and returns
            # of its own file (vfio's put_pfn()): KVM's pfns go to every
            # architecture's MMU, whose pages are another question.
            def file_of(i):
                n = g.nodes[i]
                return n.split(":", 2)[1] if n[:2] in ("L:", "R:", "P:", "V:", "G:") else None
            todo = [(p, file_of(p)) for p in pfns]
            seen.update(pfns)
            while todo:
                n, fl = todo.pop()
                for m, _ in adj.get(n, ()):
                    if m not in seen and file_of(m) == fl:
                        seen.add(m)
                        todo.append((m, fl))
        # A struct field is shared by every struct of its type: it counts
        # as holding a page's address only where the same file writes one
        # into it (kvm_vcpu.run = page_address() in kvm_main.c, not
        # sk_buff.data in skbuff.c because some file did).
        vs = [(node, rt) for node, rt in sorted(self.round_trips.items())
              if node.startswith("V:") and node in g.node_ix]
        fhits = set()
        for node, (name, arg, f, fn, line) in vs:
            fhits |= set(c for c in self.carriers(arg, f, fn, line)
                         if c.startswith("F:") and g.node_ix.get(c) in seen)
        fed = collections.defaultdict(set)
        if fhits:
            fix = set(g.node_ix[c] for c in fhits)
            for a, b, h in g.edges:
                if b in fix and a in seen:
                    fed[g.nodes[b]].add(g.hops[h]["file"])
        for node, (name, arg, f, fn, line) in vs:
            # Library code (lib/, include/) turns any caller's address
            # back into a page (a KVEC's): a page of origin virt there.
            hit = [] if f.startswith(LIBRARY) else [
                c for c in self.carriers(arg, f, fn, line)
                if g.node_ix.get(c) in seen and (not c.startswith("F:") or f in fed[c])]
            if hit:
                h = g.hop(f, line, "%s(%s): the page whose address or pfn it is" % (
                    name, _short(arg)))
                for c in hit:
                    g.edge(c, node, h)
            else:
                g.seeds.append({"node": g.node_ix[node], "kind": "virt",
                                "hop": g.hop(f, line, "%s()" % name),
                                "acq": -1, "iter": -1})

    def _move(self, g, r):
        f, fn, line = r["file"], r["func"], r["line"]
        srcs = self.carriers(r["src"], f, fn, line)
        if not srcs:
            return
        dsts = self.carriers(r["dst"], f, fn, line, store=True)
        h = g.hop(f, line, "%s = %s" % (_short(r["dst"]), _short(r["src"])))
        # p = &ap->pages[n] makes p an alias of the array: what is
        # written through p lands in ap->pages.
        alias = ARRAY_PTR.search(self.decl.get((f, fn, r["dst"].strip()), ""))
        for s in srcs:
            self._origin_seed(g, s, f, line)
            for d in dsts:
                g.edge(s, d, h)
                if alias and not s.startswith(("O:", "R:", "A:")):
                    g.edge(d, s, h)

    def _origin_seed(self, g, node, file, line):
        if node.startswith("O:") and node not in self.seen_origin:
            self.seen_origin.add(node)
            kind, name = node.split(":")[1], node.split(":")[-1]
            g.seeds.append({"node": g.node(node), "kind": kind,
                            "hop": g.hop(file, line, "%s()" % name),
                            "acq": -1, "iter": -1})

    def _call(self, g, key, args):
        f, line, col, callee, fn = key
        for n, e in sorted(args.items()):
            for c in self.carriers(e, f, fn, line):
                self._origin_seed(g, c, f, line)
        if callee in self.family:
            self._acquisition(g, key, args)
            return
        if callee in kapi.SKB_STORES:
            e = args.get(kapi.SKB_STORES[callee])
            if e is not None:
                h = g.hop(f, line, "%s(%s): into the skb's frags" % (callee, _short(e)))
                for c in self.carriers(e, f, fn, line):
                    g.flags.add((g.node(c), "dma", h))
                    if 0 in args:
                        for d in self.carriers(args[0], f, fn, line, store=True):
                            g.edge(c, d, h)
            return
        if callee in RELEASES or callee in kapi.SKB_RELEASES:
            if callee in RELEASES:
                idx, cls = RELEASES[callee]
            else:
                idx, cls = kapi.SKB_RELEASES[callee], "put"
            if cls == "cond":
                cls = self.bio_class
            e = args.get(idx)
            if e is None:
                return
            nodes = self.carriers(e, f, fn, line)
            rn = "X:%s:%d:%d" % (f, line, col)
            h = g.hop(f, line, "%s(%s)" % (callee, _short(e)))
            for c in nodes:
                g.edge(c, rn, h)
            dirty = (f, line, col) in self.dirty
            g.releases.append({"node": g.node(rn), "class": cls, "hop": h,
                               "file": f, "line": line, "col": col,
                               "function": fn, "call": callee, "expr": e,
                               "dirty_loop": dirty})
            return
        if callee in ITER_SETUP:
            idx, kind = ITER_SETUP[callee]
            if idx in args:
                for c in self.carriers(args[idx], f, fn, line, store=True):
                    g.seeds.append({"node": g.node(c), "kind": "iter-" + kind,
                                    "hop": g.hop(f, line, "%s(%s)" % (callee, _short(args[idx]))),
                                    "acq": -1, "iter": -1})
            return
        if callee in USES:
            idx, cls = USES[callee]
            if idx in args:
                h = g.hop(f, line, "%s(%s)" % (callee, _short(args[idx])))
                for c in self.carriers(args[idx], f, fn, line):
                    g.flags.add((g.node(c), cls, h))
                    # The page now lives in the bio, bvec, sg entry or skb
                    # given as the first argument.
                    if callee in CONTAINER_STORES and 0 in args:
                        for d in self.carriers(args[0], f, fn, line, store=True):
                            g.edge(c, d, h)
            return
        if callee in GETREF:
            if 0 in args:
                h = g.hop(f, line, "%s(%s)" % (callee, _short(args[0])))
                for c in self.carriers(args[0], f, fn, line):
                    g.flags.add((g.node(c), "getref", h))
            return
        if callee in self.skip:
            return
        for df in self.resolve(f, callee):
            for n, e in args.items():
                p = self.param_node(df, callee, n)
                if not p:
                    continue
                h = g.hop(f, line, "%s(%s) [arg %d]" % (callee, _short(e), n))
                addr = e.strip().startswith("&")
                cs = self.carriers(e, f, fn, line)
                for c in cs:
                    g.edge(c, p, h)
                    self.called.add((df, callee))
                # What the callee writes through &v is v's value after the call.
                back = cs + [c for c in self.carriers(e, f, fn, line, store=True)
                             if c not in cs] if addr else cs
                for c in back:
                    self.bindings.append((c, p, h, addr))
        # A known function passed as an argument: its address escapes.
        for n, e in args.items():
            name = e.strip().lstrip("&").strip()
            if name in self.defs:
                self.addr_taken.add(name)

    def _iterator(self, g, key, args):
        """for_each_sg(sgl, sg, n, i) walks sgl's entries into sg;
        bio_for_each_folio_all(fi, bio) walks bio's pages into fi."""
        f, line, col, name, fn = key
        for rx, src, dst in ITERATORS:
            if re.match(rx, name) and src in args and dst in args:
                h = g.hop(f, line, "%s(%s, %s)" % (name, _short(args[0]), _short(args[1])))
                for c in self.carriers(args[src], f, fn, line):
                    for d in self.carriers(args[dst], f, fn, line, store=True):
                        g.edge(c, d, h)
                return

    def _icall(self, g, key, args, ops):
        f, line, col, member, fn = key
        targets = sorted(ops.get(member, ()))
        for n, e in args.items():
            cs = self.carriers(e, f, fn, line)
            if not cs:
                continue
            h = g.hop(f, line, "->%s(%s) [arg %d]" % (member, _short(e), n))
            hit = False
            for t in targets:
                for df in self.resolve(f, t) or sorted(self.defs.get(t, ())):
                    p = self.param_node(df, t, n)
                    if p:
                        hit = True
                        for c in cs:
                            g.edge(c, p, h)
            if not hit:
                for c in cs:
                    g.flags.add((g.node(c), "escape", h))

    def _acquisition(self, g, key, args):
        f, line, col, callee, fn = key
        info = self.family[callee]
        kind = info["kind"]
        site = (f, line, col)
        pidx = info.get("pages_arg", -1)
        pages = args.get(pidx) if pidx >= 0 else None
        self.acq[site] = {"api": callee, "function": fn, "pages": pages}
        nodes = []
        if pages is not None:
            nodes = self.carriers(pages, f, fn, line, store=True)
        if info.get("returns_page"):
            nodes.append("A:%s:%d:%d" % site)
        iter_node = -1
        if callee.startswith("iov_iter_") and 0 in args:
            its = self.carriers(args[0], f, fn, line)
            if its:
                iter_node = g.node(its[0])
        acq_ix = len(self.acq_order)
        self.acq_order.append(site)
        h = g.hop(f, line, "%s(%s)" % (callee, _short(pages or "")))
        if not nodes:
            self.acq[site]["note"] = ("no pages returned (pages argument %s)" %
                                      (pages or "absent"))
        # One seed node per acquisition, so every site has its own reach.
        an = "S:%s:%d:%d" % site
        for c in nodes:
            g.edge(an, c, h)
        g.seeds.append({"node": g.node(an), "kind": kind, "hop": h,
                        "acq": acq_ix, "iter": iter_node})

    def unknown_seeds(self, g):
        """Parameters of functions whose callers are not all known (their
        address is taken, or no call was found) may carry any page."""
        guarded = {}
        for (f, line, col, callee, fn), args in self.calls.items():
            if callee in kapi.ITER_GUARDS and kapi.ITER_GUARDS[callee] in args:
                guarded.setdefault((f, fn, args[kapi.ITER_GUARDS[callee]].strip()),
                                   (line, callee))
        for (f, fname), ps in sorted(self.params.items()):
            if fname in self.skip:
                continue
            # Address taken, or exported with no caller found (a static
            # function nobody calls is dead code, not an open door).
            open_ = fname in self.addr_taken or (
                (f, fname) not in self.called and (f, fname) not in self.static)
            if not open_:
                continue
            for n, (name, typ) in sorted(ps.items()):
                if not PAGE_TYPE.search(typ):
                    continue
                node = "L:%s:%s:%s" % (f, fname, name)
                if node not in g.node_ix:
                    continue
                why = "address taken" if fname in self.addr_taken else "no caller found"
                kind = "iter-unknown" if "iov_iter" in typ else "unknown"
                hop = g.hop(f, 0, "%s() parameter %s: %s" % (fname, name, why))
                if kind == "iter-unknown" and (f, fname, name) in guarded:
                    gl, gc = guarded[(f, fname, name)]
                    kind = "iter-user"
                    hop = g.hop(f, gl, "%s(%s): %s() passes user-backed iterators only" % (
                        gc, name, fname))
                g.seeds.append({"node": g.node(node), "kind": kind, "hop": hop,
                                "acq": -1, "iter": -1})

    def node_type(self, node):
        """Declared type of a local/parameter node, or ''."""
        if not node.startswith("L:"):
            return ""
        _, f, fn, name = node.split(":", 3)
        return self.decl.get((f, fn, name), "")

    def make_graph(self, ops):
        self.bindings = []
        self.fill_hops = set()
        self.seen_origin = set()
        self.called = set()
        self.addr_taken = set(ops.get("*", ()))
        self.acq_order = []
        g = self.build(ops)
        self.unknown_seeds(g)
        return g


@functools.lru_cache(maxsize=None)
def _short(e, n=60):
    e = re.sub(r"\s+", " ", e or "")
    e = re.sub(r" ?(->|\.|\[|\]|\(|\)) ?", r"\1", e)
    e = re.sub(r" ?, ?", ", ", e)
    return e if len(e) <= n else e[:n - 3] + "..."


# ---- running spatch, with a per-file cache ----

def rule_files():
    """The fact rules, then the scan's rule (one parse of a file serves
    both: the scan's records go to its cache, scan.store_scan())."""
    return [os.path.join(RULE_DIR, n + ".cocci") for n in RULES] + [scan.RULE]


INIT = re.compile(r"^@initialize:python@\n@@\n(.*?)(?=^@)", re.S | re.M)


def combined_rule(workdir):
    """The rules of rule_files() joined into one file: one initialize
    block holding each rule's (the same text once)."""
    inits, bodies = [], []
    for path in rule_files():
        with open(path) as f:
            text = re.sub(r"(?m)^virtual .*\n", "", f.read())
        m = INIT.search(text)
        if m:
            if m.group(1) not in inits:
                inits.append(m.group(1))
            text = text[:m.start()] + text[m.end():]
        bodies.append(text)
    out = ["virtual report\n", "@initialize:python@\n@@\n" + "".join(inits)] + bodies
    path = os.path.join(workdir, "facts.cocci")
    with open(path, "w") as f:
        f.write("\n".join(out))
    return path


def cache_dir():
    d = pt.cache_root("facts")
    os.makedirs(d, exist_ok=True)
    return d


def rules_hash():
    h = hashlib.sha1()
    for path in rule_files() + [scan.MACROS]:
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(" ".join(scan.SPATCH_OPTS).encode())
    return h.hexdigest()


def spatch_files(kdir, files, workdir, rule, family=None):
    """rule (combined_rule()) over files (scan.run_groups).  Returns (the
    fact records, {file: the scan rule's records} of the files spatch
    finished, {file: why} of those it failed on)."""
    scan.macro_file(workdir)
    env = dict(os.environ, **scan.family_env(family or ()))
    recs, failed = scan.run_groups(kdir, env, files, workdir, rule)
    # A position inside a macro's expansion (a SYSCALL_DEFINE body's
    # return) names the macro file spatch was given, a temporary path:
    # such facts belong to no file of the tree and are dropped, so a cold
    # run and a cached one see the same facts.
    wanted = set(files)
    facts = [r for r in recs if r["file"] in wanted and "k" in r]
    calls = {f: [] for f in files if f not in failed}
    for r in recs:
        if "k" not in r and r["file"] in calls:
            calls[r["file"]].append(r)
    return facts, calls, failed


def run_facts(kdir, files, workdir, stats, family=None):
    """Facts of files (relative to kdir), from the cache or spatch.  With
    the GUP family, the files spatch runs on get their scan cached too."""
    rh = rules_hash()
    cdir = cache_dir()
    recs, todo, keys = [], [], {}
    for f in files:
        with open(os.path.join(kdir, f), "rb") as fh:
            key = hashlib.sha1(rh.encode() + f.encode() + b"\0" + fh.read()).hexdigest()
        keys[f] = key
        path = os.path.join(cdir, key + ".jsonl")
        if os.path.isfile(path):
            with open(path) as fh:
                recs += [json.loads(line) for line in fh if line.strip()]
        else:
            todo.append(f)
    for r in recs:
        if r["k"] == "failed":
            stats.setdefault("failed", {})[r["file"]] = r["reason"]
    stats["files_cached"] = stats.get("files_cached", 0) + len(files) - len(todo)
    stats["files_spatch"] = stats.get("files_spatch", 0) + len(todo)
    if todo:
        rule = combined_rule(workdir)
        sub = tempfile.mkdtemp(dir=workdir)
        new, calls, failed = spatch_files(kdir, todo, sub, rule, family)
        stats.setdefault("failed", {}).update(failed)
        if family:
            scan.store_scan(kdir, family, calls)
        per = collections.defaultdict(list)
        for r in new:
            per[r["file"]].append(r)
        for f in todo:
            # A file spatch gives up on (timeout) is remembered as such:
            # it would give up again.
            rows = per.get(f, []) if f not in failed else \
                [{"k": "failed", "file": f, "reason": failed[f]}]
            pt.write_atomic(os.path.join(cdir, keys[f] + ".jsonl"),
                            "".join(json.dumps(r, sort_keys=True) + "\n"
                                    for r in rows))
        recs += new
    return recs


def grep_files(kdir, patterns, only_c=False, within=None):
    """Files (*.c, *.h, outside tools/) matching any of the regexes;
    within: search only these files (relative to kdir)."""
    if not patterns:
        return set()
    args = ["-E"]
    for p in patterns:
        args += ["-e", p]
    files = pt.source_files(kdir) if within is None else within
    files = [f for f in files if f.endswith(".c") or (f.endswith(".h") and not only_c)]
    return set(f for f in pt.grep_tree(kdir, args, files)
               if not f.startswith(scan.EXCLUDE_DIRS))


@functools.lru_cache(maxsize=4)
def tree_files(kdir):
    """pt.source_files(kdir), listed once a run."""
    return tuple(pt.source_files(kdir))


PAGE_PATTERNS = (r"struct (page|folio)\b", RELEASE_TOKEN.pattern)


def page_files(kdir):
    """Every file that can hold or release a page: it declares a struct
    page or folio, or calls a release.  New candidates come from these."""
    return set(f for f in grep_files(kdir, list(PAGE_PATTERNS))
               if not f.startswith(NO_EXPAND) and
               not re.match(r"arch/[^/]+/(mm|include)/", f))


def shared_structs(kdir, names):
    """The names among names whose struct is defined under include/."""
    names = sorted(n for n in names if re.match(r"\w+$", n) and n != "?")
    if not names:
        return set()
    r = subprocess.run(["grep", "-rhoE", "--include=*.h",
                        r"^struct (%s) \{" % "|".join(names), "include"],
                       cwd=kdir, stdout=subprocess.PIPE, text=True)
    return set(line.split()[1] for line in r.stdout.splitlines() if line.strip())


OPS_INIT = re.compile(r"\.\s*(\w+)\s*=\s*&?\s*([A-Za-z_]\w*)\s*[,}\n]")


_OPS_CACHE = {}
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def read_text(kdir, f):
    with open(os.path.join(kdir, f), errors="replace") as fh:
        return fh.read()


@functools.lru_cache(maxsize=4096)
def code_text(kdir, f):
    """A file's text with its comments and string literals blanked."""
    return pt.strip_comments(read_text(kdir, f))


def ops_pairs(text):
    """(member, function) of each designated initialiser `.member = fn`
    in a file's text, comments left out."""
    return [(m.group(1), m.group(2)) for m in OPS_INIT.finditer(COMMENT.sub(" ", text))]


def ops_tables(kdir, files, defs):
    """member -> functions named in designated initialisers (.member = fn)."""
    ops = collections.defaultdict(set)
    for f in files:
        key = (kdir, f)
        if key not in _OPS_CACHE:
            _OPS_CACHE[key] = ops_pairs(read_text(kdir, f))
        for member, fn in _OPS_CACHE[key]:
            if fn in defs:
                ops[member].add(fn)
                ops["*"].add(fn)
    return ops


def adjacency(g, reverse=False):
    """node -> [(next node, hop)] of g's edges."""
    adj = collections.defaultdict(list)
    for a, b, h in g.edges:
        if reverse:
            a, b = b, a
        adj[a].append((b, h))
    return adj


def reach(g, start, reverse=False, stop=(), skip_hops=(), adj=None):
    """Nodes reached from start; the nodes in stop are reached but not
    walked through, the edges of the hops in skip_hops not taken."""
    if adj is None:
        adj = adjacency(g, reverse)
    seen, todo = set(start), list(start)
    while todo:
        n = todo.pop()
        if n in stop:
            continue
        for m, h in adj.get(n, ()):
            if m not in seen and h not in skip_hops:
                seen.add(m)
                todo.append(m)
    return seen


def bio_release_class(kdir):
    for f in ("block/blk.h", "block/bio.c", "include/linux/bio.h"):
        p = os.path.join(kdir, f)
        if os.path.isfile(p) and "BIO_PAGE_PINNED" in open(p, errors="replace").read():
            return "cond"
    return "put"


def collect(kdir, family, workdir, stats=None, after_first=None):
    """Iterate candidates to a fixed point; return the Facts and graph.
    after_first() is called once the first round's spatch is done (the
    scan's records of every candidate are then cached)."""
    stats = stats if stats is not None else {}
    t_start = time.time()
    cands = scan.candidates(kdir, family)
    # The files new candidates come from, read while round 1's spatch runs.
    pool = concurrent.futures.ThreadPoolExecutor(1)
    universe_of = pool.submit(page_files, kdir)
    pool.shutdown(wait=False)
    files = set(cands)
    # What this run read of the tree besides the facts of the files it
    # analysed: scripts/plan_reuse.py tells from it whether a changed
    # file can change the plan.
    state = {"candidates": sorted(files), "pats": [], "shared": []}
    done, recs = set(), []
    fx = Facts(kdir, family, bio_release_class(kdir))
    asked = set()
    # Files read only for their ".member = fn" initialisers: the ops tables
    # a call through a member (rs->rs_transport->get_mr(...)) dispatches by.
    ops_files = set()
    g = None
    for rnd in range(MAX_ROUNDS):
        new = sorted(files - done)
        if not new:
            break
        stats["rounds"] = rnd + 1
        t_round = time.time()
        got = run_facts(kdir, new, workdir, stats, family)
        if rnd == 0 and after_first:
            after_first()
        recs += got
        t_spatch = time.time()
        done |= set(new)
        fx.add(got)
        ops = ops_tables(kdir, sorted(done | ops_files), set(
            r["name"] for r in recs if r["k"] == "fundef"))
        g = fx.make_graph(ops)
        t_graph = time.time()
        seeds = [s["node"] for s in g.seeds if s["acq"] >= 0]
        # An address or pfn of a page (page_address(), page_to_pfn()) is
        # followed to the callers of the functions that return it (where
        # virt_to_page() may turn it back), not into every function and
        # struct it is handed to.
        # An skb holding pages in its frags is followed within the files
        # read: the functions an skb is handed to are the network stack.
        addr = set(i for n, i in g.node_ix.items() if n.startswith("P:"))
        addr_virt = set(i for n, i in g.node_ix.items() if n.startswith("P:") and
                        n.split(":", 3)[3].split("(", 1)[0] not in kapi.ADDRESS_TO_PFN)
        skbs = set(i for n, i in g.node_ix.items()
                   if n.startswith("L:") and SKB_TYPE.search(fx.node_type(n)))
        stop = addr | skbs
        adj = adjacency(g)
        live_all = reach(g, seeds, adj=adj)
        live = reach(g, seeds, stop=stop, skip_hops=fx.fill_hops, adj=adj)
        funcs, fields, callers = set(), set(), set()
        via_addr = reach(g, sorted(addr_virt & live_all), stop=skbs, adj=adj) \
            if addr_virt & live_all else set()
        addr_callers = {}
        for n in via_addr - live:
            name = g.nodes[n]
            if name.startswith("R:"):
                _, rf, rname = name.split(":", 2)
                addr_callers[rname] = os.path.dirname(rf) + "/"
        for n in live:
            name = g.nodes[n]
            if name.startswith("F:") and not name.startswith("F:?."):
                fields.add(name[2:])
            elif name.startswith("R:"):
                callers.add(name.rsplit(":", 1)[1])
        # A function that fills an array parameter with the pages hands
        # them back: its callers (in other files too) matter.
        pnames, seedset = set(), set(seeds)
        for (pf, fname), ps in fx.params.items():
            for name, typ in ps.values():
                if ARRAY_PTR.search(typ):
                    pnames.add("L:%s:%s:%s" % (pf, fname, name))
        for a, b, h in g.edges:
            if a in seedset and g.nodes[b] in pnames:
                callers.add(g.nodes[b].split(":")[2])
        for key, args in fx.calls.items():
            f, line, col, callee, fn = key
            if callee in fx.skip or callee in fx.defs or GENERIC.match(callee):
                continue
            for e in args.values():
                if any(g.node_ix.get(c) in live and g.node_ix.get(c) not in stop
                       for c in fx.carriers(e, f, fn, line)):
                    funcs.add(callee)
        # A call through a member with pages among its arguments: every
        # function some initialiser in the tree assigns to that member.
        # The initialisers are searched in the directory of the call (the
        # transport tables of net/rds/rdma.c's rs->rs_transport->get_mr()
        # are in net/rds/): a tree-wide search costs more than a cold
        # round.
        members, mdirs = set(), set()
        for key, args in fx.icalls.items():
            f, line, col, member, fn = key
            if "M:" + member in asked:
                continue
            for e in args.values():
                if any(g.node_ix.get(c) in live and g.node_ix.get(c) not in stop
                       for c in fx.carriers(e, f, fn, line)):
                    members.add(member)
                    mdirs.add(os.path.dirname(f) + "/")
                    break
        if members:
            asked |= set("M:" + m for m in members)
            mpat = r"\.\s*(%s)\s*=" % "|".join(sorted(map(re.escape, members)))
            state["pats"].append(mpat)
            mrx = re.compile(mpat)
            near = [f for f in tree_files(kdir) if f.startswith(tuple(sorted(mdirs)))]
            for f in sorted(grep_files(kdir, [mpat], only_c=True, within=near) -
                            done - ops_files):
                if f.startswith(NO_EXPAND):
                    continue
                pairs = [fn for m, fn in ops_pairs(read_text(kdir, f)) if m in members]
                if pairs and mrx.search(code_text(kdir, f)):
                    ops_files.add(f)
                    funcs |= set(pairs) - set(fx.defs)
        hits = set()
        pats = []
        want = funcs - asked
        asked |= want
        if want:
            # Files that define a function the pages are handed to.
            pats.append(("def", r"^[A-Za-z_].*[ *](%s)\(" % "|".join(
                sorted(re.escape(x) for x in want))))
        want = callers - asked
        asked |= want
        if want:
            # Files that call a function returning pages.
            pats.append(("call", r"\b(%s)\s*\(" % "|".join(
                sorted(re.escape(x) for x in want))))
        want = set("F:" + x for x in fields) - asked
        asked |= want
        byname = collections.defaultdict(set)
        if want:
            # Structs the whole kernel shares (defined under include/:
            # bio_vec, folio, pipe_buffer, scatterlist...) are handed to
            # their subsystem; a field of one is not followed tree-wide.
            asked_structs = set(x[2:].split(".", 1)[0] for x in want)
            state["shared"] += sorted(asked_structs)
            shared = shared_structs(kdir, asked_structs)
            for x in want:
                typ, fld = x[2:].split(".", 1)
                if typ not in shared:
                    byname[fld].add(typ)
            if byname:
                pats.append(("field", r"(->|\.)(%s)\b" % "|".join(
                    sorted(re.escape(x) for x in byname))))
        want = set(addr_callers) - asked - callers
        asked |= want
        if want:
            # Callers of a function returning a page's address, in its
            # directory (they hold no struct page: kvmppc_pin_guest_page()
            # and arch/powerpc/kvm/book3s_hv.c).
            apat = r"\b(%s)\s*\(" % "|".join(sorted(map(re.escape, want)))
            state["pats"].append(apat)
            arx = re.compile(apat)
            dirs = tuple(sorted(set(addr_callers[w] for w in want)))
            near = [f for f in tree_files(kdir) if f.startswith(dirs) and
                    f.endswith(".c") and f not in done and f not in files]
            hits |= set(f for f in grep_files(kdir, [apat], within=near)
                        if arx.search(code_text(kdir, f)))
        state["pats"] += [p for _, p in pats]
        within = set(f for f in universe_of.result() - done - files
                     if not f.startswith(NO_EXPAND) and
                     not re.match(r"arch/[^/]+/(mm|include)/", f)) if pats else set()
        # grep finds the files; a match only in a comment or a string
        # ("see ->bi_io_vec", "pages from get_user_pages()") adds none.
        for kind, pat in pats:
            if kind in ("def", "call"):
                rx = re.compile(pat, re.M)
                hits |= set(f for f in grep_files(kdir, [pat], only_c=(kind == "def"),
                                                  within=within)
                            if rx.search(code_text(kdir, f)))
        if byname:
            # A file naming a field matters when it also names a struct
            # that has the field, and can release or use pages.
            field_rx = re.compile(dict(pats)["field"])
            maybe = grep_files(kdir, [RELEASE_TOKEN.pattern], within=grep_files(
                kdir, [dict(pats)["field"]], within=within - hits))
            typs = set().union(*byname.values())
            type_rx = re.compile(r"\b(%s)\b" % "|".join(sorted(map(re.escape, typs))))

            def names_field(text):
                words = set(type_rx.findall(text))
                return any(byname.get(m.group(2), set()) & words
                           for m in field_rx.finditer(text))
            for f in sorted(maybe):
                # The raw text first: most files fail there, unstripped.
                if names_field(read_text(kdir, f)) and names_field(code_text(kdir, f)):
                    hits.add(f)
        hits = set(h for h in hits if not h.startswith(NO_EXPAND) and
                   not re.match(r"arch/[^/]+/(mm|include)/", h))
        if os.environ.get("PINCONV_DEBUG"):
            print("round %d: funcs %s callers %s fields %s -> %d new files: %s" % (
                rnd + 1, sorted(funcs), sorted(callers), sorted(fields),
                len(hits - files), sorted(hits - files)), file=sys.stderr)
        stats.setdefault("added", []).append(len(hits - files))
        if os.environ.get("PINCONV_TIMES"):
            now = time.time()
            print("facts: round %d: %d files, %d new, %.1f s (facts %.1f, "
                  "graph %.1f, discovery %.1f)" % (
                      rnd + 1, len(new), len(hits - files), now - t_start,
                      t_spatch - t_round, t_graph - t_spatch, now - t_graph),
                  file=sys.stderr)
        files |= hits
        stats["candidates"] = len(files)
    if files - done or g is None:
        ops = ops_tables(kdir, sorted(done | ops_files), set(
            r["name"] for r in recs if r["k"] == "fundef"))
        g = fx.make_graph(ops)
    stats["files"] = len(done)
    state["done"] = sorted(done)
    state["ops_files"] = sorted(ops_files)
    state["shared"] = sorted(set(state["shared"]))
    stats["state"] = state
    return fx, g


def main(argv):
    if len(argv) < 3:
        pt.die("usage: facts.py KDIR GRAPH.json")
    kdir = pt.check_tree(argv[1])
    fam = pt.gup_family(kdir)
    with tempfile.TemporaryDirectory(prefix="pinconv-facts.") as wd:
        stats = {}
        fx, g = collect(kdir, fam, wd, stats)
    pt.write_atomic(argv[2], json.dumps(g.to_json()) + "\n")
    print(json.dumps(stats, sort_keys=True), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
