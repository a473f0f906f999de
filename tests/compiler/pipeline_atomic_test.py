#!/usr/bin/env python3
"""Constructor objects whose fields cannot point into the GC heap are
allocated atomic (never scanned): the generated code calls atl_alloc_atomic
for a constructor of Ints, atl_alloc for one holding a String parameter, and
atl_alloc_object (a run-time test of the fields) for a polymorphic tuple.
Checked in the LLVM IR at -O0, where each function keeps its own body."""
import re
import sys

from pipeline_util import Pipeline
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

with Pipeline(sys.argv[1], "atomic") as p:
    allocs = {}
    function = None
    for line in p.llvm("atomic", PROGRAM, "-O0").splitlines():
        if line.startswith("define"):
            m = re.search(r'@"?atl\.([A-Za-z0-9_]+)"?\(', line)
            function = m.group(1) if m else None
        m = re.search(r"call ptr @(atl_alloc\w*)\(", line)
        if m and function in EXPECTED:
            allocs.setdefault(function, []).append(m.group(1))
    for fn, want in EXPECTED.items():
        p.check(allocs.get(fn) == [want], f"{fn}: allocates with {allocs.get(fn)}, expected [{want}]")
    run = p.run(p.executable("atomic", PROGRAM))
    p.check(run.stdout == 'P 2 2\nS "x" 2\n(1, "y")\n', f"output {run.stdout!r} {run.stderr}")
