#!/usr/bin/env python3
"""Deep and long inputs build at -O0 and -O2 and run, or get a diagnostic
with a code and a location, and never crash the compiler: every walk over
the AST and Core must be safe on them (compiler/core/README.md, "Deep
code"). The programs are generated here; one ctest test per case.
Usage: deep_inputs_test.py ATOLL CASE   (CASE: see CASES below)"""
import os
import re
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
MAIN = "main : Effect s Nondeterministic ()"


def do_block() -> list:
    """A do block of 60,000 statements: binds, writes and lets."""
    lines = [MAIN, "main = do", "  r <- newRef 0"]
    for i in range(60_000):
        if i % 3 == 0:
            lines.append(f"  v{i} <- readRef r")
        elif i % 3 == 1:
            lines.append(f"  writeRef r (v{i - 1} + 1)")
        else:
            lines.append(f"  let w{i} = v{i - 2} * 2")
    lines += ["  n <- readRef r", "  print (show (n + w59999))"]
    return [("do_block", lines, ["59998"])]


def refutable_binds() -> list:
    """20,000 refutable `<-` patterns: each match holds the rest of the
    block in its arm, a nest 20,000 deep in Core."""
    lines = [MAIN, "main = do"]
    lines += [f"  Just x{i} <- pure (Just {i})" for i in range(20_000)]
    lines.append("  print (show (x0 + x19999))")
    return [("refutable_binds", lines, ["19999"])]


def nesting() -> list:
    """Lets, ifs and cases nested 150 deep build; 250 deep is E0107 (the
    parser's limit) at the first level past it."""
    out = []
    for depth, expect in ((150, ["150", "150", "150"]), (250, "E0107")):
        lets = " ".join(f"let y{i} = x + {i} in" for i in range(depth)) + " x"
        ifs = " ".join(f"if x == {i} then {i} else" for i in range(depth)) + f" {depth}"
        cases = "".join(f"case x of {{ {i} -> {i} ; _ -> " for i in range(depth)) + f"{depth}"
        cases += " }" * depth
        lines = ["lets : Int -> Int", f"lets x = {lets}", "ifs : Int -> Int", f"ifs x = {ifs}",
                 "cases : Int -> Int", f"cases x = {cases}", MAIN, "main = do",
                 "  print (show (lets 150))", f"  print (show (ifs {depth}))",
                 f"  print (show (cases {depth}))"]
        if isinstance(expect, str):
            out.append((f"nesting_{depth}", lines, (expect, 2)))
        else:
            out.append((f"nesting_{depth}", lines, expect))
    return out


def lists() -> list:
    """List literals of 60,000 constants (static data) and of 5,000
    computed elements (a chain of 10,000 lets, every element live until
    the conses are built from the end; LLVM takes about 1 ms per element at
    -O2, so 10,000 took half the test's time)."""
    n, m = 60_000, 5_000
    constants = ", ".join(str(i) for i in range(n))
    computed = ", ".join(f"x + {i}" for i in range(m))
    lines = ["constants : List Int", f"constants = [{constants}]", "computed : Int -> List Int",
             f"computed x = [{computed}]", MAIN, "main = do",
             "  print (show (length constants + sum constants))",
             "  print (show (sum (computed 1)))"]
    return [("lists", lines, [str(n + n * (n - 1) // 2), str(m + m * (m - 1) // 2)])]


def chains() -> list:
    """1,999 `>>` or `+` and long `&&`, `||` and literal-case chains build; a
    chain of 60,000 `>>` is E0107 (the parser's limit on operator chains)."""
    ok = [MAIN, "main = " + " >> ".join(f"pure {i}" for i in range(1_999)) + " >> check"]
    ok += ["both : Int -> Bool", "both x = " + " && ".join(f"x > {i}" for i in range(999)),
           "either : Int -> Bool", "either x = " + " || ".join(f"x == {i}" for i in range(999)),
           "pick : Int -> Int", "pick x = case x of"]
    ok += [f"  {i} -> {2 * i}" for i in range(3_000)]
    ok += ["  _ -> 0", "total : Int -> Int",
           "total x = x + " + " + ".join(str(i) for i in range(1_999)),
           "check : Effect s Nondeterministic ()",
           "check = print (show (both 5000, either 998, pick 2999, total 1))"]
    long = [MAIN, "main = " + " >> ".join(f"pure {i}" for i in range(60_000)) + " >> pure ()"]
    return [("then_1999", ok, [f"(True, True, 5998, {1 + 1_999 * 1_998 // 2})"]), ("then_60000", long, ("E0107", 2))]


CASES = {"do_block": do_block, "refutable_binds": refutable_binds, "nesting": nesting,
         "lists": lists, "chains": chains}
DIAGNOSTIC = re.compile(r"^[^:\n]+:(\d+):\d+: error\[(E\d{4})\]", re.M)


def check(name: str, lines: list, expect, tmp: str) -> list:
    problems = []
    src = os.path.join(tmp, name + ".atl")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    for level in ("-O0", "-O2"):
        exe = os.path.join(tmp, name + level)
        build = subprocess.run([ATOLL, "build", level, src, "-o", exe], capture_output=True,
                               text=True)
        where = f"{name} {level}"
        if build.returncode < 0 or "internal error" in build.stderr:
            problems.append(f"{where}: the compiler failed ({build.returncode}):\n"
                            f"{build.stderr[-1500:]}")
            continue
        if isinstance(expect, tuple):
            code, line = expect
            found = [(int(m.group(1)), m.group(2)) for m in DIAGNOSTIC.finditer(build.stderr)]
            if build.returncode != 1 or (line, code) not in found:
                problems.append(f"{where}: expected {code} on line {line}, got exit "
                                f"{build.returncode} and {found[:5]}")
            continue
        if build.returncode != 0:
            problems.append(f"{where}: build failed ({build.returncode}):\n"
                            f"{build.stderr[-1500:]}")
            continue
        run = subprocess.run([exe], capture_output=True, text=True)
        if run.returncode != 0 or run.stdout.split("\n")[:-1] != expect:
            problems.append(f"{where}: printed {run.stdout[-300:]!r} (exit {run.returncode}), "
                            f"expected {expect!r}")
    return problems


def main() -> int:
    case = sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory(prefix="atoll-deep-") as tmp:
        for name, lines, expect in CASES[case]():
            problems += check(name, lines, expect, tmp)
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print(f"PASS: {case} at -O0 and -O2")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
