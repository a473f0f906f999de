"""Shared setup of the pipeline tests (tests/compiler/pipeline_*_test.py):
each writes Atoll source to a temporary directory, builds it with the real
`atoll` (LLVM IR with --emit=llvm, or an executable), reads the IR and runs
the program.

    from pipeline_util import Pipeline
    with Pipeline(sys.argv[1], "strings") as p:
        ir = p.llvm("eq", SOURCE)            # -O2 IR text; a failed build fails the test
        core = p.core("eq", SOURCE)          # the -O2 --dump=core text
        out = p.run(p.executable("eq", SOURCE, "-O0"))
        p.check(cond, "message")             # collects failures
    # leaving the block prints every FAIL line and exits 1 if there was one
"""
import os
import re
import subprocess
import sys
import tempfile


class BuildFailed(Exception):
    pass


class Pipeline:
    def __init__(self, atoll, name):
        self.atoll = os.path.abspath(atoll)
        self.name = name
        self.failures = []
        self._tmp = None

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix=f"atoll-{self.name}-test-")
        self.dir = self._tmp.name
        return self

    def __exit__(self, kind, value, trace):
        self._tmp.cleanup()
        if kind is BuildFailed:
            self.failures.append(str(value))
        elif kind is not None:
            return False
        for f in self.failures:
            print("FAIL:", f)
        sys.exit(1 if self.failures else 0)

    def source(self, name, text):
        """Writes text to NAME.atl in the temporary directory; its path."""
        path = os.path.join(self.dir, name + ".atl")
        with open(path, "w") as f:
            f.write(text)
        return path

    def build(self, name, text, *flags, suffix=""):
        """`atoll build` of text with flags; the output's path. A failed
        build ends the test (BuildFailed) with atoll's diagnostics."""
        out = os.path.join(self.dir, name + suffix)
        r = subprocess.run([self.atoll, "build", self.source(name, text), *flags, "-o", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BuildFailed(f"build of {name} {' '.join(flags)}: exit {r.returncode}: {r.stderr}")
        return out

    def llvm(self, name, text, level="-O2"):
        """The LLVM IR (text) of the program at this -O level."""
        with open(self.build(name, text, level, "--emit=llvm", suffix=level + ".ll")) as f:
            return f.read()

    def core(self, name, text, level="-O2"):
        """The `--dump=core` text of the program at this -O level (a dump
        builds nothing)."""
        r = subprocess.run([self.atoll, "build", self.source(name, text), level, "--dump=core"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BuildFailed(f"--dump=core of {name} {level}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    def executable(self, name, text, level="-O2"):
        return self.build(name, text, level, suffix=level)

    def run(self, exe, *args):
        """Runs an executable; the CompletedProcess (text, captured)."""
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def function_body(ir, name):
    """The text of the LLVM function `@name` (quoted or not) in ir, or ""."""
    m = re.search(r'^define [^\n]*@"?' + re.escape(name) + r'"?\(.*?^}', ir, re.M | re.S)
    return m.group(0) if m else ""


def calls(text, symbol):
    """How many calls of @symbol text holds."""
    return len(re.findall(r"\bcall [^\n]*@" + re.escape(symbol) + r"\(", text))
