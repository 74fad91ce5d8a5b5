#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make fleet — the pinconv stages over many trees and revisions, on many
hosts, with GNU parallel, resumable, and one summary.

    make fleet TREES=file [STAGES=scan,plan,lint] [HOSTS=:,host2] [JOBS=1]
               [OUT=dir] [RESUME=1] [SUBSYS=...] [API=...] [REMOTE_DIR=dir]
    scripts/pinconv fleet --trees file [--stages ...] [--hosts ...] [--resume]

TREES: one tree a line ('#' comments, blank lines ignored):
    /path/to/tree          a kernel tree (a plain directory or a git checkout)
    /path/to/repo@rev      a revision of a git repository, checked out into a
                           scratch clone under the pinconv cache of the host
                           that runs the job (the repository is only read)
    linux-source-6.12      Debian's tree on each host (scripts/default-tree.sh)
A relative path is relative to the TREES file.  Every path must exist on
every host that runs jobs (the same path, or the same Debian package).

Each (tree, stage) is one GNU parallel job, stages in order (every tree's
scan, then every tree's plan, ...); a job runs `scripts/pinconv <stage>` on
its host with KDIR= the tree and OUT= a per-host work directory of the
tree in the host's cache, so the stages of one tree on one host reuse each
other's output (lint takes the plan job's plan.json when the tree has not
changed since), and the per-file caches (spatch, facts) stay per host.
The job's result — status (the stage's exit code, 0/1/2), stdout.txt,
stderr.txt, tree.json and the stage's report files — lands in
OUT/jobs/<tree key>/<stage>/ (from a remote host with parallel --return).

Hosts: HOSTS= is a GNU parallel --sshlogin list, comma-separated (':' is
this machine, the default).  Before the jobs, each remote host gets the
project with

    rsync -a --delete --exclude=/.git --exclude=/reports/ \\
          --exclude=/tests/trash/ --exclude=__pycache__/ --exclude='*.o' \\
          --exclude=/scripts/pinflow/pinflow  <project>/ host:REMOTE_DIR/

(REMOTE_DIR default pinconv-fleet, under the remote home) and provisions
itself once (scripts/deps.sh, the solver); $PARALLEL_SSH is the ssh command
for both rsync and parallel.  The trees are not copied.

Resuming: parallel --joblog OUT/joblog; RESUME=1 continues the last run in
OUT with --resume-failed: only jobs not in the joblog or that failed run
again.  A job's joblog Exitval is 0 when its stage ran to the end (exit 0
or 1, findings being a result), non-zero for a tool error (2) or a kill.

Output, in OUT (default reports/fleet-<TREES file name>/): summary.md,
summary.json (per tree and stage the exit status, lint counts, plan
verdicts, series; per pair of consecutive revisions of one repository the
new MISMATCH errors and the sites that moved from CONVERT to PINNED),
lint.sarif (one run per tree), lint.txt (gcc lines per tree).  The summary
depends on the results only: the same on one host or many.

Exit status: 0 every job clean, 1 findings or failed checks in some job
(lint errors, say), 2 usage or tool error, or a job that did not finish.
"""

import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)
import kapi  # noqa: E402
import pinconv_tree as pt  # noqa: E402

STAGE_ORDER = ("scan", "plan", "lint", "convert", "report", "qemu-test")
DEFAULT_STAGES = "scan,plan,lint"
VERDICTS = kapi.VERDICTS
# What each stage leaves in OUT that the summary (or a reader) wants.
OUTPUTS = {
    "scan": ["scan.json", "scan.md"],
    "plan": ["plan.json", "plan.md", "scan.json"],
    "lint": ["lint.txt", "lint.json", "lint.sarif", "plan.json", "scan.json"],
    "convert": ["convert", "plan.json"],
    "report": ["index.html", "report.md", "plan.json", "scan.json"],
    "qemu-test": ["qemu"],
}
RSYNC_EXCLUDES = ["/.git", "/reports/", "/tests/trash/", "__pycache__/",
                  "*.o", "*.tmp.*", "/scripts/pinflow/pinflow"]
# Variables of make and pinconv that must not leak into a job's stage.
STAGE_VARS = ("KDIR", "OUT", "API", "SUBSYS", "SINCE", "FORMAT", "BASELINE",
              "SERIES", "BASE", "TESTS", "NOTES", "TREES", "STAGES", "HOSTS",
              "JOBS", "RESUME", "REMOTE_DIR", "PINCONV_PLAN")


def die(msg, code=2):
    print("pinconv: fleet: " + msg, file=sys.stderr)
    sys.exit(code)


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def write(path, text):
    pt.write_atomic(path, text)


def sha(text, n=6):
    return hashlib.sha1(text.encode()).hexdigest()[:n]


# ------------------------------------------------------------ tree specs

def split_spec(spec):
    """(path, rev or None, debian version or None) of one TREES entry."""
    if re.fullmatch(r"linux-source-[0-9][0-9.]*", spec):
        return None, None, spec[len("linux-source-"):]
    if "@" in spec and not os.path.isdir(os.path.expanduser(spec)):
        path, rev = spec.rsplit("@", 1)
        if path and rev:
            return path, rev, None
    return spec, None, None


def tree_key(spec):
    path, rev, deb = split_spec(spec)
    name = deb and "linux-source-" + deb or os.path.basename(path.rstrip("/")) or "tree"
    if rev:
        name += "@" + rev
    name = re.sub(r"[^A-Za-z0-9._@+-]", "_", name)[:48]
    return "%s-%s" % (name, sha(spec))


def read_trees(path):
    """The TREES file's entries, relative paths made absolute."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        die("TREES=%s: %s" % (path, e.strerror))
    base = os.path.dirname(os.path.abspath(path))
    specs = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "\t" in line:
            die("%s:%d: a tab in a tree entry" % (path, n))
        p, rev, deb = split_spec(line)
        if p is not None and not p.startswith(("/", "~")):
            line = os.path.normpath(os.path.join(base, p)) + ("@" + rev if rev else "")
        if line in specs:
            die("%s:%d: %s is listed twice" % (path, n, line))
        specs.append(line)
    if not specs:
        die("TREES=%s lists no tree" % path)
    return specs


def git(repo, *args, check=True, **kw):
    r = subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, **kw)
    if check and r.returncode:
        die("git -C %s %s: %s" % (repo, " ".join(args),
                                 (r.stderr.strip().splitlines() or ["failed"])[-1]))
    return r


def resolve_commit(repo, rev):
    r = git(repo, "rev-parse", "--verify", "-q", rev + "^{commit}", check=False)
    if r.returncode or not r.stdout.strip():
        die("%s@%s: no such revision in %s" % (repo, rev, repo))
    return r.stdout.strip()


class Lock:
    """flock on a file, released on exit or death."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.f = open(self.path, "a")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("pinconv: fleet: waiting for %s" % self.path, file=sys.stderr)
            fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *a):
        self.f.close()


def worktree(repo, commit):
    """A checkout of commit of the git repository repo, in this host's
    cache: <cache>/fleet/trees/<commit>/<repo name>@<commit12>.  Made once
    (under a lock, in a temporary directory renamed into place): from a
    hard-link copy of another checkout made here of the same repository
    when there is one (our own checkouts are only ever changed by git,
    which replaces files, never writes them in place), else a local clone.
    The repository is only read."""
    root = pt.cache_root("fleet", "trees")
    d = os.path.join(root, commit)
    name = "%s@%s" % (os.path.basename(os.path.realpath(repo)) or "tree", commit[:12])
    tree = os.path.join(d, name)
    origin = os.path.realpath(repo)
    with Lock(os.path.join(root, ".lock-" + commit)):
        if os.path.isfile(os.path.join(d, "complete")):
            return tree
        # What a killed run left half made (nobody else holds the lock).
        for c in os.listdir(root):
            if c.startswith(".new-%s." % commit[:12]):
                shutil.rmtree(os.path.join(root, c), ignore_errors=True)
        seeds = []
        for c in os.listdir(root):
            o = os.path.join(root, c, "origin")
            if c != commit and os.path.isfile(os.path.join(root, c, "complete")):
                try:
                    with open(o) as f:
                        if f.read().strip() == origin:
                            seeds.append((os.path.getmtime(o), c))
                except OSError:
                    pass
        tmp = os.path.join(root, ".new-%s.%d" % (commit[:12], os.getpid()))
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        new = os.path.join(tmp, name)
        try:
            seeded = False
            for _, c in sorted(seeds, reverse=True):
                src = os.path.join(root, c)
                srcname = [n for n in os.listdir(src) if os.path.isdir(os.path.join(src, n))]
                if len(srcname) != 1:
                    continue
                if subprocess.run(["cp", "-al", os.path.join(src, srcname[0]), new]).returncode:
                    shutil.rmtree(new, ignore_errors=True)
                    continue
                # Files git appends to or rewrites in place: our own now.
                for f in ("logs", "FETCH_HEAD", "ORIG_HEAD"):
                    p = os.path.join(new, ".git", f)
                    shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else \
                        os.path.exists(p) and os.unlink(p)
                seeded = True
                break
            if not seeded:
                print("pinconv: fleet: checking out %s of %s into %s (once)"
                      % (commit[:12], repo, tree), file=sys.stderr)
                r = subprocess.run(["git", "clone", "-q", "--no-checkout",
                                    "-c", "core.logAllRefUpdates=false",
                                    "-c", "core.trustctime=false",
                                    "-c", "core.checkStat=minimal",
                                    "-c", "gc.auto=0", repo, new],
                                   stderr=subprocess.PIPE, universal_newlines=True)
                if r.returncode:
                    die("git clone %s: %s" % (repo, r.stderr.strip()))
            if git(new, "cat-file", "-e", commit + "^{commit}", check=False).returncode:
                git(new, "fetch", "-q", "--no-tags", origin, "+HEAD:refs/fleet/HEAD",
                    "+refs/heads/*:refs/fleet/heads/*", check=False)
            if git(new, "cat-file", "-e", commit + "^{commit}", check=False).returncode:
                git(new, "fetch", "-q", "--no-tags", origin, commit)
            git(new, "-c", "advice.detachedHead=false", "checkout", "-q", "-f",
                "--detach", commit)
            git(new, "clean", "-q", "-ffdx")
            git(new, "update-index", "-q", "--refresh", check=False)
            with open(os.path.join(tmp, "origin"), "w") as f:
                f.write(origin + "\n")
            with open(os.path.join(tmp, "complete"), "w") as f:
                f.write(commit + "\n")
            shutil.rmtree(d, ignore_errors=True)
            os.rename(tmp, d)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return tree


def resolve_tree(spec, commit):
    """(KDIR on this host, commit or None) for one TREES entry."""
    path, rev, deb = split_spec(spec)
    if deb:
        r = subprocess.run([os.path.join(SCRIPTS, "default-tree.sh"), deb],
                           stdout=subprocess.PIPE, universal_newlines=True)
        if r.returncode:
            die("%s: no Debian tree here" % spec)
        return r.stdout.strip(), None
    path = os.path.expanduser(path)
    if rev is None:
        if not pt.is_kernel_tree(path):
            die("%s: not a kernel tree on this host" % spec)
        return path, None
    if not os.path.isdir(path):
        die("%s: no repository %s on this host" % (spec, path))
    commit = commit or resolve_commit(path, rev)
    return worktree(path, commit), commit


# ------------------------------------------------------------------- job

def work_dir(nonce, key):
    return pt.cache_root("fleet", "work", nonce, key)


def tree_state_file(work):
    return os.path.join(work, "plan.state")


def plan_is_fresh(work, kdir):
    """The plan job of this run made work/plan.json of the tree as it is."""
    try:
        with open(tree_state_file(work)) as f:
            state, digest = f.read().split()
        with open(os.path.join(work, "plan.json"), "rb") as f:
            ok = hashlib.sha1(f.read()).hexdigest() == digest
    except (OSError, ValueError):
        return False
    return ok and pt.tree_state(kdir) == state


def record_plan(work, kdir, state):
    with open(os.path.join(work, "plan.json"), "rb") as f:
        digest = hashlib.sha1(f.read()).hexdigest()
    write(tree_state_file(work), "%s %s\n" % (state, digest))


class Child:
    """The running stage, for the signal handlers."""
    proc = None
    signalled = False


def on_signal(signum, frame):
    Child.signalled = True
    if Child.proc is not None and Child.proc.poll() is None:
        Child.proc.send_signal(signum)


def run_stage(stage, kdir, work, env, out, err):
    cmd = [sys.executable, os.path.join(SCRIPTS, "pinconv"), stage]
    e = dict(env, KDIR=kdir, OUT=work)
    with open(out, "w") as o, open(err, "a") as r:
        Child.proc = subprocess.Popen(cmd, env=e, stdout=o, stderr=r)
        rc = Child.proc.wait()
        Child.proc = None
    return rc if rc in (0, 1, 2) else 2


def copy_outputs(stage, work, dest):
    os.makedirs(dest, exist_ok=True)
    for name in OUTPUTS[stage]:
        src = os.path.join(work, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name))
        elif os.path.isfile(src):
            shutil.copy2(src, os.path.join(dest, name))


def job(argv):
    """fleet.py job --out DIR --nonce N [--quiet] [--api A] [--subsys S]
    STAGE KEY SPEC COMMIT BASE_KEY BASE_SPEC BASE_COMMIT  (one job)."""
    opts = {"--out": None, "--nonce": None, "--api": "", "--subsys": ""}
    quiet = False
    args = []
    it = iter(argv)
    for a in it:
        if a == "--quiet":
            quiet = True
        elif a in opts:
            opts[a] = next(it, "")
        else:
            args.append(a)
    if len(args) != 7 or not opts["--out"] or not opts["--nonce"]:
        die("usage: fleet.py job --out DIR --nonce N STAGE KEY SPEC COMMIT "
            "BASE_KEY BASE_SPEC BASE_COMMIT")
    stage, key, spec, commit, bkey, bspec, bcommit = args
    host = os.environ.get("PARALLEL_SSHLOGIN") or ":"
    rel = os.path.join("jobs", key, stage)
    # This machine writes into OUT; a remote host into its parallel
    # working directory, whence --return brings the result back.
    final = os.path.join(opts["--out"], rel) if host == ":" else rel
    tmp = "%s.tmp.%d" % (final, os.getpid())
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    env = {k: v for k, v in os.environ.items() if k not in STAGE_VARS}
    env.update(PINCONV_NO_PROVISION="1", PYTHON3=sys.executable)
    if opts["--api"]:
        env["API"] = opts["--api"]
    if opts["--subsys"]:
        env["SUBSYS"] = opts["--subsys"]
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    out, err = os.path.join(tmp, "stdout.txt"), os.path.join(tmp, "stderr.txt")
    t0 = time.time()
    work = work_dir(opts["--nonce"], key)
    note = ""
    # Everything this job and its children say on stderr goes to the
    # result's stderr.txt; the one progress line goes to stdout.
    errf = open(err, "a")
    saved = os.dup(2)
    os.dup2(errf.fileno(), 2)
    try:
        with Lock(work + ".lock"):
            os.makedirs(work, exist_ok=True)
            try:
                kdir, commit = resolve_tree(spec, commit or None)
            except SystemExit:
                kdir = None
            if kdir is None:
                rc = 2
            else:
                fresh = stage in ("lint", "report") and plan_is_fresh(work, kdir)
                state = pt.tree_state(kdir) if stage in ("plan", "lint") and not fresh \
                    else None
                if stage == "lint" and fresh:
                    env["PINCONV_PLAN"] = os.path.join(work, "plan.json")
                    note = " (the plan made here in this run)"
                if stage == "report" and not fresh:
                    # report.py takes any plan.json in OUT: not a stale one.
                    for f in ("plan.json", "plan.state"):
                        if os.path.exists(os.path.join(work, f)):
                            os.unlink(os.path.join(work, f))
                if stage == "report" and bkey:
                    bwork = work_dir(opts["--nonce"], bkey)
                    with Lock(bwork + ".lock"):
                        os.makedirs(bwork, exist_ok=True)
                        bdir, _ = resolve_tree(bspec, bcommit or None)
                        if not plan_is_fresh(bwork, bdir):
                            bstate = pt.tree_state(bdir)
                            if run_stage("plan", bdir, bwork, env, os.devnull, err) == 0:
                                record_plan(bwork, bdir, bstate)
                    env["BASE"] = bwork
                    note = " (BASE= %s)" % bspec
                rc = run_stage(stage, kdir, work, env, out, err)
                if state and (rc == 0 or stage == "lint" and rc == 1) and \
                        os.path.isfile(os.path.join(work, "plan.json")):
                    record_plan(work, kdir, state)
                copy_outputs(stage, work, tmp)
        if Child.signalled:
            raise KeyboardInterrupt
        # Where it ran (for the reader; the summary does not use these).
        write(os.path.join(tmp, "tree.json"), dump({
            "spec": spec, "commit": commit or None, "stage": stage,
            "host": host, "kdir": kdir, "work": work}))
        write(os.path.join(tmp, "status"), "%d\n" % rc)
        if os.path.isdir(final):
            shutil.rmtree(final)
        os.makedirs(os.path.dirname(final) or ".", exist_ok=True)
        os.rename(tmp, final)
    except (KeyboardInterrupt, SystemExit):
        shutil.rmtree(tmp, ignore_errors=True)
        print("fleet: %s %s: interrupted on %s" % (stage, spec, host))
        return 2
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        errf.close()
        shutil.rmtree(tmp, ignore_errors=True)
    if not quiet:
        print("fleet: %s %s: exit %d%s on %s (%.0f s)" % (
            stage, spec, rc, note, host, time.time() - t0))
    sys.stdout.flush()
    # 0 and 1 are results; 2 (a tool error) is for --resume-failed to retry.
    return 0 if rc in (0, 1) else 2


def prepare(argv):
    """On a host, once per run: what the stages need (scripts/deps.sh, the
    solver), so the jobs need not provision and never race to."""
    if not os.environ.get("PINCONV_NO_PROVISION"):
        for cmd in (["bash", os.path.join(SCRIPTS, "deps.sh")],
                    ["make", "-s", "-C", os.path.join(SCRIPTS, "pinflow")]):
            if subprocess.run(cmd, stdout=sys.stderr).returncode:
                die("%s failed on this host" % " ".join(cmd[:2]))
    return 0


# ------------------------------------------------------------------- run

def parse_hosts(hosts):
    return [h.strip() for h in hosts.split(",") if h.strip()]


def ssh_of(login):
    """(ssh command words, host) of a GNU parallel sshlogin."""
    login = re.sub(r"^@[^/]*/", "", login)
    login = re.sub(r"^[0-9]+/", "", login)
    if " " in login:
        words = shlex.split(login)
        return words[:-1], words[-1]
    return shlex.split(os.environ.get("PARALLEL_SSH") or "ssh"), login


def remote_path(remote_dir):
    return remote_dir if remote_dir.startswith("/") else "$HOME/" + remote_dir


def push(login, remote_dir):
    """The documented rsync step, then the host's provisioning."""
    ssh, host = ssh_of(login)
    rdir = remote_dir.rstrip("/")
    print("pinconv: fleet: %s: rsync the project to %s, provision" % (login, rdir),
          file=sys.stderr)
    cmd = ["rsync", "-a", "--delete"] + ["--exclude=" + x for x in RSYNC_EXCLUDES] + [
        "-e", " ".join(shlex.quote(w) for w in ssh), TOP + "/", "%s:%s/" % (host, rdir)]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    if r.returncode:
        die("%s: rsync of the project failed (exit %d)" % (login, r.returncode))
    r = subprocess.run(ssh + [host, "/usr/bin/python3 %s/scripts/fleet.py prepare"
                              % remote_path(rdir)], stdout=sys.stderr)
    if r.returncode:
        die("%s: provisioning failed (exit %d)" % (login, r.returncode))


def make_jobs(specs, stages, commits):
    """One line per (tree, stage), stage-major: every tree's scan runs
    before the first plan, so a host rarely waits for a tree's lock."""
    base = {}
    last = {}
    for s in specs:
        path, rev, _ = split_spec(s)
        if rev:
            if path in last:
                base[s] = last[path]
            last[path] = s
    rows = []
    for st in stages:
        for s in specs:
            b = base.get(s, "") if st == "report" else ""
            rows.append([st, tree_key(s), s, commits.get(s, ""),
                         b and tree_key(b), b, b and commits.get(b, "")])
    return rows, base


def joblog_done(path):
    """Sequence numbers the joblog records as finished with exit 0."""
    done = set()
    try:
        with open(path) as f:
            for line in f.read().splitlines()[1:]:
                c = line.split("\t")
                if len(c) >= 8 and c[6] == "0" and c[7] == "0":
                    done.add(int(c[0]))
    except OSError:
        pass
    return done


def run(argv):
    resume = os.environ.get("RESUME", "") not in ("", "0", "no")
    for a in argv:
        if a == "--resume":
            resume = True
        else:
            die("usage: fleet.py [--resume] (TREES STAGES HOSTS JOBS OUT "
                "SUBSYS API REMOTE_DIR RESUME from the environment)")
    trees = os.environ.get("TREES") or ""
    stages = [s.strip() for s in (os.environ.get("STAGES") or DEFAULT_STAGES)
              .replace(" ", ",").split(",") if s.strip()]
    for s in stages:
        if s not in STAGE_ORDER:
            die("unknown stage %s in STAGES= (known: %s)" % (s, ", ".join(STAGE_ORDER)))
    stages = [s for s in STAGE_ORDER if s in stages]
    hosts = parse_hosts(os.environ.get("HOSTS") or "")
    jobs = os.environ.get("JOBS") or "1"
    if not re.fullmatch(r"[0-9]+%?|\+[0-9]+|-[0-9]+", jobs):
        die("JOBS=%s: a number of jobs per host" % jobs)
    api = os.environ.get("API") or ""
    subsys = os.environ.get("SUBSYS") or ""
    remote_dir = os.environ.get("REMOTE_DIR") or "pinconv-fleet"
    if any(s in stages for s in ("convert", "qemu-test")) and not subsys:
        die("STAGES=%s needs SUBSYS= (convert's and qemu-test's)" % ",".join(stages))
    out = os.environ.get("OUT")
    if not out:
        if not trees:
            die("TREES= is needed (a file: one tree a line, a path or path@rev)")
        root = os.environ.get("PINCONV_REPORTS") or os.path.join(TOP, "reports")
        out = os.path.join(root, "fleet-" + re.sub(
            r"[^A-Za-z0-9._-]", "_", os.path.splitext(os.path.basename(trees))[0]))
    out = os.path.abspath(out)
    meta = os.path.join(out, ".fleet")
    runfile = os.path.join(meta, "run.json")
    jobsfile = os.path.join(meta, "jobs.txt")
    joblog = os.path.join(out, "joblog")

    if resume:
        try:
            with open(runfile) as f:
                r = json.load(f)
        except (OSError, ValueError):
            die("RESUME: no run to resume in %s" % out)
        if trees and read_trees(trees) != r["trees"]:
            die("RESUME: TREES=%s is not the list of the run in %s" % (trees, out))
        if os.environ.get("STAGES") and stages != r["stages"]:
            die("RESUME: STAGES= differs from the run in %s (%s)" % (out, ",".join(r["stages"])))
        if (api, subsys) != (r["api"], r["subsys"]) and (api or subsys):
            die("RESUME: API=/SUBSYS= differ from the run in %s" % out)
        specs, stages, api, subsys, nonce = (r["trees"], r["stages"], r["api"],
                                             r["subsys"], r["nonce"])
        with open(jobsfile) as f:
            rows = [l.split("\t") for l in f.read().splitlines()]
        # A job to run again starts from nothing.
        done = joblog_done(joblog)
        for i, row in enumerate(rows, 1):
            if i not in done:
                shutil.rmtree(os.path.join(out, "jobs", row[1], row[0]), ignore_errors=True)
        for dirpath, dirnames, _ in os.walk(os.path.join(out, "jobs")):
            for n in [n for n in dirnames if ".tmp." in n]:
                shutil.rmtree(os.path.join(dirpath, n), ignore_errors=True)
                dirnames.remove(n)
    else:
        if not trees:
            die("TREES= is needed (a file: one tree a line, a path or path@rev)")
        specs = read_trees(trees)
        local = not hosts or ":" in hosts
        commits = {}
        for s in specs:
            path, rev, deb = split_spec(s)
            p = path and os.path.expanduser(path)
            if rev and os.path.isdir(p):
                commits[s] = resolve_commit(p, rev)
            elif local and path and not rev and not pt.is_kernel_tree(p):
                die("%s: not a kernel tree" % s)
            elif local and rev and not os.path.isdir(p):
                die("%s: no repository %s" % (s, p))
        rows, _ = make_jobs(specs, stages, commits)
        nonce = sha("%s %s %d" % (out, time.time(), os.getpid()), 12)
        for p in (joblog, os.path.join(out, "jobs")):
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p):
                os.unlink(p)
        os.makedirs(meta, exist_ok=True)
        write(jobsfile, "".join("\t".join(r) + "\n" for r in rows))
        write(runfile, dump({"trees": specs, "stages": stages, "api": api,
                             "subsys": subsys, "nonce": nonce,
                             "commits": commits}))
    os.makedirs(os.path.join(out, "jobs"), exist_ok=True)

    remotes = [h for h in hosts if h != ":"]
    for h in remotes:
        push(h, remote_dir)

    tty = sys.stderr.isatty()
    script = ('T=$1; shift; [ "$PARALLEL_SSHLOGIN" = : ] && T=$1; shift; '
              'case $T in /*) ;; *) T=$HOME/$T;; esac; '
              'exec /usr/bin/python3 "$T/scripts/fleet.py" job "$@"')
    cmd = " ".join(shlex.quote(w) for w in [
        "sh", "-c", script, "fleet-job", remote_dir, TOP, "--out", out,
        "--nonce", nonce] + (["--quiet"] if tty else []) +
        (["--api", api] if api else []) + (["--subsys", subsys] if subsys else []))
    cmd += " {1} {2} {3} {4} {5} {6} {7}"
    par = ["parallel", "--joblog", joblog, "-j", jobs, "--colsep", "\t"]
    if resume:
        par.append("--resume-failed")
    if hosts:
        par += ["-S", ",".join(hosts)]
    if remotes:
        par += ["--workdir", "...", "--cleanup", "--return", "jobs/{2}/{1}"]
    if tty:
        par.append("--bar")
    par += [cmd, "::::", jobsfile]
    n = len(rows)
    print("pinconv: fleet: %d jobs (%d trees x %s) on %s, JOBS=%s; joblog %s%s" % (
        n, len(specs), ",".join(stages), ",".join(hosts) or "this machine", jobs,
        joblog, ", resuming" if resume else ""), file=sys.stderr)
    proc = subprocess.Popen(par, cwd=out)
    stopped = []

    def stop(signum, frame):
        stopped.append(signum)
        if proc.poll() is None:
            # SIGINT: parallel kills the running jobs and starts no more.
            proc.send_signal(signal.SIGINT)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    while True:
        try:
            prc = proc.wait()
            break
        except InterruptedError:
            continue
    rc = summarize(out)
    if stopped:
        print("pinconv: fleet: interrupted; RESUME=1 (--resume) continues it",
              file=sys.stderr)
        return 2
    if prc >= 102:
        print("pinconv: fleet: parallel failed (exit %d)" % prc, file=sys.stderr)
        return 2
    return rc


# --------------------------------------------------------------- summary

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_status(d):
    try:
        with open(os.path.join(d, "status")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def series_of(d, top):
    out = []
    conv = os.path.join(d, "convert")
    for dirpath, dirnames, files in os.walk(conv):
        dirnames.sort()
        patches = sorted(f for f in files if re.match(r"[0-9]{4}-.*\.patch$", f)
                         and not f.startswith("0000-"))
        if patches:
            out.append({"dir": os.path.relpath(dirpath, top),
                        "patches": len(patches)})
    return out


def tap_counts(path):
    ok = bad = 0
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("ok "):
                    ok += 1
                elif line.startswith("not ok "):
                    bad += 1
    except OSError:
        pass
    return ok, bad


def site_list(changes):
    return [{"kind": k, "file": f, "function": fn, "base_call": bc,
             "head_call": hc, "line": ln} for k, f, fn, bc, hc, ln in sorted(changes)]


def compare_plans(bplan, bscan, hplan, hscan):
    """New MISMATCH errors, MISMATCH gone, and sites that went from CONVERT
    to PINNED, by report.py's matching (file, function, call; a get-style
    site that became a pin-style one in the same function)."""
    import report
    bacq, brel = report.build(bplan, (bscan or {}).get("family", {}), {})
    hacq, hrel = report.build(hplan, (hscan or {}).get("family", {}), {})
    new, fixed, moved = [], [], []
    for kind, b, h in [("acquisition",) + c[1:] for c in report.compare(bacq, hacq)] + \
            [("release",) + c[1:] for c in report.compare(brel, hrel)]:
        bv = b.verdict if b else None
        hv = h.verdict if h else None
        row = lambda s: (kind, s.file, s.function, b.call if b else None,
                         h.call if h else None, s.line)
        if hv == "MISMATCH" and bv != "MISMATCH" and kind == "release":
            new.append(row(h))
        if bv == "MISMATCH" and hv != "MISMATCH" and kind == "release":
            fixed.append(row(b))
        if bv == "CONVERT" and hv == "PINNED":
            moved.append(row(h))
    # Identical verdicts are no change rows; a site matched unchanged
    # produced no row, so nothing is counted twice.
    return site_list(new), site_list(fixed), site_list(moved)


def summarize(out):
    """summary.json, summary.md, lint.sarif, lint.txt of OUT from the job
    results; returns the fleet's exit status."""
    r = load(os.path.join(out, ".fleet", "run.json"))
    if not r:
        die("%s: no fleet run here" % out)
    specs, stages = r["trees"], r["stages"]
    rows, base = make_jobs(specs, stages, r.get("commits", {}))
    trees = []
    worst = 0
    counts = {"0": 0, "1": 0, "2": 0, "not run": 0}
    sarif_runs = []
    gcc = []
    for s in specs:
        key = tree_key(s)
        path, rev, deb = split_spec(s)
        t = {"spec": s, "key": key, "rev": rev, "commit": None, "version": None,
             "stages": {}}
        for st in stages:
            d = os.path.join(out, "jobs", key, st)
            status = read_status(d)
            e = {"status": status}
            tj = load(os.path.join(d, "tree.json")) or {}
            t["commit"] = t["commit"] or tj.get("commit")
            for name in ("plan.json", "scan.json", "lint.json"):
                j = load(os.path.join(d, name))
                if j and isinstance(j.get("tree"), dict):
                    t["version"] = t["version"] or j["tree"].get("version")
            if status is None:
                counts["not run"] += 1
                worst = 2
            else:
                counts[str(status)] = counts.get(str(status), 0) + 1
                worst = max(worst, status)
                e["log"] = "jobs/%s/%s/stderr.txt" % (key, st)
            if st == "scan":
                j = load(os.path.join(d, "scan.json"))
                if j:
                    e.update(sites=len(j.get("sites", [])), unparsed=len(j.get("unparsed", [])))
            if st == "plan":
                j = load(os.path.join(d, "plan.json"))
                if j:
                    c = {}
                    for x in j.get("releases", []):
                        c[x["verdict"]] = c.get(x["verdict"], 0) + 1
                    e.update(releases=len(j.get("releases", [])),
                             acquisitions=len(j.get("acquisitions", [])),
                             verdicts={v: c.get(v, 0) for v in VERDICTS})
            if st == "lint":
                j = load(os.path.join(d, "lint.json"))
                if j:
                    e.update(errors=j["summary"]["errors"], warnings=j["summary"]["warnings"])
                    sar = load(os.path.join(d, "lint.sarif"))
                    if sar and sar.get("runs"):
                        run0 = sar["runs"][0]
                        run0["automationDetails"] = {"id": "pinconv-lint/%s/" % key}
                        run0.setdefault("properties", {})["tree"] = {
                            "spec": s, "commit": t["commit"], "version": t["version"]}
                        sarif_runs.append(run0)
                    try:
                        with open(os.path.join(d, "lint.txt")) as f:
                            text = f.read()
                    except OSError:
                        text = ""
                    gcc.append("# %s%s: %d error(s), %d warning(s)\n%s" % (
                        s, " (Linux %s)" % t["version"] if t["version"] else "",
                        e["errors"], e["warnings"], text))
            if st == "convert" and status is not None:
                e["series"] = series_of(d, out)
            if st == "report" and os.path.isfile(os.path.join(d, "index.html")):
                e["page"] = "jobs/%s/report/index.html" % key
                e["base"] = base.get(s)
            if st == "qemu-test" and status is not None:
                e["tests_ok"], e["tests_failed"] = tap_counts(os.path.join(d, "stdout.txt"))
            t["stages"][st] = e
        trees.append(t)

    history = []
    for s in specs:
        if s not in base:
            continue
        b = base[s]
        bk, hk = tree_key(b), tree_key(s)

        def plan_of(key):
            for st in ("plan", "lint", "report", "convert"):
                d = os.path.join(out, "jobs", key, st)
                p = load(os.path.join(d, "plan.json"))
                if p:
                    return p, load(os.path.join(d, "scan.json"))
            return None, None
        bplan, bscan = plan_of(bk)
        hplan, hscan = plan_of(hk)
        h = {"repo": split_spec(s)[0], "base": b, "head": s,
             "base_commit": next(t["commit"] for t in trees if t["spec"] == b),
             "head_commit": next(t["commit"] for t in trees if t["spec"] == s)}
        if bplan and hplan:
            h["new_mismatch"], h["fixed_mismatch"], h["convert_to_pinned"] = \
                compare_plans(bplan, bscan, hplan, hscan)
        else:
            h["new_mismatch"] = h["fixed_mismatch"] = h["convert_to_pinned"] = None
        page = "jobs/%s/report/index.html" % hk
        h["report"] = page if os.path.isfile(os.path.join(out, page)) else None
        history.append(h)

    summary = {"schema": "pinconv-fleet/1", "stages": stages, "status": worst,
               "jobs": dict(counts, total=len(rows)), "trees": trees,
               "history": history}
    write(os.path.join(out, "summary.json"), dump(summary))
    write(os.path.join(out, "summary.md"), render_md(summary))
    write(os.path.join(out, "lint.sarif"), json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0", "runs": sarif_runs}, indent=1, sort_keys=True) + "\n")
    write(os.path.join(out, "lint.txt"), "".join(gcc))
    print("pinconv: fleet: %s (%d jobs: %d exit 0, %d exit 1, %d exit 2, %d not run)" % (
        os.path.join(out, "summary.md"), len(rows), counts["0"], counts["1"],
        counts["2"], counts["not run"]), file=sys.stderr)
    return worst


def cell(st, e):
    s = e.get("status")
    if s is None:
        return "not run"
    extra = ""
    if st == "scan" and "sites" in e:
        extra = "%d sites" % e["sites"]
    elif st == "plan" and "releases" in e:
        extra = "%d releases" % e["releases"]
    elif st == "lint" and "errors" in e:
        extra = "%d errors, %d warnings" % (e["errors"], e["warnings"])
    elif st == "convert":
        extra = ", ".join("%s: %d patches" % (x["dir"].split("/convert/", 1)[-1], x["patches"])
                          for x in e.get("series", [])) or "no series"
    elif st == "report" and e.get("page"):
        extra = "[page](%s)" % e["page"]
    elif st == "qemu-test":
        extra = "%d ok, %d not ok" % (e.get("tests_ok", 0), e.get("tests_failed", 0))
    if s == 2:
        extra = "[log](%s)" % e["log"]
    return "%d%s" % (s, " (%s)" % extra if extra else "")


def render_md(sm):
    w = []
    stages = sm["stages"]
    w.append("# pinconv fleet: %d trees, stages %s\n\n" % (len(sm["trees"]), ", ".join(stages)))
    j = sm["jobs"]
    w.append("Exit status %d. %d jobs: %d exit 0, %d exit 1 (findings or failed "
             "checks), %d exit 2 (tool error), %d not run.\n\n" % (
                 sm["status"], j["total"], j["0"], j["1"], j["2"], j["not run"]))
    w.append("| tree | Linux | %s |\n|---|---|%s\n" % (
        " | ".join(stages), "---|" * len(stages)))
    for t in sm["trees"]:
        name = "`%s`" % t["spec"] + (" (%s)" % t["commit"][:12] if t["commit"] else "")
        w.append("| %s | %s | %s |\n" % (name, t["version"] or "?", " | ".join(
            cell(st, t["stages"][st]) for st in stages)))
    if "plan" in stages:
        w.append("\n## Verdicts of the releases (plan.json)\n\n| tree | %s |\n|---|%s\n" % (
            " | ".join(VERDICTS), "---|" * len(VERDICTS)))
        for t in sm["trees"]:
            v = t["stages"]["plan"].get("verdicts")
            w.append("| `%s` | %s |\n" % (t["spec"], " | ".join(
                str(v[x]) if v else "-" for x in VERDICTS)))
    if "lint" in stages:
        w.append("\n## Lint errors (all findings: lint.txt, lint.sarif)\n\n")
        for t in sm["trees"]:
            e = t["stages"]["lint"]
            if "errors" not in e:
                w.append("- `%s`: no lint result\n" % t["spec"])
                continue
            w.append("- `%s`: %d error(s), %d warning(s)\n" % (t["spec"], e["errors"], e["warnings"]))
    for h in sm["history"]:
        w.append("\n## `%s`: %s (%s) -> %s (%s)\n\n" % (
            h["repo"], h["base"].rsplit("@", 1)[1], (h["base_commit"] or "?")[:12],
            h["head"].rsplit("@", 1)[1], (h["head_commit"] or "?")[:12]))
        if h["new_mismatch"] is None:
            w.append("No plan of both revisions (STAGES= without plan or lint, or a job "
                     "did not finish).\n")
        else:
            for title, key in (("New MISMATCH errors", "new_mismatch"),
                               ("MISMATCH gone", "fixed_mismatch"),
                               ("CONVERT -> PINNED", "convert_to_pinned")):
                rows = h[key]
                w.append("%s: %d\n" % (title, len(rows)))
                for x in rows:
                    calls = x["head_call"] or x["base_call"]
                    if x["base_call"] and x["head_call"] and x["base_call"] != x["head_call"]:
                        calls = "%s -> %s" % (x["base_call"], x["head_call"])
                    w.append("- %s %s:%d %s(): %s()\n" % (
                        x["kind"], x["file"], x["line"], x["function"], calls))
                w.append("\n")
        if h["report"]:
            w.append("Report with BASE= the earlier revision: [%s](%s)\n" % (h["report"], h["report"]))
    return "".join(w)


def main(argv):
    if argv and argv[0] == "job":
        return job(argv[1:])
    if argv and argv[0] == "prepare":
        return prepare(argv[1:])
    if argv and argv[0] == "summary":
        if len(argv) != 2:
            die("usage: fleet.py summary OUT")
        return summarize(os.path.abspath(argv[1]))
    return run(argv)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("pinconv: fleet: interrupted", file=sys.stderr)
        sys.exit(2)
