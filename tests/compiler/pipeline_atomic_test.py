#!/usr/bin/env python3
"""Constructor objects whose fields cannot point into the GC heap are
allocated atomic (never scanned): the generated code calls atl_alloc_atomic
for a constructor of Ints, atl_alloc for one holding a String parameter, and
atl_alloc_object (a run-time test of the fields) for a polymorphic tuple.
Checked in the LLVM IR at -O0, where each function keeps its own body."""
import os
import re
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
PROGRAM = """data P = P Int Int
data S = S String Int

mkP : Int -> Int -> P
mkP a b = P (a * 2) b

mkS : String -> Int -> S
mkS s b = S s b

both : a -> b -> (a, b)
both x y = (x, y)

main : Effect s Nondeterministic ()
main = do
  print (show (mkP 1 2))
  print (show (mkS "x" 2))
  print (show (both 1 "y"))
"""
EXPECTED = {"mkP": "atl_alloc_atomic", "mkS": "atl_alloc", "both": "atl_alloc_object"}

with tempfile.TemporaryDirectory(prefix="atoll-atomic-test-") as tmp:
    src = os.path.join(tmp, "atomic.atl")
    with open(src, "w") as f:
        f.write(PROGRAM)
    ll = os.path.join(tmp, "atomic.ll")
    subprocess.run([ATOLL, "build", src, "--emit=llvm", "-O0", "-o", ll], check=True)
    calls = {}
    function = None
    for line in open(ll):
        if line.startswith("define"):
            m = re.search(r'@"?atl\.([A-Za-z0-9_]+)"?\(', line)
            function = m.group(1) if m else None
        m = re.search(r"call ptr @(atl_alloc\w*)\(", line)
        if m and function in EXPECTED:
            calls.setdefault(function, []).append(m.group(1))
    failures = [f"{fn}: allocates with {calls.get(fn)}, expected [{want}]" for fn, want in EXPECTED.items()
                if calls.get(fn) != [want]]
    exe = os.path.join(tmp, "atomic")
    subprocess.run([ATOLL, "build", src, "-O2", "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    if out != 'P 2 2\nS "x" 2\n(1, "y")\n':
        failures.append(f"output {out!r}")
for f in failures:
    print("FAIL", f)
print("all passed" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
