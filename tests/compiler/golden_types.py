#!/usr/bin/env python3
"""Golden tests of `atoll check --dump=KIND` (types by default, or puts) and
`atoll build --dump=core`: for every NAME.atl in the folder, the output must
equal NAME.KIND. For core, a line `-- flags: -O1` in the source gives the
build flags (default -O0). The
checker runs in the folder on the bare file name, so paths in the output
(--dump=puts prints file:line:col) do not depend on the checkout.
`--update` rewrites the golden files from the current output (review the
diff before committing)."""
import argparse
import pathlib
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--dump", default="types", choices=["types", "puts", "core"])
    ap.add_argument("folder")
    opts = ap.parse_args()
    failures = 0
    files = sorted(pathlib.Path(opts.folder).glob("*.atl"))
    for src in files:
        atoll = str(pathlib.Path(opts.atoll).resolve())
        if opts.dump == "core":
            flags = ["-O0"]
            for line in src.read_text().splitlines():
                if line.startswith("-- flags:"):
                    flags = line.split(":", 1)[1].split()
            cmd = [atoll, "build", "--dump=core", *flags, src.name]
        else:
            cmd = [atoll, "check", f"--dump={opts.dump}", src.name]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=src.parent)
        golden = src.with_suffix("." + opts.dump)
        if opts.update:
            golden.write_text(p.stdout)
            continue
        want = golden.read_text() if golden.exists() else "<missing golden file>\n"
        if p.returncode != 0 or p.stdout != want:
            failures += 1
            print(f"FAIL: {src} (exit {p.returncode})\n--- want\n{want}--- got\n{p.stdout}{p.stderr}")
    print(f"golden_{opts.dump}: {len(files)} files, {failures} failures")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
