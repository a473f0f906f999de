#!/usr/bin/env python3
"""Modules through the real `atoll check`: import search (the importing
file's folder, the main module's folder, then lib/), the implicit Prelude, qualified names, clashes,
unknown modules, cycles, header mismatches, and diagnostics inside an
imported file naming that file. Usage: modules_test.py ATOLL"""
import os
import subprocess
import sys
import tempfile

ATOLL = sys.argv[1]
failures = []


def write(d, name, text):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def check(path, want_rc, want_in=(), want_not_in=(), args=()):
    p = subprocess.run([ATOLL, "check", *args, path], capture_output=True, text=True)
    out = p.stdout + p.stderr
    ok = p.returncode == want_rc and all(w in out for w in want_in) and not any(w in out for w in want_not_in)
    if not ok:
        failures.append(f"{path}: rc={p.returncode} (want {want_rc}); output:\n{out}\nwanted {want_in}")


MAIN = "main : Effect s Nondeterministic ()\nmain = print (show {})\n"

with tempfile.TemporaryDirectory() as d:
    write(d, "Util.atl", "module Util where\ndouble : Int -> Int\ndouble x = x + x\n"
                         "data Shape = Square Int\narea (Square n) = n * n\n")
    write(d, "Other.atl", "double : Int -> Int\ndouble x = x * 2\n")
    # Import from the same folder; constructors and functions come along.
    check(write(d, "a.atl", "import Util\n" + MAIN.format("(double (area (Square 3)))")), 0)
    # Qualified names choose between two imports; unqualified use is ambiguous.
    check(write(d, "b.atl", "import Util\nimport Other\n" + MAIN.format("(Util.double 1 + Other.double 2)")), 0)
    check(write(d, "c.atl", "import Util\nimport Other\n" + MAIN.format("(double 1)")), 1,
          ["c.atl:4:21: error[E0207]", "Util, Other"])
    # A module's own definition shadows an import.
    check(write(d, "d.atl", "import Util\ndouble x = x\n" + MAIN.format("(double 1)")), 0)
    # Unknown module, unknown qualified name.
    check(write(d, "e.atl", "import Nowhere\n" + MAIN.format("1")), 1, ["e.atl:1:8: error[E0208]"])
    check(write(d, "f.atl", "import Util\n" + MAIN.format("(Util.triple 1)")), 1, ["error[E0201]"])
    # An error inside an imported module is reported in that module's file.
    write(d, "Broken.atl", "module Broken where\nvalue : Int\nvalue = \"text\"\n")
    check(write(d, "g.atl", "import Broken\n" + MAIN.format("value")), 1, ["Broken.atl:3:9: error[E0301]"])
    # Import cycles.
    write(d, "CycleA.atl", "module CycleA where\nimport CycleB\na = 1\n")
    write(d, "CycleB.atl", "module CycleB where\nimport CycleA\nb = 2\n")
    check(write(d, "h.atl", "import CycleA\n" + MAIN.format("a")), 1, ["CycleB.atl:2:8: error[E0209]"])
    # A header that does not match the file it was imported as.
    write(d, "Named.atl", "module Misnamed where\nn = 1\n")
    check(write(d, "i.atl", "import Named\n" + MAIN.format("n")), 1, ["Named.atl:1:8: error[E0211]"])
    # Subfolder modules: `import Geo.Point` is Geo/Point.atl.
    write(d, "Geo/Point.atl", "module Geo.Point where\norigin = (0, 0)\n")
    check(write(d, "j.atl", "import Geo.Point\n" + MAIN.format("(fst origin)")), 0)
    # A subfolder module imports its sibling by its full name: `import Geo.Line`
    # inside Geo/Shape.atl is found from the program's root folder.
    write(d, "Geo/Line.atl", "module Geo.Line where\nlen = 3\n")
    write(d, "Geo/Shape.atl", "module Geo.Shape where\nimport Geo.Line\nperimeter = 4 * Geo.Line.len\n")
    check(write(d, "j2.atl", "import Geo.Shape\n" + MAIN.format("perimeter")), 0)
    # Types of an imported module, also qualified.
    check(write(d, "k.atl", "import Util\nsq : Util.Shape\nsq = Square 2\n" + MAIN.format("(area sq)")), 0)
    # The Prelude is implicit (lib/Prelude.atl next to the binary).
    check(write(d, "l.atl", MAIN.format("(length (map (\\x -> x) [1, 2]))")), 0)
    # --dump=types shows only the main module's bindings.
    check(write(d, "m.atl", "import Util\nquad x = double (double x)\n"), 0, ["quad : Int -> Int"], ["double :"],
          args=["--dump=types"])
    # Sendability through polymorphism across modules (docs/typing.md section 6):
    # the imported scheme carries its "must be sendable" mark; the note points
    # into the imported file, at the MVar that requires it.
    write(d, "Stash.atl", "module Stash where\nstash x = do\n  m <- newMVar x\n  pure ()\n")
    body = "main : Effect s Nondeterministic ()\nmain = do\n  r <- newRef 1\n  {}\n  print \"x\"\n"
    check(write(d, "n.atl", "import Stash\n" + body.format("stash r")), 1,
          ["n.atl:5:3: error[E0601]", "Stash.atl:3:8: note"])
    check(write(d, "o.atl", "import Stash\n" + body.format("readRef r >>= stash")), 0)

for f in failures:
    print("FAIL:", f)
print(f"modules_test: {len(failures)} failures")
sys.exit(1 if failures else 0)
