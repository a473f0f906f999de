#!/usr/bin/env python3
"""Loop unrolling by -O level (compiler/driver/codegen.cpp,
SetPartialUnrolling). At -O2 a long loop with a known trip count (the
tail-recursive loop of bench/codegen/loop.atl, 10^8 iterations) is not
partially unrolled: its loop block holds the body once (one `srem`), where
LLVM's default for a host with a loop buffer unrolls it ten times. Full
unrolling is not affected: a loop of four iterations over a value from
the command line leaves no loop behind at -O2. Both print what -O0
prints."""
import re
import sys

from pipeline_util import Pipeline, function_body

LONG = """loop : Int -> Int -> Int -> Int
loop i n acc = if i == n then acc else loop (i + 1) n ((acc * 31 + i) % 1000003)

main : Effect s Nondeterministic ()
main = print (show (loop 0 1000000 0))
"""

SHORT = """mix : Int -> Int -> Int -> Int
mix i x acc = if i == 4 then acc else mix (i + 1) x (acc * 3 + x * i)

main : Effect s Nondeterministic ()
main = do
  as <- args
  print (show (mix 0 (length as + 7) 1))
"""


def loop_blocks(ir):
    """The blocks of ir that branch back to themselves."""
    found = []
    for block in re.split(r"\n(?=[\w.]+:)", ir):
        m = re.match(r"([\w.]+):", block)
        if m and re.search(r"br [^\n]*label %" + re.escape(m.group(1)) + r"\b", block):
            found.append(block)
    return found


def expected_long(n):
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) % 1000003
    return f"{acc}\n"


def expected_short(x):
    acc = 1
    for i in range(4):
        acc = acc * 3 + x * i
    return f"{acc}\n"


with Pipeline(sys.argv[1], "unroll") as p:
    blocks = loop_blocks(p.llvm("long", LONG))
    if p.check(len(blocks) == 1, f"long: expected one loop block at -O2, found {len(blocks)}"):
        rems = re.findall(r"= srem i64", blocks[0])
        p.check(len(rems) == 1,
                f"long: the -O2 loop is unrolled ({len(rems)} srem in it):\n{blocks[0][:2000]}")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("long", LONG, level)).stdout
        p.check(out == expected_long(10**6),
                f"long {level}: output {out!r}, expected {expected_long(10**6)!r}")

    main = function_body(p.llvm("short", SHORT), "atl.main")
    p.check(main != "", "short: no atl.main in the IR")
    # (`length as` stays a loop over the list; mix's is the one with a mul.)
    mixing = [b for b in loop_blocks(main) if re.search(r"= mul\b", b)]
    p.check(mixing == [], f"short: the four-iteration loop was not unrolled:\n{main[:2000]}")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("short", SHORT, level)).stdout
        p.check(out == expected_short(7), f"short {level}: output {out!r}, expected {expected_short(7)!r}")
