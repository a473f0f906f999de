#!/usr/bin/env python3
"""Builds examples/embed/hello.c with the link line a generated header
documents (its `Link:` comment, with hello.c for host.c), runs it, and
checks its output: the documented command must work as written."""
import os
import re
import subprocess
import sys

header, source, output = sys.argv[1:4]
with open(header, encoding="utf-8") as f:
    m = re.search(r"^ \* Link: (.*)$", f.read(), re.MULTILINE)
if not m:
    sys.exit(f"no Link: line in {header}")
cmd = m.group(1).split()
cmd = [source if a == "host.c" else a for a in cmd]
include = header.rsplit("/", 1)[0]
cmd[1:1] = ["-I" + include, "-o", output]
print(" ".join(cmd))
subprocess.run(cmd, check=True)
# A shared library is found next to the header (the link line has no rpath).
env = {**os.environ, "LD_LIBRARY_PATH": include}
run = subprocess.run([output], capture_output=True, text=True, timeout=60, env=env)
print(run.stdout, run.stderr, end="")
if run.returncode != 0 or run.stdout != "1 + 2 = 3; hello, host\n":
    sys.exit("hello: wrong exit status or output")
