# SPDX-License-Identifier: GPL-2.0
"""Compile single objects of a kernel tree with its own Kbuild, out of tree,
without ever writing the tree.

One object directory per tree, ${XDG_CACHE_HOME:-~/.cache}/pinconv/kbuild/
<tree-id>/obj, configured once: x86_64 defconfig, plus the Kconfig symbols
that build the files asked for (read from the Makefiles on the way from the
file up to the top: obj-$(CONFIG_X) += file.o / dir/, composite objects),
then olddefconfig and `make prepare`.  allmodconfig would enable everything
but takes many minutes to prepare; defconfig + symbols takes ~20 s once.
A symbol whose dependencies defconfig does not meet stays off and is
reported, never hidden.

compile(): `make O=obj path/file.o` builds the tree's own version (Kbuild
never writes the source tree with O=), which records the exact gcc command
in obj/path/.file.o.cmd and the sparse command (C=2 V=1).  The same
commands then compile another version of the file (a base or a converted
copy, in a mirror directory whose other entries are symlinks to the tree),
with the source path and -I of the mirror substituted: the tree's flags,
config and generated headers, another source.
"""

import fcntl
import os
import re
import shlex
import shutil
import subprocess

import pinconv_tree as pt

ARCH_DEFCONFIG = "defconfig"
# Files under arch/<dir>/ of these architectures are built with Debian's
# cross compilers (scripts/deps.sh installs them): ARCH=, CROSS_COMPILE=,
# the architecture's defconfig, one object directory per tree and arch.
CROSS = {
    "arm64": ("arm64", "aarch64-linux-gnu-", "gcc-aarch64-linux-gnu"),
    "powerpc": ("powerpc", "powerpc64-linux-gnu-", "gcc-powerpc64-linux-gnu"),
    "s390": ("s390", "s390x-linux-gnu-", "gcc-s390x-linux-gnu"),
}


# Files that their architecture's defconfig does not build: another
# defconfig of the tree (its own object directory).  powerpc's e500 KVM
# needs a Book3E (e5500/e6500) configuration.
DEFCONFIG_FOR = [
    (r"^arch/powerpc/kvm/(e500|booke)", "corenet64_smp_defconfig"),
]
ARCH_DEFCONFIGS = {"powerpc": "ppc64_defconfig"}


def target_of(rel):
    """(arch, defconfig) a file of the tree is built with."""
    arch = arch_of(rel)
    for pat, dc in DEFCONFIG_FOR:
        if re.match(pat, rel):
            return arch, dc
    return arch, ARCH_DEFCONFIGS.get(arch, ARCH_DEFCONFIG)


def arch_of(rel):
    """The architecture a file of the tree is built for: its arch/<dir>/,
    else x86 (the host)."""
    m = re.match(r"^arch/([^/]+)/", rel)
    return m.group(1) if m else "x86"


def cross_missing(arch):
    """None when files of arch can be built here, else why not."""
    if arch in ("x86", "x86_64"):
        return None
    if arch not in CROSS:
        return "arch/%s: pinconv has no cross toolchain for it" % arch
    _, prefix, pkg = CROSS[arch]
    if not shutil.which(prefix + "gcc"):
        return "arch/%s needs %sgcc (Debian package %s), not installed" % (arch, prefix, pkg)
    return None


def cache_root():
    return pt.cache_root()


def _makefile_text(kdir, d):
    for name in ("Makefile", "Kbuild"):
        p = os.path.join(kdir, d, name)
        if os.path.isfile(p):
            with open(p, errors="replace") as f:
                return f.read().replace("\\\n", " ")
    return ""


def _symbols_for(text, target):
    """CONFIG_ symbols that put `target` (file.o or dir/) in obj-y/obj-m,
    following composite objects (foo-y += target; obj-$(CONFIG_X) += foo.o)."""
    syms, seen, todo = set(), set(), [target]
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        for m in re.finditer(r"^\s*([\w-]+?)-(\$\(CONFIG_(\w+)\)|y|objs|m)\s*[:+]?=(.*)$",
                             text, re.M):
            words = m.group(4).split()
            if t not in words:
                continue
            base = m.group(1)
            if m.group(3):
                syms.add(m.group(3))
            if base not in ("obj", "lib", "core", "drivers", "subdir"):
                todo.append(base + ".o")
            elif base == "obj" and m.group(3) is None:
                pass
        # A plain variable holding the target is the target where it is
        # used: kvm-e500mc-objs := ... e500_mmu.o; kvm-objs-$(CONFIG_X) :=
        # $(kvm-e500mc-objs) (arch/powerpc/kvm).
        for m in re.finditer(r"^\s*([\w-]+)\s*[:+]?=(.*)$", text, re.M):
            if t in m.group(2).split():
                todo.append("$(%s)" % m.group(1))
    return syms


def kconfig_symbols(kdir, rel):
    """The CONFIG_ symbols a file of the tree needs to be built."""
    syms = set()
    d, target = os.path.dirname(rel), os.path.basename(rel)
    if target.endswith(".c"):
        target = target[:-2] + ".o"
    while d:
        syms |= _symbols_for(_makefile_text(kdir, d), target)
        target = os.path.basename(d) + "/"
        d = os.path.dirname(d)
    return syms


_KCONFIG = {}


def kconfig_depends(kdir, sym):
    """The symbols a Kconfig symbol depends on (its "depends on" lines,
    negations left out), from the tree's Kconfig files."""
    if kdir not in _KCONFIG:
        blocks = {}
        for root, dirs, files in os.walk(kdir):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for fn in files:
                if not fn.startswith("Kconfig"):
                    continue
                with open(os.path.join(root, fn), errors="replace") as f:
                    text = f.read()
                # "if X ... endif" around a config is a dependency on X
                # (menuconfig VIRTUALIZATION / if VIRTUALIZATION), read as
                # one more "depends on" line of the config.
                ifs, starts = [], {}
                for m in re.finditer(r"^(if\s+(.*?)\s*$|endif\b|(?:menu)?config\s+(\w+))",
                                     text, re.M):
                    if m.group(2) is not None:
                        ifs.append(m.group(2))
                    elif m.group(0).startswith("endif"):
                        if ifs:
                            ifs.pop()
                    else:
                        starts[m.start()] = list(ifs)
                for m in re.finditer(r"^(?:menu)?config\s+(\w+)\s*\n(.*?)(?=^\S|\Z)",
                                     text, re.M | re.S):
                    extra = "".join("\tdepends on %s\n" % e for e in starts.get(m.start(), []))
                    blocks.setdefault(m.group(1), []).append(m.group(2) + extra)
        _KCONFIG[kdir] = blocks
    deps = set()
    for body in _KCONFIG[kdir].get(sym, []):
        for m in re.finditer(r"^\s*depends on\s+(.*)$", body, re.M):
            expr = re.sub(r"!\s*\(?\s*\w+", " ", m.group(1))
            deps |= set(w for w in re.findall(r"\b[A-Z][A-Z0-9_]+\b", expr)
                        if w not in ("y", "m", "n"))
    return deps


# Toolchain compatibility: Kconfig settings that let a tree older than the
# compiler prepare and build.  Each: (tree older than (major, minor), gcc
# at least, settings for scripts/config, why).  Applied to the tree's
# defconfig when both hold, and listed in the build check (REVIEW.md).
COMPAT = [
    ((5, 18), 12,
     [("--disable", "UNWINDER_ORC"), ("--enable", "UNWINDER_FRAME_POINTER"),
      ("--disable", "STACK_VALIDATION")],
     "gcc >= 12 fails `make prepare` of older trees in objtool "
     "(-Werror=use-after-free in tools/lib/subcmd; upstream fixed it in early "
     "2022, \"libsubcmd: Fix use-after-free for realloc(..., 0)\"; v5.18 is on "
     "the safe side): UNWINDER_ORC and STACK_VALIDATION off, frame-pointer "
     "unwinder, so objtool is not built"),
]


def tree_version(kdir):
    """(major, minor) of the tree, from its top Makefile."""
    m = re.match(r"^(\d+)\.(\d+)", pt.kernel_version(kdir))
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def gcc_major(cc="gcc"):
    try:
        r = subprocess.run([cc, "-dumpversion"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        return int(r.stdout.strip().split(".")[0])
    except (OSError, ValueError):
        return 0


def compat_settings(version, gcc):
    """The COMPAT entries for a tree version and a gcc major version."""
    return [(args, why) for older, need, args, why in COMPAT
            if version < older and gcc >= need]


def apply_compat(kdir, config, gcc=None):
    """Apply the toolchain-compatibility settings to a .config (the tree's
    scripts/config); return [(settings text, why)] applied."""
    gcc = gcc_major() if gcc is None else gcc
    done = []
    for args, why in compat_settings(tree_version(kdir), gcc):
        r = _run(["bash", os.path.join(kdir, "scripts/config"), "--file", config] +
                 [a for pair in args for a in pair])
        if r.returncode:
            raise RuntimeError("scripts/config failed: " + r.stdout[-300:])
        done.append((", ".join("%s %s" % (("off" if o == "--disable" else "on"), s)
                               for o, s in args), why))
    return done


def _run(cmd, cwd=None, timeout=1800):
    # The tree's make must not inherit ours: `make -s convert` exports
    # MAKEFLAGS=s, which would hide the V=1 command lines read here.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          errors="replace", timeout=timeout, env=env)


class Kbuild:
    """The object directory of one tree and architecture.  Used as a
    context manager: the directory is locked (flock) for the whole use, so
    two runs never configure or prepare it at once; the second waits, and
    says so."""

    def __init__(self, kdir, log=None, arch="x86", defconfig=None):
        self.kdir = os.path.realpath(kdir)
        self.arch = "x86" if arch in ("x86", "x86_64") else arch
        self.defconfig = defconfig or ARCH_DEFCONFIGS.get(self.arch, ARCH_DEFCONFIG)
        self.base = os.path.join(cache_root(), "kbuild", pt.tree_id(kdir))
        name = "" if self.arch == "x86" else "-" + self.arch
        if self.defconfig != ARCH_DEFCONFIGS.get(self.arch, ARCH_DEFCONFIG):
            name += "-" + self.defconfig
        self.obj = os.path.join(self.base, "obj" + name)
        self.log = log or (lambda s: None)
        self.unmet = set()
        self.compat = []          # toolchain-compatibility settings applied
        os.makedirs(self.base, exist_ok=True)
        self._lockf = open(os.path.join(self.base, "lock" + name), "w")

    def __enter__(self):
        try:
            fcntl.flock(self._lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.log("kbuild: waiting for another pinconv run using %s (lock %s)" %
                     (self.obj, self._lockf.name))
            fcntl.flock(self._lockf, fcntl.LOCK_EX)
            self.log("kbuild: %s is free now" % self.obj)
        return self

    def __exit__(self, *a):
        fcntl.flock(self._lockf, fcntl.LOCK_UN)

    def arch_args(self):
        if self.arch == "x86":
            return []
        a, prefix, _ = CROSS[self.arch]
        return ["ARCH=" + a, "CROSS_COMPILE=" + prefix]

    def make(self, *args, timeout=1800, silent=True):
        return _run(["make"] + (["-s"] if silent else []) +
                    ["-C", self.kdir, "O=" + self.obj, "-j2"] + self.arch_args() +
                    list(args), timeout=timeout)

    def _config(self):
        vals = {}
        p = os.path.join(self.obj, ".config")
        if os.path.isfile(p):
            with open(p) as f:
                for line in f:
                    m = re.match(r"^CONFIG_(\w+)=(.*)$", line)
                    if m:
                        vals[m.group(1)] = m.group(2)
        return vals

    def ensure(self, rel_files):
        """Configure and prepare the object directory for these files.
        Returns (ok, message)."""
        ready = os.path.join(self.obj, ".pinconv-prepared")
        if not os.path.isfile(os.path.join(self.obj, ".config")):
            self.log("kbuild: %s%s in %s" % (
                " ".join(self.arch_args() + [""]), self.defconfig, self.obj))
            r = self.make(self.defconfig)
            if r.returncode:
                return False, "make %s failed: %s" % (self.defconfig,
                                                       r.stdout[-500:])
            cc = (CROSS[self.arch][1] if self.arch in CROSS else "") + "gcc"
            applied = apply_compat(self.kdir, os.path.join(self.obj, ".config"),
                                   gcc_major(cc))
            if applied:
                r = self.make("olddefconfig")
                if r.returncode:
                    return False, "make olddefconfig failed: " + r.stdout[-300:]
            with open(os.path.join(self.obj, ".pinconv-compat"), "w") as f:
                for what, why in applied:
                    f.write("%s\t%s\n" % (what, why))
        want = set()
        for f in rel_files:
            want |= kconfig_symbols(self.kdir, f)
        cfg = self._config()
        missing = sorted(s for s in want if cfg.get(s) not in ("y", "m"))
        changed = False
        if missing:
            tool = os.path.join(self.kdir, "scripts/config")
            r = _run(["bash", tool, "--file", os.path.join(self.obj, ".config")] +
                     [a for s in missing for a in ("--enable", s)])
            if r.returncode:
                return False, "scripts/config failed: " + r.stdout[-300:]
            r = self.make("olddefconfig")
            if r.returncode:
                return False, "make olddefconfig failed: " + r.stdout[-300:]
            changed = True
            cfg = self._config()
        self.unmet = set(s for s in want if cfg.get(s) not in ("y", "m"))
        if self.unmet:
            # Enable what they depend on (Kconfig "depends on"), a few levels.
            deps = set()
            todo, seen = set(self.unmet), set()
            for _ in range(3):
                nxt = set()
                for sym in todo - seen:
                    seen.add(sym)
                    nxt |= kconfig_depends(self.kdir, sym)
                deps |= nxt
                todo = nxt
            deps = sorted(d for d in deps if cfg.get(d) not in ("y", "m"))
            if deps:
                tool = os.path.join(self.kdir, "scripts/config")
                _run(["bash", tool, "--file", os.path.join(self.obj, ".config")] +
                     [a for d in deps + sorted(self.unmet) for a in ("--enable", d)])
                self.make("olddefconfig")
                changed = True
                cfg = self._config()
                self.unmet = set(s for s in want if cfg.get(s) not in ("y", "m"))
        cp = os.path.join(self.obj, ".pinconv-compat")
        if os.path.isfile(cp):
            with open(cp) as f:
                self.compat = [tuple(line.rstrip("\n").split("\t", 1))
                               for line in f if "\t" in line]
        # Only a .config that really changed needs a new prepare: symbols
        # whose dependencies stay unmet are tried again on every run.
        cfgtext = os.path.join(self.obj, ".config")
        mark = os.path.join(self.obj, ".pinconv-prepared-config")
        if changed and os.path.isfile(mark) and os.path.isfile(ready):
            with open(cfgtext) as a, open(mark) as b:
                changed = a.read() != b.read()
        if changed or not os.path.isfile(ready):
            self.log("kbuild: make prepare in %s (once per tree and arch)" % self.obj)
            r = self.make("prepare")
            if r.returncode:
                return False, "make prepare failed: " + r.stdout[-800:]
            with open(ready, "w") as f:
                f.write("ok\n")
            shutil.copyfile(cfgtext, mark)
        return True, ""

    def commands(self, rel):
        """Build the tree's own rel (a .c file); return (ok, output,
        gcc_cmd, sparse_cmd)."""
        objrel = rel[:-2] + ".o"
        r = self.make("C=2", "V=1", objrel, silent=False)
        out = r.stdout
        src = os.path.join(self.kdir, rel)
        sparse = None
        for line in out.split("\n"):
            s = line.strip()
            if s.startswith("sparse ") and s.endswith(" " + src):
                sparse = s
        gcc = None
        cmdf = os.path.join(self.obj, os.path.dirname(rel),
                            "." + os.path.basename(objrel) + ".cmd")
        if os.path.isfile(cmdf):
            with open(cmdf) as f:
                for line in f:
                    m = re.match(r"^(?:saved)?cmd_\S+\s*:=\s*(.*)$", line)
                    if m:
                        gcc = m.group(1)
                        break
        if gcc:
            gcc = gcc.split(" ; ")[0]
        return r.returncode == 0, out, gcc, sparse

    def _substitute(self, cmd, mirror):
        """The tree's command with every path into the tree pointing into
        the mirror instead (a full view of the tree, see verify.py)."""
        cmd = cmd.replace(self.kdir + "/", mirror.rstrip("/") + "/")
        cmd = re.sub(r"-Wp,-MMD,\S+", "-Wp,-MMD,/dev/null", cmd)
        return cmd

    def run_variant(self, cmd, mirror, tmp):
        """Run a compile (or sparse) command for the mirror's version of
        the file; the object goes to tmp, never into the cached objdir."""
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        c = self._substitute(cmd, mirror)
        c = re.sub(r"(\s)-o\s+\S+", lambda m: m.group(1) + "-o " + tmp + ".o", c)
        r = _run(["sh", "-c", c], cwd=self.obj)
        return r.returncode, r.stdout


def sparse_messages(output, rel, mirror=None):
    """The sparse warnings of one file, without line numbers and with the
    mirror's paths made relative, so that two versions of a file compare."""
    msgs = []
    for line in output.split("\n"):
        m = re.match(r"^(\S+?):(\d+):(\d+): (warning|error): (.*)$", line)
        if not m:
            continue
        f = m.group(1)
        if mirror and f.startswith(mirror.rstrip("/") + "/"):
            f = f[len(mirror.rstrip("/")) + 1:]
        if f.endswith("/" + rel) or f == rel:
            f = rel
        msgs.append("%s: %s: %s" % (f, m.group(4), m.group(5)))
    return msgs


def first_error(output):
    for line in output.split("\n"):
        if ": error:" in line or "No rule to make target" in line:
            return line.strip()[:300]
    return output.strip()[-300:]


def shell_quote(cmd):
    return " ".join(shlex.quote(c) for c in cmd)
