#!/usr/bin/env python3
"""Robustness test of the front end: mutated and truncated programs.

Takes the corpus (every .atl file of the repository plus the shared examples),
derives variants with a fixed seed, runs `atoll check` on each and requires
either exit 0, or exit 1 with at least one rendered diagnostic. A signal, an
assertion, any other exit status or a hang (per-run timeout) is a failure.
A variant that checks is also taken through the back end's first half,
`atoll build --dump=core -O2` (Core translation, verifier, optimiser,
verifier): it must print Core, or stop with a diagnostic (the lowering
gate, no `main`).

Mutation classes: byte flips (random byte / symbol / bracket), deletions of a
short range, duplication of a token, truncation at every Nth byte, insertion
of keywords and brackets, indentation changes (layout stress) and splices of
a chunk of another corpus file.
"""
import argparse
import concurrent.futures
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time

SEED = 20261122
TIMEOUT_S = 10
SYMBOLS = list("(){}[],;\\|=:.-+*/%<>$'\"_`~\t\n ")
KEYWORDS = ["do", "let", "in", "of", "case", "if", "then", "else", "where", "data", "type",
            "forall", "module", "import", "\\x ->", "{-", "-}", "--", "'", "\"", "0x", "1e",
            "\u00e9", "\xff"]
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_']*|[0-9][0-9_.xXeE]*|\S")


def corpus(repo: pathlib.Path, shared: pathlib.Path) -> list[tuple[str, bytes]]:
    files = []
    for root in [repo / "tests", repo / "examples", repo / "lib", shared / "examples"]:
        if root.exists():
            files += sorted(root.rglob("*.atl"))
    # A `-- skip:` file is the test of a known, reported bug (docs/testing.md);
    # its mutants would only find that bug again.
    return [(str(f), f.read_bytes()) for f in files if not re.search(rb"(?m)^-- skip:", f.read_bytes())]


def mutate(rng: random.Random, data: bytes, donor: bytes) -> tuple[str, bytes]:
    if not data:
        return "empty", data
    kind = rng.choice(["flip", "delete", "duplicate", "insert", "indent", "splice", "flip",
                       "delete"])
    if kind == "splice":
        # A chunk of another file pasted in: foreign layout and brackets.
        i = rng.randrange(len(data) + 1)
        j = rng.randrange(len(donor) + 1)
        return kind, data[:i] + donor[j:j + rng.randint(1, 200)] + data[i:]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(out))
            if rng.random() < 0.3:
                out[i] = rng.randrange(256)
            else:
                out[i] = ord(rng.choice(SYMBOLS))
        return kind, bytes(out)
    if kind == "delete":
        i = rng.randrange(len(data))
        return kind, data[:i] + data[i + rng.randint(1, 12):]
    if kind == "duplicate":
        text = data.decode("utf-8", "replace")
        tokens = list(TOKEN.finditer(text))
        if not tokens:
            return kind, data
        t = rng.choice(tokens)
        times = rng.choice([1, 2, 5, 50])
        return kind, (text[:t.end()] + (" " + t.group()) * times + text[t.end():]).encode()
    if kind == "insert":
        i = rng.randrange(len(data) + 1)
        return kind, data[:i] + rng.choice(KEYWORDS).encode() + data[i:]
    # indent: shift one line left or right
    lines = data.split(b"\n")
    j = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[j] = b" " * rng.randint(1, 6) + lines[j]
    else:
        lines[j] = lines[j].lstrip(b" ")
    return kind, b"\n".join(lines)


def variants(files: list[tuple[str, bytes]], per_file: int, stride: int,
             seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = []
    for name, data in files:
        # Truncation at every Nth byte (N chosen so each file gives a handful).
        step = max(1, len(data) // stride)
        for cut in range(step, len(data), step):
            out.append((f"{name} truncate@{cut}", data[:cut]))
        for k in range(per_file):
            donor = rng.choice(files)[1]
            kind, mutated = mutate(rng, data, donor)
            out.append((f"{name} {kind}#{k}", mutated))
    return out


def extremes() -> list[tuple[str, bytes]]:
    """Synthetic inputs at the limits of nesting; always run."""
    out = []
    out.append(("deep parens", b"x = " + b"(" * 20000 + b"1" + b")" * 20000))
    out.append(("deep lets", b"x = " + b"let a = 1 in " * 3000 + b"a"))
    out.append(("deep do", b"".join(b" " * i + b"do\n" for i in range(1, 600)) + b" " * 600 + b"x"))
    out.append(("all bytes", bytes(range(256)) * 4))
    return out


def run_one(atoll: str, tmp: str, index: int, label: str, data: bytes) -> tuple[str | None, bool]:
    """The failure (or None), and whether the variant went on to the Core stage."""
    path = os.path.join(tmp, f"v{index}.atl")
    with open(path, "wb") as f:
        f.write(data)
    try:
        run = subprocess.run([atoll, "check", path], capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"{label}: timed out after {TIMEOUT_S}s", False
    stderr = run.stderr.decode("utf-8", "replace")
    if run.returncode == 0:
        try:
            core = subprocess.run([atoll, "build", "--dump=core", "-O2", path], capture_output=True,
                                  timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"{label}: --dump=core timed out after {TIMEOUT_S}s", True
        core_err = core.stderr.decode("utf-8", "replace")
        if core.returncode == 0 or (core.returncode == 1 and re.search(r"error\[E\d{4}\]", core_err)):
            os.unlink(path)
            return None, True
        kept = os.path.join(tmp, f"failed{index}.atl")
        os.replace(path, kept)
        return f"{label}: --dump=core exit {core.returncode}\n{core_err[-2000:]}", True
    if run.returncode == 1 and re.search(r"error\[E\d{4}\]", stderr):
        os.unlink(path)
        return None, False
    kept = os.path.join(tmp, f"failed{index}.atl")
    os.replace(path, kept)
    return f"{label}: exit {run.returncode}\n{stderr[-2000:]}", False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--shared", default="")
    ap.add_argument("--per-file", type=int, default=15)
    ap.add_argument("--stride", type=int, default=5)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--max-variants", type=int, default=0,
                    help="run a sample of this many variants (chosen with the seed); 0: all")
    ap.add_argument("--budget-seconds", type=float, default=0,
                    help="start no new variant after this long; 0: no limit")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="directory to keep failing inputs in")
    args = ap.parse_args()
    files = corpus(pathlib.Path(args.repo), pathlib.Path(args.shared or "/nonexistent"))
    if not files:
        print("fuzz: empty corpus")
        return 1
    cases = variants(files, args.per_file, args.stride, args.seed)
    generated = len(cases)
    if args.max_variants and args.max_variants < len(cases):
        cases = random.Random(args.seed).sample(cases, args.max_variants)
    cases += extremes()
    print(f"fuzz: seed {args.seed}, {len(cases)} of {generated + len(extremes())} variants"
          + (f", budget {args.budget_seconds:.0f} s" if args.budget_seconds else ""), flush=True)
    deadline = time.monotonic() + args.budget_seconds if args.budget_seconds else None
    tmp = args.keep or tempfile.mkdtemp(prefix="atoll-fuzz-")
    os.makedirs(tmp, exist_ok=True)
    failures = []
    through_core = 0
    started = time.monotonic()

    def guarded(i: int, label: str, data: bytes) -> tuple[str | None, bool] | None:
        if deadline is not None and time.monotonic() > deadline:
            return None  # over budget: skipped, counted below
        return run_one(args.atoll, tmp, i, label, data)

    # The extremes come last in `cases`; run them first so a budget never skips them.
    order = list(range(len(cases)))
    order = order[-len(extremes()):] + order[:-len(extremes())]
    ran = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [(i, pool.submit(guarded, i, *cases[i])) for i in order]
        for i, future in futures:
            outcome = future.result()
            if outcome is None:
                continue
            ran.append(cases[i])
            result, core = outcome
            through_core += core
            if result:
                failures.append(result)
    if len(ran) < len(cases):
        print(f"fuzz: time budget reached after {time.monotonic() - started:.0f} s: "
              f"{len(ran)} of {len(cases)} variants ran")
    kinds: dict[str, int] = {}
    for label, _ in ran:
        kind = label.split(" ")[-1].split("#")[0].split("@")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"fuzz: {len(files)} corpus files, {len(ran)} variants in "
          f"{time.monotonic() - started:.0f} s "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
          f"{through_core} checked and went through Core at -O2")
    for f in failures[:20]:
        print("FAIL", f)
    print(f"fuzz: {len(failures)} failures (inputs kept in {tmp})" if failures else "fuzz: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
