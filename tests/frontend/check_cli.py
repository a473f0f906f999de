#!/usr/bin/env python3
"""`atoll check` / `atoll explain` / `atoll help` from the outside: exit codes
0 (clean), 1 (diagnostics), 2 (usage, unreadable file, unknown code), the
dump formats, the diagnostic format the test runner relies on, sources that
are not regular files or too large, control bytes and invalid UTF-8 in a
quoted source line, and the messages for unknown subcommands and flags."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def expect(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(atoll: str, *args: str, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([atoll, *args], capture_output=True, text=True, timeout=60, stdin=stdin,
                          errors="surrogateescape")


def caret_column(snippet_line: str, caret_line: str) -> tuple[str, str]:
    """The text above the carets and the carets, from ` N | text` / `   | ^^`."""
    text = snippet_line.split(" | ", 1)[1]
    carets = caret_line.split(" | ", 1)[1]
    start = len(carets) - len(carets.lstrip(" "))
    return text[start:start + len(carets.strip())], carets.strip()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    atoll = ap.parse_args().atoll
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.atl")
        with open(good, "w") as f:
            f.write("x : Int\nx = 1 + 2\n")
        bad = os.path.join(tmp, "bad.atl")
        with open(bad, "w") as f:
            f.write("x = (1 +\ny = 2\n")

        r = run(atoll, "check", "--dump=ast", good)
        expect(r.returncode == 0 and r.stdout == "(module -)\n(sig x Int)\n(fun x (clause x () (+ 1 2)))\n",
               "check --dump=ast prints the S-expression and exits 0")
        r = run(atoll, "check", "--dump=tokens", good)
        lines = r.stdout.splitlines()
        expect(r.returncode == 0 and lines[0] == "1:1 {layout" and lines[1] == "1:1 LowerId x"
               and lines[-1].endswith("Eof"), "check --dump=tokens prints one token per line")

        r = run(atoll, "check", bad)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        expect(r.returncode == 1, "syntax errors exit 1")
        expect(re.match(r"^.*bad\.atl:1:\d+: error\[E01\d\d\]: ", first) is not None,
               f"diagnostic first line is FILE:LINE:COL: error[CODE]: ... ({first!r})")
        expect(" | " in r.stderr and "^" in r.stderr, "diagnostic shows the source line and carets")

        r = run(atoll, "check", os.path.join(tmp, "missing.atl"))
        expect(r.returncode == 2 and "cannot read" in r.stderr, "missing file exits 2 with a message")
        r = run(atoll, "check", tmp)
        expect(r.returncode == 2 and "directory" in r.stderr, "a directory exits 2 with a message")

        # Sources that are not regular files: a device that never ends is
        # refused at once; a pipe is read; more than 64 MiB is refused.
        for command in ["check", "build", "run"]:
            r = run(atoll, command, "/dev/zero")
            expect(r.returncode == 2 and r.stderr == "atoll: error: cannot read '/dev/zero': is a character device, "
                   "not a source file\n", f"{command} /dev/zero is refused at once ({r.stderr!r})")
        with open(good) as f:
            r = run(atoll, "check", "/dev/stdin", stdin=f)
        expect(r.returncode == 0, f"a pipe (/dev/stdin) is read ({r.stderr!r})")
        big = os.path.join(tmp, "big.atl")
        with open(big, "wb") as f:
            f.truncate((64 << 20) + 1)
        r = run(atoll, "check", big)
        expect(r.returncode == 2 and r.stderr.startswith(f"atoll: error: cannot read '{big}': file too large")
               and "64 MiB" in r.stderr, f"a source over 64 MiB is refused ({r.stderr!r})")
        fifo = os.path.join(tmp, "fifo.atl")
        os.mkfifo(fifo)
        writer = subprocess.Popen(["sh", "-c", f"head -c {(64 << 20) + 4096} /dev/zero > {fifo}"])
        r = run(atoll, "check", fifo)
        writer.kill()
        writer.wait()
        expect(r.returncode == 2 and "file too large" in r.stderr, f"a pipe is cut at 64 MiB ({r.stderr!r})")

        # Control characters and invalid UTF-8 of a source line are shown
        # escaped, never sent raw to the terminal, and the carets still
        # point at the span.
        ctl = os.path.join(tmp, "ctl.atl")
        with open(ctl, "wb") as f:
            f.write(b'x : Int\nx = "\x1b[31mred\x1b[0m" ++ 1\n')
        r = run(atoll, "check", ctl)
        lines = r.stderr.splitlines()
        expect(r.returncode == 1 and "\x1b" not in r.stderr and "\\x1b[31m" in r.stderr,
               f"an escape character in a source line is shown as \\x1b ({r.stderr!r})")
        snippet = next((i for i, line in enumerate(lines) if line.startswith(" 2 | ")), None)
        if snippet is not None:
            above, carets = caret_column(lines[snippet], lines[snippet + 1])
            expect(above.startswith('"\\x1b[31mred') or above == "1", f"carets under the span ({above!r} {carets!r})")
        with open(ctl, "wb") as f:
            f.write(b"x : Int\nx = 1 \x07+ \xff\xfe 2\n")
        r = run(atoll, "check", ctl)
        raw = r.stderr.encode("utf-8", "surrogateescape")
        expect(r.returncode == 1 and b"\x07" not in raw and b"\xff" not in raw and "\ufffd" in r.stderr
               and "\\x07" in r.stderr, f"BEL and invalid UTF-8 are shown safely ({r.stderr!r})")
        lines = r.stderr.splitlines()
        for i, line in enumerate(lines[:-1]):
            if line.startswith(" 2 | ") and lines[i - 1].startswith(ctl + ":2:"):
                column = int(lines[i - 1].split(":")[2])
                above, carets = caret_column(line, lines[i + 1])
                wanted = {7: "\\x07", 10: "\ufffd"}.get(column)
                if wanted is not None:
                    expect(above == wanted, f"carets at column {column} under {wanted!r} (got {above!r})")

        # One format for file problems, whatever the subcommand.
        for args in [["check", "--dump=tokens"], ["check", "--dump=ast"], ["check"], ["build"], ["run"]]:
            r = run(atoll, *args, os.path.join(tmp, "nope.atl"))
            expect(r.returncode == 2 and r.stderr == f"atoll: error: cannot read '{tmp}/nope.atl': "
                   "No such file or directory\n", f"{' '.join(args)}: file problem format ({r.stderr!r})")

    r = run(atoll, "check")
    expect(r.returncode == 2, "a usage error (missing file argument) exits 2")

    # What comes before a subcommand: named when unknown; `help [CMD]`.
    for args, wanted in [([], "a subcommand is required"), (["bogus"], "unknown subcommand 'bogus'"),
                         (["--bogus"], "unknown option '--bogus'"), (["explain"], "code is required"),
                         (["help", "bogus"], "no help for 'bogus'")]:
        r = run(atoll, *args)
        expect(r.returncode == 2 and r.stderr.startswith("atoll: error: " + wanted)
               and "A subcommand is required" not in r.stderr, f"atoll {' '.join(args)}: {wanted!r} ({r.stderr!r})")
    r = run(atoll, "help")
    expect(r.returncode == 0 and "Subcommands:" in r.stdout and "explain" in r.stdout and "Exit status" in r.stdout,
           f"atoll help lists the subcommands ({r.stdout!r})")
    for command in ["check", "build", "run", "explain"]:
        r = run(atoll, "help", command)
        expect(r.returncode == 0 and f"Usage: atoll {command}" in r.stdout, f"atoll help {command}")
        r2 = run(atoll, command, "--help")
        expect(r2.returncode == 0 and r2.stdout == r.stdout, f"atoll {command} --help = atoll help {command}")
    r = run(atoll, "check", "--dump=bogus", "x.atl")
    expect(r.returncode == 2, "a usage error (bad --dump) exits 2")

    r = run(atoll, "explain", "E0101")
    expect(r.returncode == 0 and r.stdout.startswith("E0101") and len(r.stdout.splitlines()) > 3,
           "explain prints the long form of a known code")
    r = run(atoll, "explain", "e0002")
    expect(r.returncode == 0 and "string" in r.stdout, "explain accepts lower-case codes")
    r = run(atoll, "explain", "E9999")
    expect(r.returncode == 2 and "unknown" in r.stderr, "explain rejects an unknown code")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
