#!/usr/bin/env python3
"""End-to-end checks of `atoll build` and `atoll run` that the .atl runner
cannot express: --emit kinds, -O levels, the run cache (reuse, invalidation,
concurrent-safe naming), exit-status forwarding, running from another
directory, and usage errors. What goes wrong around a build (damaged cache
entries, full disks, outputs over sources) is in driver_safety_test.py."""
import os
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def atoll(*args, cwd=None, env=None):
    return subprocess.run([ATOLL, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def executables(cache):
    """The cached executables (each has a seal NAME.ok beside it)."""
    return sorted(e for e in os.listdir(os.path.join(cache, "atoll")) if not e.endswith(".ok"))


with tempfile.TemporaryDirectory(prefix="atoll-driver-test-") as tmp:
    src = os.path.join(tmp, "prog.atl")
    with open(src, "w") as f:
        f.write('main : Effect s Nondeterministic ()\nmain = print (show (6 * 7))\n')

    # --emit kinds, with explicit and default outputs.
    for emit, marker in [("llvm", "define"), ("asm", "main:")]:
        out = os.path.join(tmp, "prog." + emit)
        r = atoll("build", src, "--emit=" + emit, "-o", out)
        check(r.returncode == 0, f"--emit={emit} exits 0 ({r.stderr})")
        check(os.path.exists(out) and marker in open(out).read(), f"--emit={emit} writes {marker}")
    r = atoll("build", src, "--emit=obj", cwd=tmp)
    check(r.returncode == 0 and os.path.getsize(os.path.join(tmp, "prog.o")) > 0, "--emit=obj default name prog.o")
    for level in ["-O0", "-O1", "-O2", "-O3"]:
        exe = os.path.join(tmp, "prog" + level)
        r = atoll("build", src, level, "-o", exe)
        check(r.returncode == 0, f"build {level}")
        p = subprocess.run([exe], capture_output=True, text=True)
        check(p.stdout == "42\n", f"{level} program prints 42 (got {p.stdout!r})")

    # An executable links Boehm and the C++ library statically where their
    # archives exist (compiler/driver/README.md, "Linking"): it loads
    # neither at start-up. The shared library of --emit=shared still does.
    def needed(path):
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
        return [line.split("[")[1].split("]")[0] for line in out.splitlines() if "(NEEDED)" in line]
    def has_archive(name):
        found = subprocess.run(["cc", "-print-file-name=" + name], capture_output=True, text=True).stdout.strip()
        return os.path.isabs(found) and os.path.exists(found)
    if has_archive("libstdc++.a") and has_archive("libgc.a"):
        libs = needed(os.path.join(tmp, "prog-O2"))
        check(any(lib.startswith("libc.so") for lib in libs) and
              not any(lib.startswith(("libstdc++", "libgc.", "libgcc_s")) for lib in libs),
              f"the executable needs libc but not libstdc++, libgcc_s or libgc ({libs})")
        lib_src = os.path.join(tmp, "lib.atl")
        with open(lib_src, "w") as f:
            f.write("export answer : Int -> Int\nanswer n = n + 1\n")
        so = os.path.join(tmp, "liblib.so")
        r = atoll("build", lib_src, "--emit=shared", "-o", so)
        check(r.returncode == 0 and any(lib.startswith("libgc.") for lib in needed(so)),
              f"--emit=shared keeps the shared libgc ({r.stderr}, {needed(so) if r.returncode == 0 else ''})")

    # Self tail calls are loops even without LLVM's optimiser (-O0): 50
    # million iterations would overflow any stack otherwise.
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    exe = os.path.join(tmp, "tail_O0")
    r = atoll("build", os.path.join(repo, "tests/lang/e2e/tail_calls.atl"), "-O0", "-o", exe)
    check(r.returncode == 0, f"build tail_calls -O0 ({r.stderr})")
    p = subprocess.run([exe], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and p.stdout.startswith("1250000025000000\n"), f"tail calls at -O0 ({p.returncode})")

    # Building from another directory with a relative path.
    r = atoll("build", "prog.atl", cwd=tmp)
    check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "prog")), "build from another cwd, default output")

    # The run cache.
    cache = os.path.join(tmp, "cache")
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    r = atoll("run", src, env=env, cwd="/")
    check(r.returncode == 0 and r.stdout == "42\n", f"run prints 42 ({r.stdout!r} {r.stderr!r})")
    entries = executables(cache)
    check(len(entries) == 1, f"one cache entry after first run ({entries})")
    r = atoll("run", src, env=env)
    check(r.stdout == "42\n" and executables(cache) == entries, "second run reuses the entry")
    r = atoll("run", "-O0", src, env=env)
    check(len(executables(cache)) == 2, "another -O level is another entry")
    with open(src, "w") as f:
        f.write('main : Effect s Nondeterministic ()\nmain = print (show (1 / 0))\n')
    r = atoll("run", src, env=env)
    check(r.returncode == 1 and "runtime error: division by zero" in r.stderr,
          f"run forwards the program's failure status ({r.returncode}, {r.stderr!r})")
    check(len(executables(cache)) == 3, "changed source is a new entry")
    check(not any(".tmp" in e for e in os.listdir(os.path.join(cache, "atoll"))), "no partial files left")

    # Errors: compile errors exit 1 and cache nothing; usage errors exit 2.
    with open(src, "w") as f:
        f.write('main = print (1 + "x")\n')
    r = atoll("run", src, env=env)
    check(r.returncode == 1 and "error[E0301]" in r.stderr, "run reports type errors with exit 1")
    check(len(executables(cache)) == 3, "failed builds are not cached")
    with open(src, "w") as f:
        f.write('helper = 1\n')
    r = atoll("build", src, "-o", os.path.join(tmp, "x"))
    check(r.returncode == 1 and "error[E0206]" in r.stderr, "a program without main is E0206")
    for command in ["build", "run", "check"]:
        missing = os.path.join(tmp, "missing.atl")
        r = atoll(command, missing)
        check(r.returncode == 2 and r.stderr == f"atoll: error: cannot read '{missing}': No such file or directory\n",
              f"{command}: a missing file is one line, exit 2 ({r.returncode}, {r.stderr!r})")

sys.exit(1 if failures else 0)
