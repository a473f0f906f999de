#!/usr/bin/env python3
"""String comparison is type-directed (compiler/lower/README.md,
"Representation"): where both operands of ==, /=, <, <=, >, >= or of
`compare` are known Strings, the generated code calls the runtime's
atl_string_equal / atl_string_compare (length and bytes) and not the
structural atl_equal / atl_compare_partial / atl_rt_compare; the same
operators on other non-word types (lists, tuples, Maybe) still go through
the structural walk. Both programs print the same at -O0 and -O2.
Equality tests the same object and the two lengths inline and calls
atl_string_equal only for equal non-zero lengths: a comparison with ""
makes no call at all (EMPTY), and every path gives the right answer
(arguments that are equal, of different lengths, of equal lengths with
different bytes, empty from the command line against the literal "")."""
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

EMPTY = """pick : List String -> Int -> String
pick [] i = ""
pick (x :: xs) i = if i == 0 then x else pick xs (i - 1)

main : Effect s Nondeterministic ()
main = do
  as <- args
  let a = pick as 0
  print (show (a == "") ++ show (a /= "") ++ show ("" == a))
"""
EMPTY_EXPECT = {(): "TrueFalseTrue\n", ("",): "TrueFalseTrue\n", ("x",): "FalseTrueFalse\n",
                ("\u00e9",): "FalseTrueFalse\n"}

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
    for level in ["-O0", "-O2"]:
        ir = p.llvm("empty", EMPTY, level)
        if level == "-O2":
            p.check(calls(ir, "atl_string_equal") == 0, f"empty {level}: calls atl_string_equal")
        exe = p.executable("empty", EMPTY, level)
        for argv, out in EMPTY_EXPECT.items():
            run = p.run(exe, *argv)
            p.check(run.returncode == 0 and run.stdout == out,
                    f"empty {level} {argv}: exit {run.returncode}, printed {run.stdout!r}, "
                    f"expected {out!r}; {run.stderr}")
