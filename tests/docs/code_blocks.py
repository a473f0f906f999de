#!/usr/bin/env python3
"""Checks every fenced code block of the documentation (docs/testing.md).

The language tag after the opening fence says what a block is:

  atl           a whole program: `atoll check` accepts it, or reports exactly
                its `-- error:` annotations; with `-- expect:` lines (or
                `-- expect runtime error:`) it is also built and run, as
                tests/run_atl.py does for a test file
  atl-fragment  Atoll text that is not a whole program (a few declarations
                that need others, a type, a signature): not checked
  sh, text, json, ...
                not Atoll: not checked

A block without a tag is an error, so every block says which it is.

    code_blocks.py --atoll build/bin/atoll [FILE.md ...]   (default: docs/*.md, README.md)
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import run_atl  # noqa: E402

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
CHECKED = "atl"
UNCHECKED = {"atl-fragment", "sh", "console", "text", "json", "c", "cpp", "cmake", "diff", "vim",
             "make", "python"}


def blocks(path: pathlib.Path):
    """(first line number, tag, text) of each fenced block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, tag = m.group(1), m.group(2), m.group(3)
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        yield start, tag, "\n".join(body) + "\n"
        i += 1


def check_block(atoll: str, where: str, text: str, tmp: str) -> list[str]:
    path = os.path.join(tmp, "block.atl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    exp = run_atl.parse_annotations(text)
    if exp.mode == "check":
        return run_atl.check_mode(atoll, path, exp)
    if exp.stdout or exp.runtime_error is not None or exp.exit_code is not None:
        return run_atl.run_mode(atoll, path, exp, update=False)
    proc = run_atl.run([atoll, "check", path])
    if proc.returncode != 0:
        return [f"atoll check failed ({run_atl.describe_exit(proc.returncode)}):\n{proc.stderr}"]
    return []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--atoll", required=True)
    ap.add_argument("files", nargs="*")
    opts = ap.parse_args()
    files = [pathlib.Path(f) for f in opts.files] or sorted((ROOT / "docs").glob("*.md")) + [
        ROOT / "README.md"]
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory(prefix="atl-docs-") as tmp:
        for md in files:
            for line, tag, text in blocks(md):
                where = f"{md.relative_to(ROOT) if md.is_absolute() else md}:{line}"
                if tag == CHECKED:
                    problems = check_block(opts.atoll, where, text, tmp)
                    checked += 1
                elif tag in UNCHECKED:
                    continue
                elif not tag:
                    problems = ["a code block without a language tag: tag it `atl` (a program, "
                                "checked), `atl-fragment` (not checked) or its language (`sh`, `text`)"]
                else:
                    problems = [f"unknown tag `{tag}` (docs/testing.md lists them)"]
                if problems:
                    failures += 1
                    print(f"FAIL: {where}")
                    for p in problems:
                        print("  " + p.replace("\n", "\n  "))
    print(f"{checked} Atoll blocks checked, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
