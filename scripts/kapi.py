# SPDX-License-Identifier: GPL-2.0
"""kapi.py — the kernel page API pinconv knows, read from scripts/kapi.json.

One table for every stage: which calls release pages (and how), which
calls are other page origins, which take an extra reference, which hand
back the page they are given, which set up an iov_iter, which use the
pages (and for what), which structs carry pages (and which calls store
into them or walk them), and the verdict names.  facts.py, plan.py,
convert.py, report.py and lint.py import the names below; the C solver
keeps its own enums, checked against the "solver" section by
tests/t0105-kapi-table.sh (pinflow --names).
"""

import json
import re
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kapi.json")

with open(PATH) as _f:
    TABLE = json.load(_f)

VERDICTS = tuple(TABLE["verdicts"])
SOLVER = TABLE["solver"]

# callee -> (index of the page argument, release class)
#   put: drops a reference; unpin: drops a FOLL_PIN pin; putuser:
#   put_user_page*() (v5.2-v5.5, FOLL_GET pages); cond: unpins only what
#   was pinned (bio: BIO_PAGE_PINNED); free: frees the page.
RELEASES = {k: (v["arg"], v["class"]) for k, v in TABLE["releases"].items()}
RELEASE_CLASSES = tuple(SOLVER["release_classes"])

# callee -> origin kind (the call's result is a page of that kind)
ORIGINS = {}
for _kind, _names in TABLE["origins"].items():
    for _n in _names:
        ORIGINS[_n] = _kind

# callee -> index of the argument whose page (or folio) the call returns
SAME_PAGE = dict(TABLE["same_page"])

# header inlines returning a struct's page array: callee -> "struct.field"
FIELD_ACCESSORS = {k: v for k, v in TABLE["field_accessors"].items() if k != "about"}

# callee -> index of the page argument it takes an extra reference on
GETREF = dict(TABLE["extra_ref"])

# iov_iter set-ups: callee -> (index of the iov_iter argument, kind)
ITER_SETUP = {k: (v["arg"], v["kind"]) for k, v in TABLE["iter_setup"].items()}

# iov_iter tests that let only user-backed iterators through: callee -> arg
ITER_GUARDS = {k: v for k, v in TABLE["iter_guards"].items() if k != "about"}

# uses: callee -> (index of the page argument, class dma/cpu/meta)
USES = {}
for _cls, _calls in TABLE["uses"].items():
    for _n, _i in _calls.items():
        USES[_n] = (_i, _cls)

CONTAINERS = set(TABLE["containers"]["types"])
CONTAINER_STORES = set(TABLE["containers"]["stores"])
ITERATORS = tuple((it["match"], it["walks"], it["into"])
                  for it in TABLE["containers"]["iterators"])

# convert.py: the release primitives (a release through any other call is
# a helper, converted where it releases)
CONVERT_PRIMITIVES = tuple(TABLE["convert_primitives"])


def release_is_pin(call):
    """A release call that drops pins (report.py's api_kind of a release)."""
    return RELEASES.get(call, (0, ""))[1] == "unpin" or call.startswith("unpin_")

# Round trips through an address or a pfn: callee -> argument index.
ADDRESS_TO = dict(TABLE["address_of"]["to"])
ADDRESS_TO_PFN = dict(TABLE["address_of"]["to_pfn"])
ADDRESS_TO.update(ADDRESS_TO_PFN)
ADDRESS_FROM = {k: v for k, v in TABLE["address_of"]["from"].items()}

# skb frags: calls storing a page into the skb (or frag) given as
# argument 0, and calls dropping the frag pages of the skb or frag given.
SKB = TABLE["skb_frags"]
SKB_STORES = dict(SKB["stores"])
SKB_RELEASES = dict(SKB["releases"])

# A parameter of one of these types, filled by its function, hands the
# pages back to the caller (struct page **, a bio_vec or sg array...).
CONTAINER_PTR = re.compile(r"(struct\s+(page|folio)\s*\*\s*\*|"
                           r"\b(struct\s+(%s)|skb_frag_t)\s*\*)" % "|".join(
                               sorted(t for t in CONTAINERS | set(
                                   TABLE["containers"]["filled_by_callee"])
                                   if t != "skb_frag_t")))
