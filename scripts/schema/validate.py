#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""validate.py SCHEMA FILE... — check pinconv reports against their JSON
Schemas (python3-jsonschema), resolving $ref between the schemas here."""

import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def validator(name):
    store = {}
    for f in os.listdir(HERE):
        if f.endswith(".schema.json"):
            s = json.load(open(os.path.join(HERE, f)))
            store[f] = s
            store[s.get("$id", f)] = s
    schema = store[os.path.basename(name)]
    resolver = jsonschema.RefResolver("", schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def main():
    if len(sys.argv) < 3:
        print("usage: validate.py SCHEMA FILE...", file=sys.stderr)
        return 2
    v = validator(sys.argv[1])
    bad = 0
    for f in sys.argv[2:]:
        for e in sorted(v.iter_errors(json.load(open(f))), key=str):
            print("%s: %s: %s" % (f, "/".join(map(str, e.path)), e.message))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
