#!/usr/bin/env python3
"""docs/environment.md, the start-up check of compiled programs
(runtime/rt/env.cpp) and `atoll help` name the same ATOLL_* variables."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
atoll = sys.argv[1]

documented = set(re.findall(r"^\| `(ATOLL_\w+)`", (ROOT / "docs/environment.md").read_text(), re.M))
checked = set(re.findall(r'\{"(ATOLL_\w+)"', (ROOT / "runtime/rt/env.cpp").read_text()))
help_text = subprocess.run([atoll, "help"], capture_output=True, text=True, check=True).stdout
helped = set(re.findall(r"\b(ATOLL_\w+)", help_text))

problems = []
for name, found in [("runtime/rt/env.cpp", checked), ("atoll help", helped)]:
    for v in sorted(documented - found):
        problems.append(f"{v} is in docs/environment.md but not in {name}")
    for v in sorted(found - documented):
        problems.append(f"{v} is in {name} but not in docs/environment.md")
for p in problems:
    print("FAIL:", p)
print(f"{len(documented)} variables documented, {len(problems)} problems")
sys.exit(1 if problems else 0)
