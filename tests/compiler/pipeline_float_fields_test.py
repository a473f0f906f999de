#!/usr/bin/env python3
"""Floats in records and out of regions stay unboxed in the generated code
(compiler/lower/README.md, Representation): a loop that updates a record of
Floats allocates no Float box and, since its record goes round the loop as
its fields (compiler/core/record_loops.cpp), no record either; the record
built where it leaves is pointer-free with raw doubles (the descriptor's
raw_fields mask says which), a record type some code uses
polymorphically keeps its fields boxed, and a runST whose result is a Float
hands a double to the arithmetic after it (no box)."""
import os
import re
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])

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


def build(tmp, name, text, *flags):
    src = os.path.join(tmp, name + ".atl")
    with open(src, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name + (".ll" if "--emit=llvm" in flags else ""))
    r = subprocess.run([ATOLL, "build", src, *flags, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: build:", r.stderr)
        sys.exit(1)
    return out


failures = []
with tempfile.TemporaryDirectory(prefix="atoll-float-fields-test-") as tmp:
    ir = open(build(tmp, "records", PROGRAM, "-O2", "--emit=llvm")).read()
    # The loop of `step` (inlined into main): the basic block that branches
    # back to itself. It stores the record's two doubles and boxes nothing.
    loops = [b for b in re.split(r"\n(?=[\w.]+:)", ir)
             if re.match(r"([\w.]+):", b) and
             re.search(r"br i1 [^\n]*label %" + re.escape(re.match(r"([\w.]+):", b).group(1)) + r"\b", b)]
    if len(loops) != 1:
        failures.append(f"expected one self-looping block, found {len(loops)}")
    for body in loops:
        if "@atl_float_new" in body:
            failures.append("the record loop boxes a Float")
        # The fields go round the loop in registers (compiler/core/record_loops.cpp).
        if "@atl_alloc" in body:
            failures.append("the record loop allocates")
    # The record is built once, where the loop leaves: pointer-free, two raw doubles.
    built = re.findall(r"call ptr @atl_alloc_atomic\(i64 24\)(.*?)(?=\n\n|call)", ir, re.S)
    if not any(len(re.findall(r"store double", b)) == 2 for b in built):
        failures.append("the record should be allocated pointer-free with two raw doubles")
    # Descriptor masks: Particle's two fields raw (3), Cell's field boxed (0).
    table = re.search(r"@atl.descriptors = .*", ir).group(0)
    masks = re.findall(r"i64 (\d+) \}", table)
    if "3" not in masks or any(m not in ("0", "3") for m in masks):
        failures.append(f"descriptor raw masks {masks}, expected 3 for Particle and 0 elsewhere")
    ir = open(build(tmp, "region", REGION, "-O2", "--emit=llvm")).read()
    if "call i64 @atl_float_new" in ir:
        failures.append("the runST result is boxed")
    for opt in ["-O0", "-O2"]:
        for name, text, want in [("records", PROGRAM, "31.698382936338504\n2.5\n"), ("region", REGION, "big\n")]:
            exe = build(tmp, name + opt[1:], text, opt)
            out = subprocess.run([exe], capture_output=True, text=True).stdout
            if out != want:
                failures.append(f"{name} {opt}: output {out!r}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
