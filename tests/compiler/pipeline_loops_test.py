#!/usr/bin/env python3
"""Loops written with forRange/forEach/when and self tail calls compile to
plain loops: after -O2 no closure is built or applied for their bodies
(no atl_apply, no lambda function) and nothing is allocated per iteration."""
import sys

from pipeline_util import Pipeline, calls

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

with Pipeline(sys.argv[1], "loops") as p:
    ir = p.llvm("loops", PROGRAM)
    # No closure is built or applied anywhere (the loop bodies are inline),
    # and nothing is GC-allocated at all ([1, 2, 3] is static data).
    for forbidden in ["call i64 @atl_apply", "@atl.lambda"]:
        p.check(forbidden not in ir, f"the optimised IR contains {forbidden}")
    allocs = calls(ir, "atl_alloc")
    p.check(allocs == 0, f"expected no atl_alloc call, found {allocs}")
    run = p.run(p.executable("loops", PROGRAM))
    p.check(run.stdout == "14 100\n", f"output {run.stdout!r} {run.stderr}")
