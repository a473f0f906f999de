#!/usr/bin/env python3
"""Differential tester: random well-typed programs (tests/difftest/gen.py)
built with `atoll build -O0` and `-O2` must behave the same, and so must the
-O2 executable on every scheduler (ATOLL_SCHED=ws, threads, loop).

For each program: build at both levels, run the -O0 executable on the
default scheduler and the -O2 one on each scheduler, with a timeout, and
compare stdout, the runtime-error line of stderr (the line with "runtime
error", which names the source location) and the exit status. A program that
builds at one level and not the other, or that `atoll` rejects at both
(the generator makes only well-typed programs, so either the generator or
the checker is wrong), or on which `atoll` itself fails (exit 3, a signal),
is a finding too.

A finding is kept in --keep (the program, every output, a reduced program
when --minimise-seconds allows: main's statements and then the functions
are dropped one by one while the disagreement stays), and its seed is
printed; `python3 tests/difftest/gen.py --seed N` gives the program again.
Every real disagreement becomes an annotated test under tests/lang/e2e/
(docs/testing.md).

    python3 tests/difftest/run.py --atoll build/bin/atoll --seed 1 --count 40 --budget-seconds 45
    python3 tests/difftest/run.py --atoll build/bin/atoll --seconds 600 --jobs 2   # open-ended (make fuzz)

Exit status: 0 when every program agreed, 1 when anything was found.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

LEVELS = ["-O0", "-O2"]
# What is run and compared: (level, scheduler). The generated programs fork
# threads (the `threads` feature), so the schedulers are compared too.
CONFIGS = [("-O0", "ws"), ("-O2", "ws"), ("-O2", "threads"), ("-O2", "loop")]


def label(config: tuple[str, str]) -> str:
    level, sched = config
    return level if sched == "ws" else f"{level} {sched}"

# Findings already reported, recognised by a regular expression over what
# atoll or the program printed. They are counted as "known" and do not fail
# a run; each has a skipped test under tests/lang/e2e/ that is enabled with
# the fix. Remove the entry when the bug is fixed.
KNOWN = [
]


@dataclasses.dataclass
class Outcome:
    """What building and running one program at one level gave."""
    build_status: int
    build_stderr: str
    status: int | None = None  # None: timed out
    stdout: str = ""
    error_line: str = ""

    def key(self):
        if self.build_status != 0:
            return ("build failed", self.build_status)
        return (self.status, self.stdout, self.error_line)

    def describe(self) -> str:
        if self.build_status != 0:
            return f"atoll build exited {self.build_status}:\n{without_warnings(self.build_stderr)}"
        status = "timed out" if self.status is None else f"exit {self.status}"
        return f"{status}; runtime error: {self.error_line or '-'}; {len(self.stdout.splitlines())} lines of stdout"


def without_warnings(stderr: str) -> str:
    """atoll's stderr less its warnings (the generator's programs have some)."""
    out, in_warning = [], False
    for line in stderr.splitlines():
        if re.match(r"^\S+:\d+:\d+: warning\[", line):
            in_warning = True
        elif in_warning and re.match(r"^ +(\d+ )?\|", line):
            continue
        else:
            in_warning = False
            out.append(line)
    return "\n".join(line for line in out if not re.match(r"^\S+:\d+:\d+: warning\[", line)) + "\n"


def runtime_error_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if "runtime error" in line), "")


def build(atoll: str, source: str, level: str, workdir: str) -> tuple[Outcome, str]:
    """Builds at one level: the outcome so far and the executable's path."""
    exe = os.path.join(workdir, "prog" + level)
    try:
        done = subprocess.run([atoll, "build", level, source, "-o", exe], capture_output=True, text=True,
                              timeout=120, errors="replace")
    except subprocess.TimeoutExpired:
        return Outcome(build_status=-1, build_stderr="atoll build timed out after 120 s"), exe
    return Outcome(done.returncode, done.stderr), exe


def run_on(built: Outcome, exe: str, sched: str, timeout: float) -> Outcome:
    if built.build_status != 0:
        return built
    try:
        proc = subprocess.run([exe], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              errors="replace", env={**os.environ, "ATOLL_SCHED": sched})
    except subprocess.TimeoutExpired:
        return Outcome(0, built.build_stderr, None)
    return Outcome(0, built.build_stderr, proc.returncode, proc.stdout, runtime_error_line(proc.stderr))


def classify(outcomes: list[Outcome]) -> str:
    """'agree', 'both-timeout', 'invalid' (rejected at every level),
    'atoll-failed' (internal error or signal while building) or 'disagree'."""
    for o in outcomes:
        if o.build_status < 0 or o.build_status >= 3:
            return "atoll-failed"
    if all(o.build_status != 0 for o in outcomes):
        return "invalid"
    if len({o.key() for o in outcomes}) > 1:
        return "disagree"
    if outcomes[0].status is None:
        return "both-timeout"
    return "agree"


def known_bug(outcomes: list[Outcome]) -> str:
    # Generated programs never show a function, so `<function>` in stdout is a sign too.
    said = "\n".join(o.build_stderr + "\n" + o.error_line + "\n" + o.stdout for o in outcomes)
    return next((note for pattern, note in KNOWN if re.search(pattern, said)), "")


def evaluate(atoll: str, text: str, timeout: float) -> tuple[str, list[Outcome]]:
    with tempfile.TemporaryDirectory(prefix="atoll-difftest-") as tmp:
        source = os.path.join(tmp, "prog.atl")
        with open(source, "w") as f:
            f.write(text)
        builds = {level: build(atoll, source, level, tmp) for level in LEVELS}
        outcomes = [run_on(*builds[level], sched, timeout) for level, sched in CONFIGS]
    return classify(outcomes), outcomes


def minimise(atoll: str, program: gen.Program, verdict: str, timeout: float, seconds: float) -> str:
    """Drops main's statements, then functions, one at a time while the
    program still gives the same verdict. Returns the smallest text found."""
    deadline = time.monotonic() + seconds
    stmts = set(range(len(program.main)))
    functions = set(range(len(program.functions)))

    def still_fails(f, s) -> bool:
        return evaluate(atoll, program.render(f, s), timeout)[0] == verdict

    for i in reversed(range(len(program.main))):
        if time.monotonic() > deadline:
            break
        if still_fails(functions, stmts - {i}):
            stmts.discard(i)
    for i in reversed(range(len(program.functions))):
        if time.monotonic() > deadline:
            break
        if still_fails(functions - {i}, stmts):
            functions.discard(i)
    return program.render(functions, stmts)


def report(seed: int, verdict: str, outcomes: list[Outcome], text: str, keep: str, atoll: str, timeout: float,
           minimise_seconds: float) -> None:
    os.makedirs(keep, exist_ok=True)
    base = os.path.join(keep, f"seed{seed}")
    with open(base + ".atl", "w") as f:
        f.write(text)
    for config, o in zip(CONFIGS, outcomes):
        with open(f"{base}{label(config).replace(' ', '-')}.out", "w") as f:
            f.write(o.describe() + "\n--- stdout\n" + o.stdout)
    print(f"FOUND ({verdict}) seed {seed}: {base}.atl")
    for config, o in zip(CONFIGS, outcomes):
        print(f"  {label(config)}: {o.describe()}")
    if verdict == "disagree" and all(o.build_status == 0 for o in outcomes):
        other = next(i for i, o in enumerate(outcomes) if o.key() != outcomes[0].key())
        a, b = outcomes[0].stdout.splitlines(), outcomes[other].stdout.splitlines()
        for n, (x, y) in enumerate(zip(a + [None] * len(b), b + [None] * len(a))):
            if x != y:
                print(f"  first different stdout line {n + 1}: {label(CONFIGS[0])} {x!r} / "
                      f"{label(CONFIGS[other])} {y!r}")
                break
    if minimise_seconds > 0 and verdict in ("disagree", "atoll-failed"):
        reduced = minimise(atoll, gen.generate(seed), verdict, timeout, minimise_seconds)
        with open(base + ".min.atl", "w") as f:
            f.write(reduced)
        print(f"  reduced ({len(reduced.splitlines())} lines): {base}.min.atl")
    print(f"  again: python3 tests/difftest/gen.py --seed {seed} > prog.atl")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--seed", type=int, default=1, help="seed of the first program; program i has seed+i")
    ap.add_argument("--count", type=int, default=None, help="programs to try (default: no limit)")
    ap.add_argument("--budget-seconds", "--seconds", dest="seconds", type=float, default=None,
                    help="start no new program after this many seconds")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds each executable may run")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "atoll-difftest-found"),
                    help="folder for the programs that found something")
    ap.add_argument("--minimise-seconds", type=float, default=120.0, help="0: do not reduce findings")
    opts = ap.parse_args()
    if opts.count is None and opts.seconds is None:
        ap.error("give --count, --budget-seconds or both")
    atoll = os.path.abspath(opts.atoll)
    start = time.monotonic()
    counts: dict[str, int] = {}
    findings = []
    print(f"difftest: seeds from {opts.seed}, count {opts.count}, budget {opts.seconds} s, "
          f"{opts.jobs} job(s), -O0 vs -O2, -O2 on ws, threads and loop", flush=True)

    def seeds():
        i = 0
        while opts.count is None or i < opts.count:
            if opts.seconds is not None and time.monotonic() - start > opts.seconds:
                return
            yield opts.seed + i
            i += 1

    def one(seed: int):
        text = gen.generate(seed).render()
        verdict, outcomes = evaluate(atoll, text, opts.timeout)
        return seed, text, verdict, outcomes

    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        pending = set()
        it = seeds()
        done = False
        while True:
            while not done and len(pending) < opts.jobs:
                seed = next(it, None)
                if seed is None:
                    done = True
                    break
                pending.add(pool.submit(one, seed))
            if not pending:
                break
            finished, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                seed, text, verdict, outcomes = future.result()
                counts[verdict] = counts.get(verdict, 0) + 1
                if verdict not in ("agree", "both-timeout") and known_bug(outcomes):
                    counts[verdict] -= 1
                    counts["known"] = counts.get("known", 0) + 1
                    print(f"known ({verdict}) seed {seed}: {known_bug(outcomes)}")
                elif verdict == "both-timeout":
                    print(f"note: seed {seed} runs longer than {opts.timeout} s at every level (generator)")
                elif verdict != "agree":
                    findings.append(seed)
                    report(seed, verdict, outcomes, text, opts.keep, atoll, opts.timeout, opts.minimise_seconds)
                    sys.stdout.flush()
    total = sum(counts.values())
    elapsed = time.monotonic() - start
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()) if n > 0)
    print(f"difftest: {total} programs in {elapsed:.1f} s ({summary}); seeds {opts.seed}..{opts.seed + total - 1}")
    if findings:
        print(f"difftest: findings for seeds {sorted(findings)} in {opts.keep}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
