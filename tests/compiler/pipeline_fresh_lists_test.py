#!/usr/bin/env python3
"""Accumulated lists reversed in place (compiler/core/fresh_lists.cpp).
The Prelude's map, filter, zipWith, take, takeWhile and zip cons their
result onto an accumulator and reverse it at the end; at -O2 that reverse
relinks the loop's own cells (`reverseOnto[in place]` in the Core dump,
calls of atl_rt_list_reverse_in_place in the IR). Lists of 3*10^5 elements
come out in order at -O0 and -O2; at -O2 also under ATOLL_GC=cards (page
protection) and under ATOLL_GC=manual with the dirty-bit verifier. A loop whose
accumulator the caller passes in (a user's `mapOnto f xs acc` with an acc
used again afterwards) keeps the copying reverse and leaves acc intact."""
import os
import re
import subprocess
import sys

from pipeline_util import Pipeline, calls

BUILDERS = """-- Each builder over 3*10^5 elements; checks order with a weighted sum.
weigh : List Int -> Int
weigh xs = foldl (\\acc x -> (acc * 31 + x) % 1000000007) 0 xs

main : Effect s Nondeterministic ()
main = do
  let xs = range 0 300000
  let ys = map (\\x -> x * 3 + 1) xs
  print (show (weigh ys))
  print (show (take 3 ys))
  let zs = filter (\\x -> x % 7 == 3) ys
  print (show (length zs, weigh zs))
  let ws = zipWith (\\a b -> a - b) ys xs
  print (show (weigh ws))
  print (show (weigh (take 150000 ws)))
  print (show (weigh (takeWhile (\\x -> x < 270000) ys)))
  let ps = zip xs ys
  print (show (foldl (\\acc p -> (acc * 7 + fst p - snd p) % 1000000007) 0 ps))
  -- boxed elements: each cell's head is a heap object
  let ss = map (\\x -> [x, x + 1]) (range 0 60000)
  print (show (foldl (\\acc l -> (acc * 3 + sum l) % 1000000007) 0 ss))
"""

SHARED = """-- mapOnto called with an accumulator that is used again afterwards.
main : Effect s Nondeterministic ()
main = do
  let acc = [100, 200, 300]
  let a = mapOnto (\\x -> x + 1) [1, 2, 3] acc
  let b = mapOnto (\\x -> x * 2) [4, 5] acc
  print (show a)
  print (show b)
  print (show acc)
"""


def expected_builders():
    m = 1000000007

    def rem(a, b):  # Atoll's % truncates, as C's does
        r = abs(a) % b
        return -r if a < 0 else r

    def weigh(v):
        acc = 0
        for x in v:
            acc = rem(acc * 31 + x, m)
        return acc

    xs = list(range(0, 300000))
    ys = [x * 3 + 1 for x in xs]
    zs = [y for y in ys if y % 7 == 3]
    ws = [a - b for a, b in zip(ys, xs)]
    out = [str(weigh(ys)), "[1, 4, 7]", f"({len(zs)}, {weigh(zs)})", str(weigh(ws)),
           str(weigh(ws[:150000])), str(weigh([y for y in ys if y < 270000]))]
    acc = 0
    for a, b in zip(xs, ys):
        acc = rem(acc * 7 + a - b, m)
    out.append(str(acc))
    acc = 0
    for x in range(0, 60000):
        acc = rem(acc * 3 + 2 * x + 1, m)
    out.append(str(acc))
    return "\n".join(out) + "\n"


with Pipeline(sys.argv[1], "fresh-lists") as p:
    want = expected_builders()
    core = p.core("builders", BUILDERS)
    p.check("reverseOnto[in place]" in core or "reverse[in place]" in core,
            "no reverse in place in the -O2 Core of the list builders")
    p.check("accumulated lists reversed in place" in core, "the dump does not count the in-place reverses")
    ir = p.llvm("builders", BUILDERS)
    p.check(calls(ir, "atl_rt_list_reverse_in_place") >= 5,
            f"{calls(ir, 'atl_rt_list_reverse_in_place')} calls of atl_rt_list_reverse_in_place in the IR")
    for level in ["-O0", "-O2"]:
        exe = p.executable("builders", BUILDERS, level)
        envs = [{}] if level == "-O0" else [{}, {"ATOLL_GC": "cards"},
                                            {"ATOLL_GC": "manual", "ATOLL_GC_VERIFY": "1"}]
        for env in envs:
            r = subprocess.run([exe], capture_output=True, text=True, timeout=60,
                               env={**os.environ, **env})
            p.check(r.returncode == 0 and r.stdout == want,
                    f"builders {level} {env}: exit {r.returncode}, {r.stdout!r} {r.stderr[-400:]!r}")

    # The caller's accumulator is not the loop's own: copied, not relinked.
    shared_core = p.core("shared", SHARED)
    p.check("[in place]" not in shared_core, "a caller's accumulator is reversed in place")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("shared", SHARED, level)).stdout
        p.check(out == "[300, 200, 100, 2, 3, 4]\n[300, 200, 100, 8, 10]\n[100, 200, 300]\n",
                f"shared {level}: {out!r}")
