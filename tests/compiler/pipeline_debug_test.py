#!/usr/bin/env python3
"""DWARF line tables: an executable built by `atoll build` maps its code to
the .atl source lines (what gdb and perf show), at -O0 and -O2."""
import os
import shutil
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
DWARFDUMP = shutil.which("llvm-dwarfdump-19") or shutil.which("llvm-dwarfdump")
if DWARFDUMP is None:
    print("llvm-dwarfdump not found")
    sys.exit(77)

PROGRAM = """square : Int -> Int
square x = x * x

main : Effect s Nondeterministic ()
main = do
  let n = square 7
  print (show n)
"""

failures = []
with tempfile.TemporaryDirectory(prefix="atoll-debug-test-") as tmp:
    src = os.path.join(tmp, "lines.atl")
    with open(src, "w") as f:
        f.write(PROGRAM)
    for level in ["-O0", "-O2"]:
        exe = os.path.join(tmp, "lines" + level)
        r = subprocess.run([ATOLL, "build", src, level, "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"build {level}: {r.stderr}")
            continue
        out = subprocess.run([DWARFDUMP, "--debug-line", exe], capture_output=True, text=True).stdout
        if "lines.atl" not in out:
            failures.append(f"{level}: no line table names lines.atl")
        # Rows of the line table: address line column ...; line 2 is square's body.
        lines = {int(cols[1]) for cols in (row.split() for row in out.splitlines())
                 if len(cols) > 3 and cols[0].startswith("0x") and cols[1].isdigit()}
        if level == "-O0" and not {2, 6, 7} <= lines:
            failures.append(f"{level}: expected rows for lines 2, 6 and 7, got {sorted(lines)}")
        if not lines - {0}:
            failures.append(f"{level}: no source lines at all")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
