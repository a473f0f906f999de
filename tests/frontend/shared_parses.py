#!/usr/bin/env python3
"""Every code block of the language contract (shared/LANGUAGE.md) and every
file in shared/examples/ must parse without errors (`atoll check --dump=ast`).

Blocks containing `…` are prose listings (elided signatures such as
`negate abs min max : Int…`), not source, and are skipped by name.
Exit 77 (skipped) when the shared folder is absent.
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

SKIP = 77


def check(atoll: str, path: pathlib.Path, label: str) -> bool:
    run = subprocess.run([atoll, "check", "--dump=ast", str(path)],
                         capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        print(f"FAIL {label}: exit {run.returncode}\n{run.stderr}")
        return False
    print(f"ok   {label}")
    return True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    shared = pathlib.Path(args.shared)
    language = shared / "LANGUAGE.md"
    if not language.exists():
        print(f"skipped: {language} is absent (the shared contract lives next to the repo)")
        return SKIP
    blocks = re.findall(r"```[a-z]*\n(.*?)```", language.read_text(), re.S)
    ok = True
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, block in enumerate(blocks):
            first = block.splitlines()[0] if block.strip() else ""
            if "…" in block:
                print(f"skip LANGUAGE.md block {i} (prose listing): {first[:50]}")
                continue
            path = pathlib.Path(tmp) / f"block{i}.atl"
            path.write_text(block)
            ok &= check(args.atoll, path, f"LANGUAGE.md block {i}: {first[:50]}")
            checked += 1
    for example in sorted((shared / "examples").glob("*.atl")):
        ok &= check(args.atoll, example, f"examples/{example.name}")
        checked += 1
    if checked == 0:
        print("FAIL: nothing was checked")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
