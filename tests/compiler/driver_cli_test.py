#!/usr/bin/env python3
"""The command line a newcomer meets (issue 18), through the real binary:
colour (a terminal, a pipe, NO_COLOR, --color), --help with defaults and the
ATOLL_* variables, `-Os`-style mistakes, `-` and /dev/stdin as the source of
check/build/run, warnings shown again by a cached `atoll run`, a compile
failure told apart from the program's own failure, and
`atoll check --diagnostics=json`."""
import json
import os
import pty
import select
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def atoll(*args, stdin=None, env=None, cwd=None):
    return subprocess.run([ATOLL, *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


def stderr_on_a_terminal(*args, env=None):
    """stderr of atoll run with a pseudo-terminal as stderr (stdout a pipe)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([ATOLL, *args], stdout=subprocess.PIPE, stderr=slave,
                            env={**os.environ, "TERM": "xterm", **(env or {})})
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode(errors="replace")


WARNS = "data C = R | G | B\nname c = case c of\n  R -> \"r\"\nmain = print (name R)\n"
BROKEN = "main = print (show (1 + True))\n"
FAILS = "main = exit 1\n"

env_cache = {}
with tempfile.TemporaryDirectory(prefix="atoll-cli-test-") as tmp:
    env_cache = {"XDG_CACHE_HOME": os.path.join(tmp, "cache"), "NO_COLOR": ""}
    warns = os.path.join(tmp, "warns.atl")
    broken = os.path.join(tmp, "broken.atl")
    fails = os.path.join(tmp, "fails.atl")
    for path, text in [(warns, WARNS), (broken, BROKEN), (fails, FAILS)]:
        with open(path, "w") as f:
            f.write(text)

    # Colour: none in a pipe, on a terminal unless NO_COLOR, forced either way by --color.
    r = atoll("check", broken)
    check(r.returncode == 1 and "\x1b[" not in r.stderr, "no colour in a pipe")
    r = atoll("check", broken, "--color=always")
    check("\x1b[1;31merror[E0301]\x1b[0m" in r.stderr and "\x1b[1;31m^" in r.stderr,
          "--color=always colours the severity and the carets")
    r = atoll("check", warns, "--color=always")
    check("\x1b[1;33mwarning[W0301]" in r.stderr, "warnings are yellow")
    text = stderr_on_a_terminal("check", broken)
    check("\x1b[1;31merror[E0301]" in text, "colour on a terminal")
    text = stderr_on_a_terminal("check", broken, env={"NO_COLOR": "1"})
    check("error[E0301]" in text and "\x1b[" not in text, "NO_COLOR turns colour off")
    text = stderr_on_a_terminal("check", broken, "--color=never")
    check("error[E0301]" in text and "\x1b[" not in text, "--color=never on a terminal")
    text = stderr_on_a_terminal("check", broken, "--color=always", env={"NO_COLOR": "1"})
    check("\x1b[1;31m" in text, "--color=always wins over NO_COLOR")
    r = atoll("check", broken, "--color=sometimes")
    check(r.returncode == 2 and "--color" in r.stderr, "a bad --color value is a usage error")

    # --help shows defaults and the ATOLL_* variables.
    r = atoll("help", "build")
    check("=2" in r.stdout and "=exe" in r.stdout and "=auto" in r.stdout,
          f"atoll help build shows the defaults -O2, exe, auto")
    for cmd in (["help"], ["help", "run"], ["run", "--help"]):
        r = atoll(*cmd)
        check("ATOLL_SCHED" in r.stdout and "ATOLL_GC_STATS" in r.stdout and "NO_COLOR" in r.stdout,
              f"atoll {' '.join(cmd)} lists the environment variables")
    for bad in ["-Os", "-Oz", "-Ofast", "-O4"]:
        r = atoll("build", warns, bad)
        check(r.returncode == 2 and f"'{bad}' is not an optimisation level" in r.stderr
              and "-O2 (the default)" in r.stderr, f"{bad} is named with the levels atoll has")

    # `-` and /dev/stdin.
    r = atoll("check", "-", stdin=BROKEN)
    check(r.returncode == 1 and r.stderr.startswith("<stdin>:1:"), "check - names <stdin>")
    r = atoll("check", "--dump=ast", "-", stdin="x = 1\n")
    check(r.returncode == 0 and "(fun x" in r.stdout, "check --dump=ast -")
    # --dump=core goes to stdout, or to the -o file (never over the source).
    r = atoll("build", "--dump=core", "-", stdin=WARNS)
    check(r.returncode == 0 and r.stdout.startswith("-- Core at -O2") and "name" in r.stdout,
          "build --dump=core - prints Core")
    dumped = os.path.join(tmp, "core.txt")
    r2 = atoll("build", "--dump=core", "-", "-o", dumped, stdin=WARNS)
    check(r2.returncode == 0 and r2.stdout == "" and os.path.exists(dumped)
          and open(dumped).read() == r.stdout, "build --dump=core -o FILE writes FILE")
    src = os.path.join(tmp, "dumpsrc.atl")
    with open(src, "w") as f:
        f.write(WARNS)
    r = atoll("build", "--dump=core", src, "-o", src)
    check(r.returncode == 2 and "is the source file" in r.stderr and open(src).read() == WARNS,
          "build --dump=core -o SOURCE is refused")
    r = atoll("build", src, "-o", tmp)
    check(r.returncode == 2 and "is a directory; name a file with -o" in r.stderr
          and "ld.lld" not in r.stderr, "build -o DIRECTORY is refused before compiling")
    r = atoll("build", src, "-o", os.path.join(src, "out"))
    check(r.returncode == 2 and "is not a directory" in r.stderr and "ld.lld" not in r.stderr,
          "build -o FILE/out is refused before compiling")
    r = atoll("build", src, "-o", os.path.join(tmp, "no-such-folder", "out"))
    check(r.returncode == 2 and "does not exist" in r.stderr and "ld.lld" not in r.stderr,
          "build -o MISSING/out is refused before compiling")
    r = atoll("run", "-", stdin='main = print "from a pipe"\n', env=env_cache)
    check(r.returncode == 0 and r.stdout == "from a pipe\n", f"run - ({r.stderr})")
    r = atoll("run", "/dev/stdin", stdin='main = print "from /dev/stdin"\n', env=env_cache)
    check(r.returncode == 0 and r.stdout == "from /dev/stdin\n", f"run /dev/stdin ({r.stderr})")
    r = atoll("build", "-", stdin='main = print "x"\n')
    check(r.returncode == 2 and "name the output with -o" in r.stderr, "build - needs -o")
    exe = os.path.join(tmp, "from_stdin")
    r = atoll("build", "-", "-o", exe, stdin='main = print "built"\n')
    check(r.returncode == 0 and subprocess.run([exe], capture_output=True, text=True).stdout == "built\n",
          "build - -o OUT")

    # A cached run shows the warnings again; a failed compile says so last.
    first = atoll("run", warns, env=env_cache)
    second = atoll("run", warns, env=env_cache)
    check(first.stdout == second.stdout == "r\n", "the program runs twice")
    check("warning[W0301]" in first.stderr and "warning[W0301]" in second.stderr,
          "a cached run shows the warnings again")
    r = atoll("run", broken, env=env_cache)
    check(r.returncode == 1 and r.stderr.rstrip().endswith(
        "atoll: error: could not compile '" + broken + "' (1 error); the program was not run"),
        f"a compile failure ends with 'could not compile' ({r.stderr[-200:]!r})")
    r = atoll("run", fails, env=env_cache)
    check(r.returncode == 1 and "could not compile" not in r.stderr, "the program's own status 1")
    r = atoll("build", broken, "-o", os.path.join(tmp, "b"))
    check(r.returncode == 1 and "could not compile" in r.stderr and "was not run" not in r.stderr,
          "build says could not compile too")

    # --diagnostics=json: one document on stdout, nothing on stderr.
    r = atoll("check", "--diagnostics=json", broken)
    doc = json.loads(r.stdout)
    d = doc["diagnostics"][0]
    check(r.returncode == 1 and r.stderr == "" and doc["version"] == 1 and doc["errors"] == 1,
          "json: exit 1, the document on stdout")
    check(d["file"] == broken and d["code"] == "E0301" and d["severity"] == "error"
          and d["range"]["start"] == {"line": 1, "column": 25, "offset": 24}
          and d["range"]["end"]["column"] == 29 and "Int" in d["message"]
          and isinstance(d["notes"], list) and d["fixes"] == [],
          f"json: file, range, code, severity, message, notes, fixes ({d})")
    typo = os.path.join(tmp, "typo.atl")
    with open(typo, "w") as f:
        f.write("total = 5\nmain = print (show totl)\n")
    d = json.loads(atoll("check", "--diagnostics=json", typo).stdout)["diagnostics"][0]
    fix = d["fixes"][0] if d["fixes"] else {}
    check(fix.get("replacement") == "total" and fix["range"]["start"]["line"] == 2
          and fix["range"]["start"]["column"] == 20 and fix["range"]["end"]["column"] == 24,
          f"json: a did-you-mean is a fix with its range and replacement ({d})")
    r = atoll("check", "--diagnostics=json", warns)
    check(r.returncode == 0 and json.loads(r.stdout)["warnings"] == 1, "json: warnings exit 0")
    r = atoll("check", "--diagnostics=json", os.path.join(tmp, "missing.atl"))
    check(r.returncode == 2 and "cannot read" in r.stderr, "json: a file problem is still exit 2")

    # --cpu: portable x86-64 by default (no AVX encodings), newer processors
    # by name or `native`, an unknown name refused with one message.
    flt = os.path.join(tmp, "flt.atl")
    with open(flt, "w") as f:
        f.write("sq : Float -> Float\nsq x = x *. x +. 1.5\n"
                "main = print (show (sq (intToFloat (length (words \"a b c\")))))\n")
    generic = atoll("build", flt, "--emit", "asm", "-o", "-")
    check(generic.returncode == 0 and "mulsd" in generic.stdout and "vmulsd" not in generic.stdout,
          "default --cpu x86-64: SSE2 code, no AVX")
    v3 = atoll("build", flt, "--cpu", "x86-64-v3", "--emit", "asm", "-o", "-")
    check(v3.returncode == 0 and "vmulsd" in v3.stdout, "--cpu x86-64-v3: AVX encodings")
    native_exe = os.path.join(tmp, "flt-native")
    r = atoll("build", flt, "--cpu", "native", "-o", native_exe)
    out = subprocess.run([native_exe], capture_output=True, text=True, timeout=60).stdout \
        if r.returncode == 0 else ""
    check(out == "10.5\n", f"--cpu native builds and runs ({r.stderr!r} {out!r})")
    r = atoll("build", flt, "--cpu", "pentium9", "-o", os.path.join(tmp, "x"))
    check(r.returncode == 2 and r.stderr.count("\n") == 1
          and "unknown processor 'pentium9' for --cpu" in r.stderr
          and not os.path.exists(os.path.join(tmp, "x")),
          f"an unknown --cpu is one usage error ({r.stderr!r})")

sys.exit(1 if failures else 0)
