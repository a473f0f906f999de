#!/usr/bin/env python3
"""`atoll check` / `atoll explain` from the outside: exit codes 0 (clean),
1 (diagnostics), 2 (unreadable file, unknown code), the dump formats, and
the diagnostic format the test runner relies on."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def expect(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(atoll: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([atoll, *args], capture_output=True, text=True, timeout=60)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    atoll = ap.parse_args().atoll
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.atl")
        with open(good, "w") as f:
            f.write("x : Int\nx = 1 + 2\n")
        bad = os.path.join(tmp, "bad.atl")
        with open(bad, "w") as f:
            f.write("x = (1 +\ny = 2\n")

        r = run(atoll, "check", "--dump=ast", good)
        expect(r.returncode == 0 and r.stdout == "(module -)\n(sig x Int)\n(fun x (clause x () (+ 1 2)))\n",
               "check --dump=ast prints the S-expression and exits 0")
        r = run(atoll, "check", "--dump=tokens", good)
        lines = r.stdout.splitlines()
        expect(r.returncode == 0 and lines[0] == "1:1 {layout" and lines[1] == "1:1 LowerId x"
               and lines[-1].endswith("Eof"), "check --dump=tokens prints one token per line")

        r = run(atoll, "check", bad)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        expect(r.returncode == 1, "syntax errors exit 1")
        expect(re.match(r"^.*bad\.atl:1:\d+: error\[E01\d\d\]: ", first) is not None,
               f"diagnostic first line is FILE:LINE:COL: error[CODE]: ... ({first!r})")
        expect(" | " in r.stderr and "^" in r.stderr, "diagnostic shows the source line and carets")

        r = run(atoll, "check", os.path.join(tmp, "missing.atl"))
        expect(r.returncode == 2 and "cannot read" in r.stderr, "missing file exits 2 with a message")
        r = run(atoll, "check", tmp)
        expect(r.returncode == 2 and "directory" in r.stderr, "a directory exits 2 with a message")

    r = run(atoll, "check")
    expect(r.returncode == 2, "a usage error (missing file argument) exits 2")
    r = run(atoll, "check", "--dump=bogus", "x.atl")
    expect(r.returncode == 2, "a usage error (bad --dump) exits 2")

    r = run(atoll, "explain", "E0101")
    expect(r.returncode == 0 and r.stdout.startswith("E0101") and len(r.stdout.splitlines()) > 3,
           "explain prints the long form of a known code")
    r = run(atoll, "explain", "e0002")
    expect(r.returncode == 0 and "string" in r.stdout, "explain accepts lower-case codes")
    r = run(atoll, "explain", "E9999")
    expect(r.returncode == 2 and "unknown" in r.stderr, "explain rejects an unknown code")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
