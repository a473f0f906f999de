#!/usr/bin/env python3
"""Records passed to the next iteration of a loop as their fields
(compiler/core/record_loops.cpp). bench/codegen/nbody.atl's `pull` builds
a new body record per other body; at -O2 its self tail calls become jumps
to a `joinrec` whose parameters are the record's fields, and the inner loop
of the generated code (the one that tests `d2 == 0.0` and calls sqrt)
calls nothing but llvm intrinsics: no atl_alloc, no collector, no Float
box. A loop that keeps its record in a list on every iteration is left
alone (no joinrec; its loop still allocates the record). -O0 (no
optimiser) and -O2 print the same energies."""
import os
import re
import sys

from pipeline_util import Pipeline
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NBODY = os.path.join(ROOT, "bench", "codegen", "nbody.atl")

KEPT = """type P = { x : Float, n : Int }

trail : Int -> P -> List P -> List P
trail 0 p acc = acc
trail k p acc = trail (k - 1) { p | x = p.x +. 1.0, n = p.n + k } (p :: acc)

main : Effect s Nondeterministic ()
main = print (show (length (trail 100 { x = 0.0, n = 0 } [])))
"""


def loops(ir):
    """The natural loops of every function: (header, set of blocks)."""
    found = []
    for fn in re.findall(r"^define [^\n]*\{\n(.*?)^\}", ir, re.S | re.M):
        blocks, order, succ = {}, [], {}
        for chunk in re.split(r"\n(?=[\w.\-]+:)", "entry:\n" + fn if not re.match(r"[\w.\-]+:", fn) else fn):
            m = re.match(r"([\w.\-]+):", chunk)
            if not m:
                continue
            name = m.group(1)
            blocks[name] = chunk
            order.append(name)
            succ[name] = re.findall(r"label %([\w.\-]+)", chunk.split("\n", 1)[1] if "\n" in chunk else "")
        pred = {b: [] for b in order}
        for b in order:
            for s in succ[b]:
                if s in pred:
                    pred[s].append(b)
        position = {b: i for i, b in enumerate(order)}
        for b in order:
            for h in succ[b]:
                if h in position and position[h] <= position[b]:  # a back edge b -> h
                    body, work = {h, b}, [b]
                    while work:
                        x = work.pop()
                        for p in pred[x]:
                            if p not in body:
                                body.add(p)
                                work.append(p)
                    found.append((h, body, blocks))
    return found


with Pipeline(sys.argv[1], "record-loops") as p:
    nbody = open(NBODY).read()
    pull = re.search(r"^pull\(.*?(?=^\S)", p.core("nbody", nbody), re.S | re.M)
    if p.check(pull is not None and "joinrec" in pull.group(0),
               "pull's self tail calls did not become a joinrec"):
        p.check(not re.search(r"\{\w+\.\d+ \|", pull.group(0)), "pull still updates its record in the loop")

    inner = [(h, body, blocks) for h, body, blocks in loops(p.llvm("nbody", nbody))
             if any("@llvm.sqrt.f64" in blocks[b] for b in body) and
             any(re.search(r"fcmp (u|o)(eq|ne) double %[\w.]+, 0\.0", blocks[b]) for b in body)]
    if p.check(inner, "no loop calling sqrt and testing d2 == 0.0 found in the IR"):
        h, body, blocks = min(inner, key=lambda l: len(l[1]))
        calls = {c for b in body for c in re.findall(r"call [^@]*@([\w.]+)", blocks[b])}
        others = sorted(c for c in calls if not c.startswith("llvm."))
        p.check(not others, f"pull's inner loop (header {h}) calls {others}")

    # The whole record is kept on every iteration: no joinrec, the record
    # is still built in the loop.
    p.check("joinrec" not in p.core("kept", KEPT), "a record used whole on every iteration was split")
    p.check(p.run(p.executable("kept", KEPT, "-O2")).stdout == "100\n", "kept.atl printed the wrong length")

    # Same energies with and without the optimiser (1,000 steps).
    short = nbody.replace("advance 1000000", "advance 1000")
    outs = {opt: p.run(p.executable("nbody_short", short, opt)).stdout for opt in ["-O0", "-O2"]}
    p.check(outs["-O0"] == outs["-O2"] and len(outs["-O2"].splitlines()) == 2, f"energies differ: {outs}")
