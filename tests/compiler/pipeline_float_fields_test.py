#!/usr/bin/env python3
"""Floats in records and out of regions stay unboxed in the generated code
(compiler/lower/README.md, Representation): a loop that updates a record of
Floats allocates no Float box and, since its record goes round the loop as
its fields (compiler/core/record_loops.cpp), no record either; the record
built where it leaves is pointer-free with raw doubles (the descriptor's
raw_fields mask says which), a record type some code uses
polymorphically keeps its fields boxed, and a runST whose result is a Float
hands a double to the arithmetic after it (no box)."""
import re
import sys

from pipeline_util import Pipeline

PROGRAM = """type Particle = { x : Float, v : Float }

step : Int -> Particle -> Particle
step 0 p = p
step n p = step (n - 1) { p | x = p.x +. 0.5 *. p.v, v = p.v *. 0.99 }

type Cell a = { item : a }

unwrap : Cell a -> a
unwrap c = c.item

main : Effect s Nondeterministic ()
main = do
  let p = step 100 { x = 0.0, v = 1.0 }
  print (show p.x)
  print (show (unwrap { item = 2.5 }))
"""

# Nothing here needs a Float box: the region's result is compared as a double.
REGION = """main : Effect s Nondeterministic ()
main = do
  let t = runST (do
        r <- newRef 0
        forRange 0 10 (\\i -> do
          n <- readRef r
          writeRef r (n + i))
        n <- readRef r
        pure (intToFloat n *. 0.5))
  print (if t > 20.0 then "big" else "small")
"""


with Pipeline(sys.argv[1], "float-fields") as p:
    ir = p.llvm("records", PROGRAM)
    # The loop of `step` (inlined into main): the basic block that branches
    # back to itself. It stores the record's two doubles and boxes nothing.
    loops = [b for b in re.split(r"\n(?=[\w.]+:)", ir)
             if re.match(r"([\w.]+):", b) and
             re.search(r"br i1 [^\n]*label %" + re.escape(re.match(r"([\w.]+):", b).group(1)) + r"\b", b)]
    p.check(len(loops) == 1, f"expected one self-looping block, found {len(loops)}")
    for body in loops:
        p.check("@atl_float_new" not in body, "the record loop boxes a Float")
        # The fields go round the loop in registers (compiler/core/record_loops.cpp).
        p.check("@atl_alloc" not in body, "the record loop allocates")
    # The record is built once, where the loop leaves: pointer-free, two raw doubles.
    built = re.findall(r"call ptr @atl_alloc_atomic\(i64 24\)(.*?)(?=\n\n|call)", ir, re.S)
    p.check(any(len(re.findall(r"store double", b)) == 2 for b in built),
            "the record should be allocated pointer-free with two raw doubles")
    # Descriptor masks: Particle's two fields raw (3), Cell's field boxed (0).
    table = re.search(r"@atl.descriptors = .*", ir).group(0)
    masks = re.findall(r"i64 (\d+) \}", table)
    p.check("3" in masks and all(m in ("0", "3") for m in masks),
            f"descriptor raw masks {masks}, expected 3 for Particle and 0 elsewhere")
    p.check("call i64 @atl_float_new" not in p.llvm("region", REGION), "the runST result is boxed")
    for opt in ["-O0", "-O2"]:
        for name, text, want in [("records", PROGRAM, "31.698382936338504\n2.5\n"), ("region", REGION, "big\n")]:
            out = p.run(p.executable(name, text, opt)).stdout
            p.check(out == want, f"{name} {opt}: output {out!r}")
