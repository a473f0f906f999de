#!/usr/bin/env python3
"""String comparison is type-directed (compiler/lower/README.md,
"Representation"): where both operands of ==, /=, <, <=, >, >= or of
`compare` are known Strings, the generated code calls the runtime's
atl_string_equal / atl_string_compare (length and bytes) and not the
structural atl_equal / atl_compare_partial / atl_rt_compare; the same
operators on other non-word types (lists, tuples, Maybe) still go through
the structural walk. Both programs print the same at -O0 and -O2."""
import sys

from pipeline_util import Pipeline, calls

STRINGS = """pick : List String -> Int -> String
pick [] i = ""
pick (x :: xs) i = if i == 0 then x else pick xs (i - 1)

main : Effect s Nondeterministic ()
main = do
  as <- args
  let a = pick as 0
  let b = pick as 1
  print (show (a == b) ++ show (a /= b) ++ show (a < b) ++ show (a >= b))
  print (show (compare a b) ++ show (compare b a) ++ show (compare a a))
"""

OTHERS = """pick : List String -> Int -> String
pick [] i = ""
pick (x :: xs) i = if i == 0 then x else pick xs (i - 1)

main : Effect s Nondeterministic ()
main = do
  as <- args
  let a = [pick as 0]
  let b = [pick as 1]
  print (show (a == b) ++ show ((a, 1) /= (b, 1)) ++ show (Just a < Just b) ++ show (a >= b))
  print (show (compare a b) ++ show (compare b a) ++ show (compare a a))
"""

STRUCTURAL = ["atl_equal", "atl_compare_partial", "atl_rt_compare"]
DEDICATED = ["atl_string_equal", "atl_string_compare"]
EXPECT = {("abc", "abd"): "FalseTrueTrueFalse\n-110\n", ("b", "b"): "TrueFalseFalseTrue\n000\n",
          ("ab", ""): "FalseTrueFalseTrue\n1-10\n"}

with Pipeline(sys.argv[1], "strings") as p:
    for name, text, used, unused in [("strings", STRINGS, DEDICATED, STRUCTURAL),
                                     ("others", OTHERS, STRUCTURAL, DEDICATED)]:
        for level in ["-O0", "-O2"]:
            ir = p.llvm(name, text, level)
            for symbol in used:
                p.check(calls(ir, symbol) > 0, f"{name} {level}: no call of {symbol}")
            for symbol in unused:
                p.check(calls(ir, symbol) == 0, f"{name} {level}: calls {symbol}")
            exe = p.executable(name, text, level)
            for argv, out in EXPECT.items():
                run = p.run(exe, *[a for a in argv if a])
                p.check(run.returncode == 0 and run.stdout == out,
                        f"{name} {level} {argv}: exit {run.returncode}, printed {run.stdout!r}, "
                        f"expected {out!r}; {run.stderr}")
