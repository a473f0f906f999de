#!/usr/bin/env python3
"""Runs one annotated Atoll test file through the real path and checks it.

A test says what it expects in comments on the lines concerned:

    print (show (1 + 2))     -- expect: 3
    x = undefinedName        -- error: E0201
    bad = runST (newRef 0)   -- error: escape        (a word names a code range)
    writeRef r x             -- error: E0404 "`arr`" "allocate it" !"t1"
                             (each quoted text appears in the diagnostic's
                              message or notes, each !"text" does not;
                              \" for a quote inside)
    -- expect runtime error: division by zero
    -- exit: 3
    -- args: a b c
    -- mode: parse           (only `atoll check --dump=ast` must succeed)
    -- mode: lib             (a library: `atoll build --emit=lib` must succeed and
                              write the archive and its header; docs/embedding.md)
    -- opt: 0 2              (build and run at each level; default: atoll's own, -O2)
    -- skip: reason
    -- schedulers: all       (run once per scheduler: ws threads loop; or a list)
    -- backends: all         (run once per IO backend: epoll poll uring; or a list)
    -- env: NAME=VALUE ...   (environment of the run)
    -- expect stderr: TEXT   (stderr contains TEXT; may repeat)

A file with `-- error:` annotations is checked with `atoll check`, which must
fail with exactly those (code, line) errors. Any other file is built with
`atoll build` and run; stdout must equal the `-- expect:` lines in order, and
stderr / exit status must match `-- expect runtime error:` / `-- exit:`.

With `-- schedulers:` the program runs once with each ATOLL_SCHED value and
every run must meet the same expectations (the schedulers are meant to be
indistinguishable to a program). `-- backends:` does the same with ATOLL_IO,
for every scheduler listed (uring falls back to epoll, with a notice on
stderr, where the kernel refuses it).

`--update` rewrites the `-- expect:` annotations of a run test from its
actual output. Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import tempfile

# Words accepted in `-- error:` and the code prefixes they stand for.
CATEGORY_PREFIXES = {
    "lex": ("E00",),
    "syntax": ("E01",),
    "name": ("E02",),
    "type": ("E03",),
    "region": ("E04",),
    "escape": ("E04",),
    "determinism": ("E05",),
    "sendable": ("E06",),
    "unsupported": ("E09",),
}

ANNOTATION = re.compile(
    r"--\s*(expect runtime error|expect stderr|expect|error|warning|exit|args|mode|skip|stdin|schedulers|backends|env|opt):"
    r"\s?(.*)$"
)
DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): "
                        r"(?P<severity>error|warning)\[(?P<code>[EW]\d{4})\]")
SKIP = 77
TIMEOUT_S = 120


@dataclasses.dataclass
class Expectations:
    stdout: list[str] = dataclasses.field(default_factory=list)
    errors: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    warnings: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    # (severity, code, line, texts): key words the diagnostic's message and
    # notes must contain, from quoted texts after the code.
    texts: list[tuple[str, str, int, list[str]]] = dataclasses.field(default_factory=list)
    runtime_error: str | None = None
    exit_code: int | None = None
    args: list[str] = dataclasses.field(default_factory=list)
    stdin: str | None = None
    mode: str = "run"
    skip: str | None = None
    schedulers: list[str] = dataclasses.field(default_factory=lambda: [""])  # "": the default
    backends: list[str] = dataclasses.field(default_factory=lambda: [""])  # "": the default
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    stderr: list[str] = dataclasses.field(default_factory=list)
    opt_levels: list[str] = dataclasses.field(default_factory=list)  # [] = atoll's default


def parse_annotations(text: str) -> Expectations:
    exp = Expectations()
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = ANNOTATION.search(line)
        if not m:
            continue
        kind, value = m.group(1), m.group(2).rstrip()
        if kind == "expect":
            exp.stdout.append(value)
        elif kind in ("error", "warning"):
            code = value.split()[0] if value else ""
            (exp.errors if kind == "error" else exp.warnings).append((code, lineno))
            texts = quoted_texts(value[len(code):])
            if texts:
                exp.texts.append((kind, code, lineno, texts))
        elif kind == "expect runtime error":
            exp.runtime_error = value
        elif kind == "exit":
            exp.exit_code = int(value)
        elif kind == "args":
            exp.args = value.split()
        elif kind == "stdin":
            exp.stdin = value
        elif kind == "mode":
            exp.mode = value.strip()
        elif kind == "skip":
            exp.skip = value
        elif kind == "schedulers":
            names = value.split()
            exp.schedulers = ["ws", "threads", "loop"] if names == ["all"] else names
        elif kind == "backends":
            names = value.split()
            exp.backends = ["epoll", "poll", "uring"] if names == ["all"] else names
        elif kind == "env":
            for item in value.split():
                name, _, val = item.partition("=")
                exp.env[name] = val
        elif kind == "expect stderr":
            exp.stderr.append(value)
        elif kind == "opt":
            exp.opt_levels = value.split()
    if exp.errors:
        exp.mode = "check"
    return exp


QUOTED = re.compile(r'(!?)"((?:[^"\\]|\\.)*)"')


def quoted_texts(text: str) -> list[str]:
    """The quoted texts after a code; a text that must not appear keeps its `!`."""
    return [m.group(1) + re.sub(r'\\(.)', r'\1', m.group(2)) for m in QUOTED.finditer(text)]


def text_ok(text: str, diagnostic: str) -> bool:
    if text.startswith("!"):
        return text[1:] not in diagnostic
    return text in diagnostic


def code_matches(expected: str, actual: str) -> bool:
    if re.fullmatch(r"[EW]\d{4}", expected):
        return expected == actual
    prefixes = CATEGORY_PREFIXES.get(expected.lower())
    if prefixes is None:
        raise SystemExit(f"unknown error category in annotation: {expected!r}")
    return actual.startswith(prefixes)


def match_diagnostics(expected: list[tuple[str, int]],
                      actual: list[tuple[str, int]]) -> list[str]:
    """Every expected (code, line) must be matched by a distinct actual one, and
    no actual one may be left over."""
    problems = []
    remaining = list(actual)
    for code, line in expected:
        hit = next((a for a in remaining if a[1] == line and code_matches(code, a[0])), None)
        if hit is None:
            problems.append(f"missing {code} on line {line}")
        else:
            remaining.remove(hit)
    problems += [f"unexpected {code} on line {line}" for code, line in remaining]
    return problems


def run(cmd: list[str], stdin: str | None = None, cwd: str | None = None,
        env: dict[str, str] | None = None):
    try:
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              timeout=TIMEOUT_S, cwd=cwd, errors="replace",
                              env={**os.environ, **env} if env else None)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"FAIL: timed out after {TIMEOUT_S}s: {' '.join(cmd)}")


def describe_exit(code: int) -> str:
    return f"signal {-code}" if code < 0 else f"exit {code}"


SNIPPET = re.compile(r"^ *\d* \| ")


def split_diagnostics(stderr: str, path: str) -> list[tuple[str, str, int, str]]:
    """(severity, code, line, text) of each diagnostic about `path`; text is
    its message and notes (not the source lines and carets under them)."""
    found = []
    current = None
    for line in stderr.splitlines():
        m = DIAGNOSTIC.match(line)
        if m:
            current = None
            if os.path.basename(m.group("file")) == os.path.basename(path):
                current = [m.group("severity"), m.group("code"), int(m.group("line")), line]
                found.append(current)
        elif current is not None and not SNIPPET.match(line):
            current[3] += "\n" + line
    return [tuple(d) for d in found]


def check_texts(exp: Expectations, diagnostics: list[tuple[str, str, int, str]]) -> list[str]:
    problems = []
    for severity, code, line, texts in exp.texts:
        candidates = [d for d in diagnostics
                      if d[0] == severity and d[2] == line and code_matches(code, d[1])]
        if not candidates:
            continue  # reported as missing already
        if not any(all(text_ok(t, d[3]) for t in texts) for d in candidates):
            wrong = [t for t in texts if not text_ok(t, candidates[0][3])]
            problems.append(f"{code} on line {line} does not match " + ", ".join(
                (f"(has) {t[1:]!r}" if t.startswith("!") else f"(lacks) {t!r}") for t in wrong))
    return problems


def check_mode(atoll: str, path: str, exp: Expectations) -> list[str]:
    proc = run([atoll, "check", path])
    diagnostics = split_diagnostics(proc.stderr, path)
    actual_errors = [(c, l) for s, c, l, _ in diagnostics if s == "error"]
    actual_warnings = [(c, l) for s, c, l, _ in diagnostics if s == "warning"]
    problems = []
    if proc.returncode < 0 or proc.returncode > 1:
        problems.append(f"atoll check ended with {describe_exit(proc.returncode)}")
    if exp.errors and proc.returncode == 0:
        problems.append("atoll check succeeded but errors were expected")
    problems += match_diagnostics(exp.errors, actual_errors)
    if exp.warnings:
        problems += match_diagnostics(exp.warnings, actual_warnings)
    problems += check_texts(exp, diagnostics)
    if problems:
        problems.append("stderr was:\n" + proc.stderr)
    return problems


def parse_mode(atoll: str, path: str) -> list[str]:
    proc = run([atoll, "check", "--dump=ast", path])
    if proc.returncode != 0 or DIAGNOSTIC.search(proc.stderr or ""):
        return [f"parse failed ({describe_exit(proc.returncode)}):\n{proc.stderr}"]
    return []


def lib_mode(atoll: str, path: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        stem = os.path.splitext(os.path.basename(path))[0]
        archive = os.path.join(tmp, f"lib{stem}.a")
        proc = run([atoll, "build", "--emit=lib", path, "-o", archive])
        if proc.returncode != 0 or DIAGNOSTIC.search(proc.stderr or ""):
            return [f"atoll build --emit=lib failed ({describe_exit(proc.returncode)}):\n{proc.stderr}"]
        missing = [f for f in (archive, os.path.join(tmp, f"{stem}.h")) if not os.path.isfile(f)]
        return [f"not written: {f}" for f in missing]


def run_mode(atoll: str, path: str, exp: Expectations, update: bool) -> list[str]:
    if not exp.opt_levels:
        return run_level(atoll, path, exp, update, None)
    problems = []
    for level in exp.opt_levels:
        problems += [f"-O{level}: {p}" for p in run_level(atoll, path, exp, update, level)]
        update = False  # expectations come from the first level
    return problems


def run_level(atoll: str, path: str, exp: Expectations, update: bool, level: str | None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="atl-test-") as tmp:
        exe = os.path.join(tmp, "prog")
        build = run([atoll, "build", path, "-o", exe] + ([f"-O{level}"] if level is not None else []))
        if build.returncode != 0:
            return [f"atoll build failed ({describe_exit(build.returncode)}):\n{build.stderr}"]
        stdin_text = None
        if exp.stdin is not None:
            with open(os.path.join(os.path.dirname(path), exp.stdin)) as f:
                stdin_text = f.read()
        problems = []
        for sched in exp.schedulers:
            for backend in exp.backends:
                env = dict(exp.env)
                if sched:
                    env["ATOLL_SCHED"] = sched
                if backend:
                    env["ATOLL_IO"] = backend
                proc = run([exe, *exp.args], stdin=stdin_text or "", cwd=os.path.dirname(path) or ".",
                           env=env)
                actual = proc.stdout.splitlines()
                if update:
                    rewrite_expectations(path, actual)
                    return []
                found = check_run(proc, actual, exp)
                if found:
                    where = f"ATOLL_SCHED={sched or '(default)'}"
                    if backend:
                        where += f" ATOLL_IO={backend}"
                    problems.append(f"with {where}:")
                    problems += found
    return problems


def check_run(proc, actual: list[str], exp: Expectations) -> list[str]:
    problems = []
    if actual != exp.stdout:
        problems.append("stdout differs\n  expected: " + repr(exp.stdout) +
                        "\n  actual:   " + repr(actual))
    want_exit = exp.exit_code if exp.exit_code is not None else (1 if exp.runtime_error else 0)
    if proc.returncode != want_exit:
        problems.append(f"expected exit {want_exit}, got {describe_exit(proc.returncode)}")
    if exp.runtime_error is not None and exp.runtime_error not in proc.stderr:
        problems.append(f"stderr lacks runtime error {exp.runtime_error!r}")
    for text in exp.stderr:
        if text not in proc.stderr:
            problems.append(f"stderr lacks {text!r}")
    if problems:
        problems.append("stderr was:\n" + proc.stderr)
    return problems


def rewrite_expectations(path: str, actual: list[str]) -> None:
    """Replace existing `-- expect:` texts in order; append the surplus at the end."""
    with open(path) as f:
        lines = f.read().splitlines()
    pending = list(actual)
    out = []
    for line in lines:
        m = re.search(r"--\s*expect:\s?(.*)$", line)
        if m and "runtime error" not in line:
            if not pending:
                line = line[:m.start()].rstrip()
                if not line:
                    continue
            else:
                line = line[:m.start()] + "-- expect: " + pending.pop(0)
        out.append(line)
    out += ["-- expect: " + text for text in pending]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--atoll", required=True, help="path to the atoll binary")
    ap.add_argument("--update", action="store_true", help="rewrite -- expect: lines")
    ap.add_argument("file")
    opts = ap.parse_args()
    with open(opts.file, encoding="utf-8") as f:
        exp = parse_annotations(f.read())
    if exp.skip is not None:
        print(f"SKIP: {exp.skip}")
        return SKIP
    if exp.mode == "check":
        problems = check_mode(opts.atoll, opts.file, exp)
    elif exp.mode == "parse":
        problems = parse_mode(opts.atoll, opts.file)
    elif exp.mode == "lib":
        problems = lib_mode(opts.atoll, opts.file)
    elif exp.mode == "run":
        problems = run_mode(opts.atoll, opts.file, exp, opts.update)
    else:
        problems = [f"unknown mode {exp.mode!r}"]
    if problems:
        print(f"FAIL: {opts.file}")
        for p in problems:
            print("  " + p)
        return 1
    print(f"PASS: {opts.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
