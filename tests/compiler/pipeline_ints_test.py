#!/usr/bin/env python3
"""Raw Ints in loops (compiler/lower/README.md, "Representation"). At -O2
the sieve's inner loop (`cross`: j from i*i by i while j <= n) and a
counting loop guarded by `i < n` carry their counters untagged: the loop
block has no shift at all (no untagging for the index, no tagging, no sign
extension from 63 bits), and its increment is `add nsw` because the bounds
prover showed it cannot wrap. A loop whose accumulator does wrap keeps the
sign extension from bit 62 (its ashr) and prints the wrapped value; -O0
and -O2 print the same. A loop whose index check is not proved but whose
range is known at its entry has that check hoisted out (by LLVM, once the
counter is raw): the loop has no check, and the hoisted one fires. A
remainder by a run-time divisor has a mask path for powers of two next to
its division, and both give the truncating remainder."""
import re
import sys

from pipeline_util import Pipeline

PROGRAM = """cross : MutableArray s Bool -> Int -> Int -> Int -> Effect s d ()
cross marks n i j = if j > n then pure () else do
  writeArray marks j False
  cross marks n i (j + i)

countPrimes : MutableArray s Bool -> Int -> Int -> Int -> Effect s d Int
countPrimes marks n i count = if i > n then pure count else do
  m <- readArray marks i
  if m
    then do
      cross marks n i (i * i)
      countPrimes marks n (i + 1) (count + 1)
    else countPrimes marks n (i + 1) count

primesUpTo : Int -> Int
primesUpTo n = runST $ do
  marks <- newArray (n + 1) True
  countPrimes marks n 2 0

sevens : Int -> Int -> Int -> Int
sevens i n acc = if i < n then sevens (i + 1) n (acc * 3 % 1000 + i) else acc

wrapSum : Int -> Int -> Int
wrapSum i acc = if i == 0 then acc else wrapSum (i - 1) (acc * 1000003 + 4611686018427387903)

main : Effect s Nondeterministic ()
main = do
  as <- args
  print (show (primesUpTo 100000))
  print (show (sevens 0 100000 0))
  print (show (wrapSum (length as + 5) 0))
"""
OUTPUT = "9592\n100000\n-1168770150066733049\n"

# A loop whose index the prover cannot bound (the array's size and the
# guard come from the command line): its check is not proved, but with the
# counter raw LLVM hoists it out of the loop, one compare of the size with
# the last index before the first iteration. It still fires, naming the
# first index out of bounds.
HOISTED = """sumTo : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumTo a n i acc = if i < n then do
    x <- readArray a i
    sumTo a n (i + 1) (acc + x)
  else pure acc

total : Int -> Int -> Int
total m n = runST $ do
  a <- newIntArray m
  sumTo a n 0 0

main : Effect s Nondeterministic ()
main = do
  as <- args
  case as of
    [m, n] -> case (parseInt m, parseInt n) of
      (Just m, Just n) -> print (show (total m n))
      _ -> print "numbers?"
    _ -> print "two numbers?"
"""


# `%` by a divisor known only at run time (compiler/lower/expr.cpp,
# Remainder): a power of two with both operands >= 0 takes a mask, any
# other pair the division; the result is the truncating remainder either
# way (its sign is the dividend's). The divisors are offset by the number
# of arguments (0), so that nothing folds them.
REMAINDERS = """remainders : Int -> List Int
remainders d = map (\\x -> x % d) (range (-20) 21 ++ [4611686018427387903, -4611686018427387903 - 1, 2305843009213693952, 2305843009213693951, -2305843009213693952])

main : Effect s Nondeterministic ()
main = do
  as <- args
  let k = length as
  forEach [1, 2, 3, 4, 6, 8, 64, 1024, 2305843009213693952, 4611686018427387903, -1, -2, -8, -7, -4611686018427387903 - 1] (\\d -> print (show (remainders (d + k))))
"""
DIVISORS = [1, 2, 3, 4, 6, 8, 64, 1024, 2**61, 2**62 - 1, -1, -2, -8, -7, -2**62]
DIVIDENDS = list(range(-20, 21)) + [2**62 - 1, -2**62, 2**61, 2**61 - 1, -2**61]


def truncating_remainder(a, b):
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


REMAINDERS_OUTPUT = "".join(
    "[" + ", ".join(str(truncating_remainder(a, d)) for a in DIVIDENDS) + "]\n" for d in DIVISORS)


def loops(ir):
    """The blocks of the IR that branch back to themselves: name -> text."""
    found = {}
    for block in re.split(r"\n(?=[\w.]+:)", ir):
        m = re.match(r"([\w.]+):", block)
        if m and re.search(r"br [^\n]*label %" + re.escape(m.group(1)) + r"\b", block):
            found[m.group(1)] = block
    return found


def on_cycle(ir):
    """The blocks of the IR that can reach themselves."""
    succ = {}
    for block in re.split(r"\n(?=[\w.]+:)", ir):
        m = re.match(r"([\w.]+):", block)
        if m:
            succ[m.group(1)] = re.findall(r"label %([\w.]+)", block)
    cyclic = set()
    for start in succ:
        seen, work = set(), list(succ[start])
        while work:
            b = work.pop()
            if b == start:
                cyclic.add(start)
                break
            if b not in seen:
                seen.add(b)
                work.extend(succ.get(b, []))
    return {name: succ[name] for name in cyclic}


with Pipeline(sys.argv[1], "ints") as p:
    blocks = loops(p.llvm("ints", PROGRAM))
    sieve = [b for b in blocks.values() if "store i8 0" in b]
    count = [b for b in blocks.values() if re.search(r"\b[su]rem\b", b)]
    wrap = [b for b in blocks.values() if b not in sieve and b not in count]
    for name, found in [("sieve", sieve), ("counting", count)]:
        if not p.check(len(found) == 1, f"expected one {name} loop block, found {len(found)}"):
            continue
        body = found[0]
        for op in ["ashr", "shl", "lshr", "sext", "trunc"]:
            p.check(not re.search(r"= " + op + r"\b", body),
                    f"the {name} loop still shifts or extends ({op}):\n{body[:1500]}")
        p.check(re.search(r"= add nuw nsw i64", body),
                f"the {name} loop's increment is not add nsw:\n{body[:1500]}")
    p.check(any(re.search(r"= ashr\b", b) and re.search(r"\b(1000003|2000006)\b", b) for b in wrap),
            f"no loop keeps the 63-bit sign extension of a wrapping sum: {[b[:300] for b in wrap]}")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("ints", PROGRAM, level)).stdout
        p.check(out == OUTPUT, f"{level}: output {out!r}, expected {OUTPUT!r}")
    ir = p.llvm("remainders", REMAINDERS)
    blocks = {m.group(1): b for b in re.split(r"\n(?=[\w.]+:)", ir)
              for m in [re.match(r"([\w.]+):", b)] if m}
    p.check(any(n.startswith("rem_mask") and "= and i64" in b for n, b in blocks.items())
            and any(n.startswith("rem_divide") and "= srem i64" in b for n, b in blocks.items()),
            f"remainders: no mask path next to the division: {sorted(blocks)}")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("remainders", REMAINDERS, level)).stdout
        p.check(out == REMAINDERS_OUTPUT, f"remainders {level}: output {out!r}, expected {REMAINDERS_OUTPUT!r}")
    ir = p.llvm("hoisted", HOISTED)
    p.check("call void @atl_rt_index_fail" in ir, "hoisted: no index check left at all")
    for name, targets in on_cycle(ir).items():
        p.check(not any(t.startswith("index_bad") for t in targets),
                f"hoisted: block {name}, in a loop, still checks the index")
    exe = p.executable("hoisted", HOISTED)
    for argv, out, error in [(["5", "5"], "0\n", ""), (["4", "5"], "", "index 4 out of bounds (size 4)"),
                             (["0", "3"], "", "index 0 out of bounds (size 0)")]:
        run = p.run(exe, *argv)
        p.check(run.stdout == out and error in run.stderr and (run.returncode == 0) == (error == ""),
                f"hoisted {argv}: exit {run.returncode}, stdout {run.stdout!r}, "
                f"stderr {run.stderr!r}; expected {out!r} and {error!r}")
