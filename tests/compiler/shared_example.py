#!/usr/bin/env python3
"""Checks one file of ../shared/examples/ (the design notes' examples).

--part check: `atoll check` must behave as annotated: a file with `-- error:`
annotations goes through tests/run_atl.py (exactly those errors); any other
file must check with no error.
--part run: the file goes through tests/run_atl.py in full (build and run
for a program). Every shared example compiles, so nothing is skipped: a
program the back end refuses fails.
"""
import argparse
import os
import re
import subprocess
import sys



def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--part", choices=["check", "run"], required=True)
    ap.add_argument("file")
    opts = ap.parse_args()
    runner = os.path.join(os.path.dirname(__file__), "..", "run_atl.py")
    with open(opts.file, encoding="utf-8") as f:
        text = f.read()
    has_errors = re.search(r"--\s*error:", text) is not None
    if opts.part == "check" and not has_errors:
        proc = subprocess.run([opts.atoll, "check", opts.file], capture_output=True, text=True)
        if proc.returncode != 0 or "error[" in proc.stderr:
            print(f"FAIL: atoll check rejected {opts.file}:\n{proc.stderr}")
            return 1
        print(f"PASS: {opts.file} checks")
        return 0
    proc = subprocess.run([sys.executable, runner, "--atoll", opts.atoll, opts.file], capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
