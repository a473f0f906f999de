#!/usr/bin/env python3
"""Golden AST tests: for every DIR/*.atl, `atoll check --dump=ast` must print
exactly DIR/*.ast (and report no errors). `--update` rewrites the .ast files.

Usage: golden.py --atoll BIN [--update] DIR
"""
import argparse
import pathlib
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("dir")
    args = ap.parse_args()
    files = sorted(pathlib.Path(args.dir).glob("*.atl"))
    if not files:
        print(f"golden: no .atl files in {args.dir}", file=sys.stderr)
        return 1
    failed = 0
    for src in files:
        run = subprocess.run([args.atoll, "check", "--dump=ast", str(src)],
                             capture_output=True, text=True, timeout=60)
        expected_path = src.with_suffix(".ast")
        if run.returncode != 0:
            print(f"FAIL {src.name}: exit {run.returncode}\n{run.stderr}")
            failed += 1
            continue
        if args.update:
            expected_path.write_text(run.stdout)
            print(f"updated {expected_path.name}")
            continue
        if not expected_path.exists():
            print(f"FAIL {src.name}: missing {expected_path.name} (run with --update)")
            failed += 1
            continue
        expected = expected_path.read_text()
        if run.stdout != expected:
            failed += 1
            print(f"FAIL {src.name}: dump differs from {expected_path.name}")
            for i, (a, b) in enumerate(zip(expected.splitlines(), run.stdout.splitlines())):
                if a != b:
                    print(f"  line {i + 1}\n  expected: {a}\n  actual:   {b}")
                    break
            else:
                print("  (different number of lines)")
        else:
            print(f"ok   {src.name}")
    print(f"golden: {len(files) - failed}/{len(files)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
