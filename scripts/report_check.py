#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report_check.py PAGE --plan PLAN [--screenshot PNG]: load a report page
in headless Chromium, from disk, and check what a reader sees.

- the page asks for nothing but itself (every request is logged through
  the DevTools protocol; anything not file:/data:/about: fails the check);
- the counts it shows match PLAN: totals, per MAINTAINERS section the
  acquisition and release sites and the releases per verdict, and one
  row per site in the sites table;
- sorting works: real mouse clicks (Input.dispatchMouseEvent) on column
  headers of the summary and sites tables, after which the rows read in
  order;
- optionally a screenshot of the top of the page.

Chromium runs with --remote-debugging-pipe (no port, nothing listening),
a fresh profile and no network helpers.  Exit 0 when every check holds,
1 with one line per failed check, 2 when the browser cannot be run.
"""

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-quic", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--mute-audio",
                  "--hide-scrollbars", "--remote-debugging-pipe"]


class Browser:
    """A minimal DevTools protocol client over --remote-debugging-pipe:
    we write NUL-terminated JSON on the child's fd 3, read on its fd 4."""

    def __init__(self, timeout=60):
        exe = shutil.which("chromium")
        if not exe:
            raise RuntimeError("chromium not found (scripts/deps.sh installs it)")
        self.deadline = time.monotonic() + timeout
        self.profile = tempfile.mkdtemp(prefix="pinconv-chromium.")
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()

        def fds():
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [exe] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile,
                                      "about:blank"],
            preexec_fn=fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf = b""
        self._id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def _read(self):
        while b"\0" not in self._buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("chromium did not answer in time")
            r, _, _ = select.select([self._from_r], [], [], left)
            if not r:
                continue
            data = os.read(self._from_r, 1 << 16)
            if not data:
                raise RuntimeError("chromium exited")
            self._buf += data
        msg, _, self._buf = self._buf.partition(b"\0")
        return json.loads(msg)

    def wait_event(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            m = self._read()
            if "method" in m:
                self.events.append(m)

    def open(self, url, width, height):
        tid = self.send("Target.createTarget", {"url": "about:blank"},
                        session=False)["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": tid, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False})
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("page script failed: %s" %
                               r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def click(self, selector):
        """A real click: scroll the element into view, then press and
        release the left button at the centre of its first line box (an
        inline element wrapped over lines may have nothing of its own at
        the centre of its bounding box)."""
        box = self.eval("""(function(){var e=document.querySelector(%s);
            if(!e)return null;e.scrollIntoView({block:'center'});
            var r=e.getClientRects()[0];
            return [r.left+r.width/2,r.top+r.height/2];})()"""
                        % json.dumps(selector))
        if box is None:
            raise RuntimeError("nothing to click at %s" % selector)
        for typ in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": typ, "x": box[0], "y": box[1],
                       "button": "left", "clickCount": 1})

    def screenshot(self, path):
        self.eval("window.scrollTo(0,0)")
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        tmp = "%s.tmp.%d" % (path, os.getpid())
        with open(tmp, "wb") as f:
            f.write(base64.b64decode(data))
        os.replace(tmp, path)

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_w, self._from_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


COLUMN = """(function(t,c){var rows=document.querySelectorAll(t+' tbody tr'),o=[];
  for(var i=0;i<rows.length;i++)o.push(rows[i].cells[c].textContent);
  return o;})(%s,%d)"""


def loc_key(v):
    file, _, line = v.rpartition(":")
    return (file, int(line)) if line.isdigit() else (v, 0)


def header_index(b, table, key):
    return b.eval("""(function(){var h=document.querySelectorAll(%s+' thead th');
        for(var i=0;i<h.length;i++)if(h[i].getAttribute('data-k')===%s)return i;
        return -1;})()""" % (json.dumps(table), json.dumps(key)))


def check_sort(b, table, key, typ, fails):
    """Click a header twice; after each click the column must be in order
    (first click: numbers descending, text ascending; file:line sorts by
    file, then line as a number), and the rows must be the same rows."""
    col = header_index(b, table, key)
    if col < 0:
        fails.append("%s: no column %s" % (table, key))
        return
    before = b.eval(COLUMN % (json.dumps(table), col))
    numeric = typ == "n"
    conv = {"n": lambda v: float(v or 0), "l": loc_key}.get(typ, lambda v: v)
    for n, desc in ((1, numeric), (2, not numeric)):
        b.click('%s thead th[data-k="%s"]' % (table, key))
        got = b.eval(COLUMN % (json.dumps(table), col))
        want = sorted(before, key=conv, reverse=desc)
        aria = b.eval("document.querySelector(%s).getAttribute('aria-sort')"
                      % json.dumps('%s thead th[data-k="%s"]' % (table, key)))
        if [conv(v) for v in got] != [conv(v) for v in want]:
            fails.append("%s: click %d on %s did not sort %s" % (
                table, n, key, "descending" if desc else "ascending"))
        elif aria != ("descending" if desc else "ascending"):
            fails.append("%s: %s header says aria-sort=%s" % (table, key, aria))
        if Counter(got) != Counter(before):
            fails.append("%s: sorting on %s lost or added rows" % (table, key))
    print("sorted: %s by %s (%d rows, both directions)" % (table, key,
                                                           len(before)))


def check_counts(b, plan, fails):
    acqs, rels = plan["acquisitions"], plan["releases"]
    got = b.eval("""[document.getElementById('nacq').textContent,
        document.getElementById('nrel').textContent]""")
    if got != [str(len(acqs)), str(len(rels))]:
        fails.append("totals: page says %s acquisitions / %s releases, plan "
                     "has %d / %d" % (got[0], got[1], len(acqs), len(rels)))
    want = defaultdict(Counter)
    for a in acqs:
        want[a["subsystem"] or "THE REST"]["acq"] += 1
    for r in rels:
        want[r["subsystem"] or "THE REST"]["rel"] += 1
        want[r["subsystem"] or "THE REST"][r["verdict"]] += 1
    rows = b.eval("""(function(){var t=document.getElementById('summary'),
        k=[],h=t.tHead.rows[0].cells,out={};
        for(var i=0;i<h.length;i++)k.push(h[i].getAttribute('data-k'));
        var rs=t.tBodies[0].rows;
        for(i=0;i<rs.length;i++){var o={};
         for(var j=0;j<k.length;j++)if(k[j]&&k[j]!=='section')
          o[k[j]]=parseInt(rs[i].cells[j].textContent,10);
         out[rs[i].cells[0].textContent]=o;}
        return out;})()""")
    if sorted(rows) != sorted(want):
        fails.append("summary: sections %s on the page, %s in the plan" % (
            sorted(set(rows) ^ set(want)), "differ"))
    for sec in sorted(set(rows) & set(want)):
        for k, n in rows[sec].items():
            if k in ("patched",):
                continue
            if n != want[sec].get(k, 0):
                fails.append("summary: %s: %s is %d on the page, %d in the "
                             "plan" % (sec, k, n, want[sec].get(k, 0)))
    sites = b.eval("""(function(){var rs=document.querySelectorAll(
        '#sites-table tbody tr'),o=[];for(var i=0;i<rs.length;i++)
        o.push([rs[i].cells[2].textContent,rs[i].cells[1].textContent,
                rs[i].cells[4].textContent,rs[i].cells[5].textContent]);
        return o;})()""")
    page = Counter((k, s, c) for k, s, c, _ in sites)
    plan_sites = Counter([("acq", "%s:%d" % (a["file"], a["line"]), a["api"])
                          for a in acqs] +
                         [("rel", "%s:%d" % (r["file"], r["line"]), r["call"])
                          for r in rels])
    if page != plan_sites:
        diff = (plan_sites - page) + (page - plan_sites)
        fails.append("sites table: %d rows differ from the plan, e.g. %s" % (
            sum(diff.values()), sorted(diff)[:3]))
    pv = Counter(v for k, _, _, v in sites if k == "rel")
    wv = Counter(r["verdict"] for r in rels)
    if pv != wv:
        fails.append("sites table: release verdicts %s, plan %s" % (
            dict(pv), dict(wv)))
    print("counts: %d acquisitions, %d releases, %d sections, %d site rows" %
          (len(acqs), len(rels), len(rows), len(sites)))


def check_filter(b, fails):
    """Clicking a section name narrows the sites table to that section."""
    sec = b.eval("document.querySelector('#summary tbody a[data-sec]')"
                 ".getAttribute('data-sec')")
    b.click('#summary tbody a[data-sec]')
    shown = b.eval("""(function(){var rs=document.querySelectorAll(
        '#sites-table tbody tr'),o=[];for(var i=0;i<rs.length;i++)
        if(rs[i].offsetParent!==null)o.push(rs[i].cells[0].textContent);
        return o;})()""")
    if not shown or any(sec.lower() not in s.lower() for s in shown):
        fails.append("filter: clicking section %r showed %d rows, not only "
                     "that section's" % (sec, len(shown)))
    b.eval("document.getElementById('q').value='';"
           "document.getElementById('q').dispatchEvent(new Event('input'))")
    print("filter: section %r shows %d rows" % (sec, len(shown)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("page")
    ap.add_argument("--plan", required=True)
    ap.add_argument("--screenshot")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=800)
    ap.add_argument("--hash", default="", help="URL fragment to load with")
    args = ap.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    url = "file://" + os.path.abspath(args.page) + (
        "#" + args.hash if args.hash else "")
    fails = []
    try:
        b = Browser()
    except (RuntimeError, OSError) as e:
        print("pinconv: report check: %s" % e, file=sys.stderr)
        return 2
    try:
        b.open(url, args.width, args.height)
        check_counts(b, plan, fails)
        check_sort(b, "#summary", "rel", "n", fails)
        check_sort(b, "#summary", "section", "s", fails)
        check_sort(b, "#sites-table", "s-verdict", "s", fails)
        check_sort(b, "#sites-table", "s-site", "l", fails)
        if b.eval("!!document.getElementById('changes')"):
            check_sort(b, "#changes", "c-head", "l", fails)
            check_sort(b, "#changes", "c-change", "s", fails)
        check_filter(b, fails)
        if args.screenshot:
            b.eval("(function(){var h=document.querySelector("
                   "'#summary thead th[data-k=\"rel\"]');"
                   "if(h.getAttribute('aria-sort')!=='descending'){"
                   "h.click();if(h.getAttribute('aria-sort')!=='descending')"
                   "h.click();}})()")
            b.screenshot(args.screenshot)
            print("screenshot: %s" % args.screenshot)
        for e in b.events:
            if e["method"] == "Network.requestWillBeSent":
                u = e["params"]["request"]["url"]
                if not u.startswith(("file:", "data:", "about:")):
                    fails.append("network: the page asked for %s" % u)
    except RuntimeError as e:
        print("pinconv: report check: %s" % e, file=sys.stderr)
        return 2
    finally:
        b.close()
    for f in fails:
        print("pinconv: report check: %s" % f, file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
