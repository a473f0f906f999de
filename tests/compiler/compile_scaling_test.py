#!/usr/bin/env python3
"""Compile time and memory grow about linearly with the program: a program of
50,000 functions in chains, each calling the previous one (Int functions,
tail calls and actions), builds at -O2 and runs, and `atoll check` reads a
chain of 200,000. Before the fixes this size took hours at -O2 (inlining
bodies that had grown in the same round) or 24 GB (LLVM's inlined-at
chains), and `atoll check` of the long chain minutes (the send analysis's
fixpoint). The ctest TIMEOUT is the time bound (generous, for a loaded
machine); the address space is capped so a blow-up fails instead of
exhausting the machine.
Usage: compile_scaling_test.py ATOLL [FUNCTIONS]"""
import os
import resource
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
TOTAL = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
MEMORY_LIMIT = 6 << 30  # bytes of address space for the compiler


def program(total: int) -> tuple[str, list[str]]:
    n = total // 4  # Int chains; the rest is actions, the heaviest for LLVM
    lines = ["g0 : Int -> Int", "g0 x = x + 1"]
    for i in range(1, n):
        lines += [f"g{i} : Int -> Int", f"g{i} x = g{i - 1} x + 1"]
    lines += ["h0 : Int -> Int", "h0 x = x"]
    for i in range(1, n):
        lines += [f"h{i} : Int -> Int", f"h{i} x = h{i - 1} (x + 1)"]
    m = total - 2 * n
    lines += ["a0 : Int -> Effect s Nondeterministic ()", "a0 x = print (show x)"]
    for i in range(1, m):
        lines += [f"a{i} : Int -> Effect s Nondeterministic ()", f"a{i} x = a{i - 1} (x + 1)"]
    lines += ["main : Effect s Nondeterministic ()", "main = do",
              f"  print (show (g{n - 1} 0))", f"  print (show (h{n - 1} 0))", f"  a{m - 1} 0"]
    return "\n".join(lines) + "\n", [str(n), str(n - 1), str(m - 1)]


def check_chain(total: int) -> str:
    lines = ["h0 : Int -> Int", "h0 x = x"]
    for i in range(1, total):
        lines += [f"h{i} : Int -> Int", f"h{i} x = h{i - 1} (x + 1)"]
    lines += ["main : Effect s Nondeterministic ()", f"main = print (show (h{total - 1} 0))"]
    return "\n".join(lines) + "\n"


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def main() -> int:
    source, expected = program(TOTAL)
    with tempfile.TemporaryDirectory(prefix="atoll-scaling-") as tmp:
        src = os.path.join(tmp, "chains.atl")
        exe = os.path.join(tmp, "chains")
        with open(src, "w") as f:
            f.write(source)
        build = subprocess.run([ATOLL, "build", "-O2", src, "-o", exe], capture_output=True,
                               text=True, preexec_fn=limit_memory)
        if build.returncode != 0:
            print(f"FAIL: atoll build -O2 of {TOTAL} functions ended with {build.returncode}:\n"
                  f"{build.stderr[-2000:]}")
            return 1
        run = subprocess.run([exe], capture_output=True, text=True)
        if run.returncode != 0 or run.stdout.split() != expected:
            print(f"FAIL: the program printed {run.stdout.split()!r} (exit {run.returncode}), "
                  f"expected {expected!r}\n{run.stderr[-2000:]}")
            return 1
        with open(src, "w") as f:
            f.write(check_chain(4 * TOTAL))
        check = subprocess.run([ATOLL, "check", src], capture_output=True, text=True,
                               preexec_fn=limit_memory)
        if check.returncode != 0:
            print(f"FAIL: atoll check of a chain of {4 * TOTAL} functions ended with "
                  f"{check.returncode}:\n{check.stderr[-2000:]}")
            return 1
    print(f"PASS: {TOTAL} functions in chains build at -O2 and run; {4 * TOTAL} check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
