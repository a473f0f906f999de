#!/usr/bin/env python3
"""Loops written with forRange/forEach/when and self tail calls compile to
plain loops: after -O2 no closure is built or applied for their bodies
(no atl_apply, no lambda function) and nothing is allocated per iteration."""
import os
import re
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])

PROGRAM = """fill : MutableArray s Int -> Int -> Effect s d ()
fill a n = forRange 0 n (\\i -> writeArray a i (i * i))

total : MutableArray s Int -> List Int -> Effect s d Int
total a xs = do
  acc <- newRef 0
  forEach xs (\\i -> do
    x <- readArray a i
    s <- readRef acc
    when (x > 0) (writeRef acc (s + x)))
  readRef acc

count : Int -> Int -> Int
count i acc = if i == 0 then acc else count (i - 1) (acc + i % 3)

main : Effect s Nondeterministic ()
main = do
  a <- newIntArray 10
  fill a 10
  t <- total a [1, 2, 3]
  print (show t ++ " " ++ show (count 100 0))
"""

failures = []
with tempfile.TemporaryDirectory(prefix="atoll-loops-test-") as tmp:
    src = os.path.join(tmp, "loops.atl")
    with open(src, "w") as f:
        f.write(PROGRAM)
    ll = os.path.join(tmp, "loops.ll")
    r = subprocess.run([ATOLL, "build", src, "-O2", "--emit=llvm", "-o", ll], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: build:", r.stderr)
        sys.exit(1)
    ir = open(ll).read()
    # No closure is built or applied anywhere (the loop bodies are inline),
    # and nothing is GC-allocated at all ([1, 2, 3] is static data).
    for forbidden in ["call i64 @atl_apply", "@atl.lambda"]:
        if forbidden in ir:
            failures.append(f"the optimised IR contains {forbidden}")
    allocs = len(re.findall(r"call ptr @atl_alloc\(", ir))
    if allocs != 0:
        failures.append(f"expected no atl_alloc call, found {allocs}")
    exe = os.path.join(tmp, "loops")
    r = subprocess.run([ATOLL, "build", src, "-o", exe], capture_output=True, text=True)
    out = subprocess.run([exe], capture_output=True, text=True).stdout if r.returncode == 0 else r.stderr
    if out != "14 100\n":
        failures.append(f"output {out!r}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
