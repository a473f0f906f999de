#!/usr/bin/env python3
"""Array index checks the optimiser proves away (compiler/core/bounds.cpp)
and those it keeps. PROVED's accesses are all in bounds by their guards (a
sieve written with a helper, forRange over sizeArray, a loop to n over an
array of n + 1): at -O2 --dump=core marks every one `[in bounds]` and the
LLVM IR has no index-failure call left; -O0 (no optimiser, every check
kept) and -O2 print the same. UNPROVED has accesses the guards do not
cover: they keep their checks, and each stops its run with the index
error."""
import re
import sys

from pipeline_util import Pipeline


PROVED = """markFrom : MutableArray s Bool -> Int -> Int -> Int -> Effect s d ()
markFrom composite n step j = when (j < n) $ do
  writeArray composite j True
  markFrom composite n step (j + step)

countPrimes : Int -> Int
countPrimes n = runST $ do
  composite <- newArray n False
  count <- newRef 0
  forRange 2 n (\\i -> do
    c <- readArray composite i
    when (not c) $ do
      k <- readRef count
      writeRef count (k + 1)
      markFrom composite n i (i * i))
  readRef count

squares : Int -> Int
squares n = runST $ do
  a <- newIntArray n
  forRange 0 (sizeArray a) (\\i -> writeArray a i (i * i))
  total <- newRef 0
  forRange 0 (sizeArray a) (\\i -> do
    x <- readArray a i
    t <- readRef total
    writeRef total (t + x))
  readRef total

cross : MutableArray s Bool -> Int -> Int -> Int -> Effect s d ()
cross marks n i j = if j > n then pure () else do
  writeArray marks j False
  cross marks n i (j + i)

countUpTo : MutableArray s Bool -> Int -> Int -> Int -> Effect s d Int
countUpTo marks n i count = if i > n then pure count else do
  m <- readArray marks i
  if m
    then do
      cross marks n i (i * i)
      countUpTo marks n (i + 1) (count + 1)
    else countUpTo marks n (i + 1) count

-- Guards by ==, || and &&: i starts at 0 and grows, so i /= n is i < n.
sumEq : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumEq a n i acc = if i == n then pure acc else do
  x <- readArray a i
  sumEq a n (i + 1) (acc + x)

sumOr : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumOr a n i acc = if i >= n || acc < 0 then pure acc else do
  x <- readArray a i
  sumOr a n (i + 1) (acc + x)

sumAnd : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumAnd a n i acc = if acc >= 0 && i < n then do
    x <- readArray a i
    sumAnd a n (i + 1) (acc + x)
  else pure acc

filled : Int -> Int
filled n = runST $ do
  a <- newIntArray n
  forRange 0 n (\\i -> writeArray a i i)
  x <- sumEq a n 0 0
  y <- sumOr a n 0 0
  z <- sumAnd a n 0 0
  pure (x + y + z)

primesUpTo : Int -> Int
primesUpTo n = runST $ do
  marks <- newArray (n + 1) True
  countUpTo marks n 2 0

main : Effect s Nondeterministic ()
main = do
  print (show (countPrimes 1000))
  print (show (squares 10))
  print (show (primesUpTo 1000))
  print (show (filled 10))
"""
PROVED_OUTPUT = "168\n285\n168\n135\n"

# One program, an access the guards do not cover per case (the argument
# picks the case): each keeps its check, and running it stops with the
# index error.
UNPROVED = """sumTo : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumTo a n i acc = if i < n then do
    x <- readArray a i
    sumTo a n (i + 1) (acc + x)
  else pure acc

markFrom : MutableArray s Bool -> Int -> Int -> Int -> Effect s d ()
markFrom composite n step j = when (j < n) $ do
  writeArray composite j True
  markFrom composite n step (j + step)

-- i == n leaves i + 1 unbounded; i > n || ... leaves i == n.
sumNext : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumNext a n i acc = if i == n then pure acc else do
  x <- readArray a (i + 1)
  sumNext a n (i + 1) (acc + x)

sumLoose : MutableArray s Int -> Int -> Int -> Int -> Effect s d Int
sumLoose a n i acc = if i > n || acc < 0 then pure acc else do
  x <- readArray a i
  sumLoose a n (i + 1) (acc + x)

stride : MutableArray s Int -> Int -> Int -> Effect s d ()
stride a step j = when (j < sizeArray a) $ do
  writeArray a j 1
  stride a step (j + step)

run : String -> Int
run "short" = runST $ do          -- the guard is n, the array one shorter
  a <- newIntArray 4
  sumTo a 5 0 0
run "negative" = runST $ do       -- a start below zero
  a <- newArray 10 False
  markFrom a 10 3 (0 - 3)
  pure 1
run "minus" = runST $ do          -- the index is i - 1
  a <- newIntArray 3
  forRange 0 (sizeArray a) (\\i -> writeArray a (i - 1) i)
  readArray a 0
run "next" = runST $ do           -- one past the guard
  a <- newIntArray 4
  sumNext a 4 0 0
run "or" = runST $ do             -- a guard that admits n
  a <- newIntArray 4
  sumLoose a 4 0 0
run _ = runST $ do                -- a step that wraps past 2^62
  a <- newIntArray 4
  stride a 4611686018427387903 1
  readArray a 1

main : Effect s Nondeterministic ()
main = do
  as <- args
  case as of
    [which] -> print (show (run which))
    _ -> print "which case?"
"""
CASES = [("short", "index 4 out of bounds (size 4)"), ("negative", "index -3 out of bounds (size 10)"),
         ("minus", "index -1 out of bounds (size 3)"), ("next", "index 4 out of bounds (size 4)"),
         ("or", "index 4 out of bounds (size 4)"), ("wrap", "out of bounds (size 4)")]

def accesses(core):
    return [line.strip() for line in core.splitlines()
            if re.search(r"prim (readArray|writeArray|index)\b", line)]


with Pipeline(sys.argv[1], "bounds") as p:
    found = accesses(p.core("proved", PROVED))
    p.check(len(found) >= 10, f"expected at least 10 array accesses in the -O2 Core, found {found}")
    for line in found:
        p.check("[in bounds]" in line, f"not proved at -O2: {line}")
    p.check("atl_rt_index_fail(" not in re.sub(r"declare[^\n]*", "", p.llvm("proved", PROVED)),
            "the -O2 IR still calls atl_rt_index_fail")
    for level in ["-O0", "-O2"]:
        out = p.run(p.executable("proved", PROVED, level)).stdout
        p.check(out == PROVED_OUTPUT, f"{level}: output {out!r}, expected {PROVED_OUTPUT!r}")
    kept = [line for line in accesses(p.core("unproved", UNPROVED)) if "[in bounds]" not in line]
    p.check(len(kept) >= 6, f"expected at least 6 accesses kept checked, found {kept}")
    exe = p.executable("unproved", UNPROVED)
    for which, error in CASES:
        run = p.run(exe, which)
        p.check(run.returncode != 0 and error in run.stderr,
                f"case {which}: expected {error!r}, got exit {run.returncode}, stderr {run.stderr!r}")
