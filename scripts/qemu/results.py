#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""results.py — judge one qemu-test boot and print KTAP.

    results.py --serial results.log --console console.log --json summary.json
               [--baseline unconverted-summary.json] [--title TEXT]
               [--comment LINE]... [--per-workload [--converted WORKLOAD]...]

Reads what the guest's /init wrote on its second serial port (see
scripts/qemu/init.sh) and the console log, and decides:
  - boot: the guest reached /init and finished ("@@ end");
  - gup_test: each variant passes, judged from its output, not its exit
    code (6.1's gup_test exits 0 on some failures, 6.12 prints kselftest
    "ok"/"not ok" lines and a Totals line);
  - workloads: every "phase NAME ok|fail acquired=N released=N" line, or
    KTAP result "ok N NAME # acquired=N released=N[; note]" (the workload's
    own check of its data), is ok, its pins balance within the phase, every
    planned KTAP result came, and the test left no WARNING/BUG/bad page in
    the kernel messages it caused;
  - pins balance: nr_foll_pin_acquired == nr_foll_pin_released at the end;
  - dmesg: no WARNING/BUG/Oops/"bad page";
  - with --baseline (the same workloads on the unconverted kernel): some
    workload phase acquired more pins than it did unconverted, i.e. the
    converted path is live;
  - with --per-workload (SUBSYS=all, several series): that comparison per
    workload instead: a workload named by --converted (its path is in the
    series) passes only if one of its phases acquired more pins than it did
    unconverted; any other workload that passes is reported
    "ok N workload-x # SKIP not converted in this series".
Writes the summary as JSON (for --baseline of a later run), prints KTAP on
stdout, exits 0 when every line is ok and 1 otherwise.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pinconv_tree  # noqa: E402

BAD_DMESG = re.compile(r"WARNING:|BUG:|kernel BUG|[Bb]ad page|Oops|"
                       r"general protection fault|refcount_t:|Kernel panic")
PHASE = re.compile(r"^phase (\S+) (ok|fail) acquired=(-?\d+) released=(-?\d+)$")
KTAP_RESULT = re.compile(r"^(not ok|ok) (\d+) (\S+) # acquired=(-?\d+) "
                         r"released=(-?\d+)(?:; (.*))?$")
KTAP_PLAN = re.compile(r"^1\.\.(\d+)$")
GUP_DONE = re.compile(r"^(?:# )?(GUP|PIN|DUMP)_\w+: (?:Time:|done)")
GUP_FAIL = re.compile(r"^not ok |^Bail out|^ioctl: |^# ioctl|Please run this|"
                      r"check if CONFIG_GUP_TEST|failed to open|^mmap: |"
                      r"Unable to open|Wrong argument")
TOTALS = re.compile(r"Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ "
                    r"skip:(\d+) error:(\d+)")


def parse_serial(text):
    s = {"release": None, "complete": False, "tests": [], "vmstat": None,
         "dmesg": []}
    cur = None
    section = None
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if line.startswith("@@ boot "):
            s["release"] = line[8:].strip()
        elif line.startswith("@@ test "):
            cur = {"name": line[8:].strip(), "rc": None, "output": [],
                   "kmsg": []}
            s["tests"].append(cur)
            section = "test"
        elif line.startswith("@@ rc ") and cur is not None:
            cur["rc"] = int(line[6:].strip() or -1)
            section = None
        elif line.startswith("@@ vmstat"):
            f = line.split()
            vals = dict(zip(f[2::2], f[3::2]))
            try:
                s["vmstat"] = {
                    "acquired": int(vals["nr_foll_pin_acquired"]),
                    "released": int(vals["nr_foll_pin_released"])}
            except (KeyError, ValueError):
                s["vmstat"] = None
        elif line == "@@ kmsg" and cur is not None:
            section = "kmsg"
        elif line == "@@ dmesg":
            section = "dmesg"
        elif line == "@@ end":
            s["complete"] = True
            section = None
        elif line.startswith("| ") or line == "|":
            body = line[2:]
            if section == "test" and cur is not None:
                cur["output"].append(body)
            elif section == "kmsg" and cur is not None:
                cur["kmsg"].append(body)
            elif section == "dmesg":
                s["dmesg"].append(body)
    return s


def judge_gup(t):
    out = t["output"]
    if t["rc"] in (124, 143):
        return False, "timed out"
    bad = [ln for ln in out if GUP_FAIL.search(ln)]
    if bad:
        return False, bad[0].strip()
    for ln in out:
        m = TOTALS.search(ln)
        if m and (int(m.group(1)) < 1 or int(m.group(2)) or
                  int(m.group(3)) or int(m.group(4))):
            return False, ln.strip()
    if not any(GUP_DONE.search(ln) for ln in out):
        return False, "no GUP/PIN result line in the output (rc %s)" % t["rc"]
    return True, ""


def judge_workload(t, phases):
    if t["rc"] in (124, 143):
        return False, "timed out"
    seen = 0
    why = ""
    names = []
    notes = {}
    planned = None
    for ln in t["output"]:
        ln = ln.strip()
        m = PHASE.match(ln)
        k = KTAP_RESULT.match(ln)
        p = KTAP_PLAN.match(ln)
        if p and planned is None:
            planned = int(p.group(1))
            continue
        if m:
            name, ok = m.group(1), m.group(2) == "ok"
            acq, rel = int(m.group(3)), int(m.group(4))
            fail_why = "phase %s failed" % name
        elif k:
            name, ok = k.group(3), k.group(1) == "ok"
            acq, rel = int(k.group(4)), int(k.group(5))
            notes[name] = k.group(6) or ""
            fail_why = "phase %s failed: %s" % (name, notes[name] or "no reason given")
        else:
            continue
        seen += 1
        phases[name] = {"ok": ok, "acquired": acq, "released": rel}
        names.append(name)
        if not ok:
            why = why or fail_why
        elif acq != rel:
            why = why or ("phase %s: %d pins acquired, %d released" %
                          (name, acq, rel))
    if not seen:
        return False, "no phase lines (rc %s)" % t["rc"]
    if planned is not None and planned != seen:
        why = why or "%d of %d planned phases reported (rc %s)" % (seen, planned, t["rc"])
    bad = [ln for ln in t.get("kmsg", []) if BAD_DMESG.search(ln)]
    if bad:
        why = why or "kernel messages: %s" % bad[0].strip()
    if t["rc"] != 0:
        why = why or "exit status %s" % t["rc"]
    if why:
        return False, why
    return True, "; ".join("%s: nr_foll_pin_acquired +%d released +%d" %
                           (p, phases[p]["acquired"], phases[p]["released"])
                           for p in sorted(names))


def judge_converted(phase_names, phases, baseline):
    """Per-workload comparison with the unconverted run (--per-workload)."""
    if baseline is None:
        return False, "converted in this series, but no unconverted baseline to compare"
    base = baseline.get("phases", {})
    common = [p for p in sorted(phase_names) if p in base]
    if not common:
        return False, "converted in this series, but no phase to compare"
    cmp = "; ".join("%s +%d unconverted, +%d converted" %
                    (p, base[p]["acquired"], phases[p]["acquired"]) for p in common)
    if any(phases[p]["acquired"] > base[p]["acquired"] for p in common):
        return True, "pins where unconverted did not: " + cmp
    return False, "converted in this series, yet takes no more pins: " + cmp


def judge(serial, console, baseline, per_workload=False, converted=()):
    s = parse_serial(serial)
    lines = []          # (ok, title, comment)
    phases = {}
    workloads = {}
    if s["release"] is None:
        lines.append((False, "boot", "the guest never reached /init (see console.log)"))
    elif not s["complete"]:
        lines.append((False, "boot", "the guest stopped before the end of the run"))
    else:
        lines.append((True, "boot", "kernel %s" % s["release"]))
    for t in s["tests"]:
        if t["name"].startswith("workload"):
            mine = {}
            ok, why = judge_workload(t, mine)
            phases.update(mine)
            workloads[t["name"]] = sorted(mine)
            if per_workload and ok:
                if t["name"] in converted:
                    ok, why = judge_converted(mine, phases, baseline)
                else:
                    why = "SKIP not converted in this series; " + why
        else:
            ok, why = judge_gup(t)
        lines.append((ok, t["name"], why))
    v = s["vmstat"]
    if v is None:
        lines.append((False, "pins balance", "no /proc/vmstat pin counters"))
    else:
        lines.append((v["acquired"] == v["released"], "pins balance",
                      "nr_foll_pin_acquired=%d nr_foll_pin_released=%d" %
                      (v["acquired"], v["released"])))
    bad = [ln for ln in s["dmesg"] + console.splitlines() if BAD_DMESG.search(ln)]
    lines.append((not bad and bool(s["dmesg"]), "dmesg clean",
                  bad[0].strip() if bad else
                  "" if s["dmesg"] else "no dmesg received"))
    live = None
    if baseline is not None and not per_workload:
        base = baseline.get("phases", {})
        common = sorted(set(base) & set(phases))
        cmp = ["%s +%d unconverted, +%d converted" %
               (p, base[p]["acquired"], phases[p]["acquired"]) for p in common]
        live = any(phases[p]["acquired"] > base[p]["acquired"] for p in common)
        lines.append((live, "converted path raises nr_foll_pin_acquired",
                      "; ".join(cmp) if cmp else "no workload phase to compare"))
    summary = {"release": s["release"], "complete": s["complete"],
               "tests": [{"name": t["name"], "rc": t["rc"]} for t in s["tests"]],
               "phases": phases, "workloads": workloads, "vmstat": v, "dmesg_bad": bad[:20],
               "live": live,
               "ok": all(ok for ok, _, _ in lines)}
    return lines, summary


def ktap(lines, title, comments):
    out = ["KTAP version 1"]
    if title:
        out.append("# " + title)
    out.extend("# " + c for c in comments)
    out.append("1..%d" % len(lines))
    for i, (ok, name, why) in enumerate(lines, 1):
        out.append("%s %d %s%s" % ("ok" if ok else "not ok", i, name,
                                   " # " + why if why else ""))
    nskip = sum(1 for ok, _, why in lines if ok and why.startswith("SKIP "))
    npass = sum(1 for ok, _, _ in lines if ok) - nskip
    nfail = len(lines) - npass - nskip
    out.append("# Totals: pass:%d fail:%d%s" % (npass, nfail,
                                                " skip:%d" % nskip if nskip else ""))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--ktap")
    ap.add_argument("--baseline")
    ap.add_argument("--title", default="")
    ap.add_argument("--comment", action="append", default=[])
    ap.add_argument("--per-workload", action="store_true")
    ap.add_argument("--converted", action="append", default=[])
    a = ap.parse_args()

    def read(p):
        try:
            with open(p, errors="replace") as f:
                return f.read()
        except OSError:
            return ""
    baseline = None
    if a.baseline:
        try:
            with open(a.baseline) as f:
                baseline = json.load(f)
        except (OSError, ValueError) as e:
            pinconv_tree.die("cannot read baseline %s: %s" % (a.baseline, e))
    lines, summary = judge(read(a.serial), read(a.console), baseline,
                           a.per_workload, set(a.converted))
    text = ktap(lines, a.title, a.comment)
    pinconv_tree.write_atomic(os.path.abspath(a.json), pinconv_tree.dump_json(summary))
    if a.ktap:
        pinconv_tree.write_atomic(os.path.abspath(a.ktap), text)
    sys.stdout.write(text)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
