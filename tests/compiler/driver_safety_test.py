#!/usr/bin/env python3
"""`atoll build` and `atoll run` when things go wrong around them: damaged
run-cache entries (rebuilt, not run), an unusable cache (the program runs
from a temporary folder), a file-size limit standing in for a full disk (a
clear error, no signal, no linker crash report, nothing partial left), and
outputs that would overwrite a source file (refused). docs/cli.md."""
import hashlib
import os
import resource
import subprocess
import sys
import tempfile

ATOLL = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def atoll(*args, cwd=None, env=None, preexec_fn=None):
    return subprocess.run([ATOLL, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
                          preexec_fn=preexec_fn)


def file_size_limit(limit):
    """A preexec_fn that sets RLIMIT_FSIZE: writes past `limit` bytes fail
    (EFBIG, or SIGXFSZ for a process that does not ignore it)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


with tempfile.TemporaryDirectory(prefix="atoll-driver-safety-") as tmp:
    src = os.path.join(tmp, "prog.atl")
    # A damaged entry (cut short, or changed in place) is rebuilt, not run.
    with open(src, "w") as f:
        f.write('main : Effect s Nondeterministic ()\nmain = print (show (6 * 7))\n')
    cache2 = os.path.join(tmp, "cache2")
    env2 = dict(os.environ, XDG_CACHE_HOME=cache2)
    r = atoll("run", src, env=env2)
    entries = sorted(os.listdir(os.path.join(cache2, "atoll")))
    check(r.stdout == "42\n" and len(entries) == 2 and entries[1] == entries[0] + ".ok",
          f"an entry is the executable and its seal ({entries})")
    exe = os.path.join(cache2, "atoll", entries[0])
    size = os.path.getsize(exe)
    seal = open(exe + ".ok").read().split()
    check(seal[2] == str(size) and seal[3] == hashlib.sha256(open(exe, "rb").read()).hexdigest(),
          f"the seal records size and SHA-256 ({seal})")
    for damage in ["truncate", "flip"]:
        if damage == "truncate":
            os.truncate(exe, size // 3)
        else:
            with open(exe, "r+b") as f:
                f.seek(size // 2)
                byte = f.read(1)
                f.seek(size // 2)
                f.write(bytes([byte[0] ^ 0xFF]))
        r = atoll("run", src, env=env2)
        check(r.returncode == 0 and r.stdout == "42\n" and "rebuilding" in r.stderr,
              f"a {damage}d entry is rebuilt with a notice ({r.returncode}, {r.stderr!r})")
        check(os.path.getsize(exe) == size, f"the {damage}d entry is replaced")
    os.remove(exe + ".ok")
    r = atoll("run", src, env=env2)
    check(r.stdout == "42\n" and "rebuilding" in r.stderr and os.path.exists(exe + ".ok"),
          f"an entry without its seal is rebuilt ({r.stderr!r})")

    # An unusable cache (a file where its directory should be): the program
    # still runs, from a temporary folder, after a one-line notice.
    blocked = os.path.join(tmp, "blocked")
    open(blocked, "w").close()
    temp = os.path.join(tmp, "temp")
    os.mkdir(temp)
    r = atoll("run", src, env=dict(os.environ, XDG_CACHE_HOME=blocked, TMPDIR=temp))
    check(r.returncode == 0 and r.stdout == "42\n" and len(r.stderr.splitlines()) == 1
          and "cannot use the build cache" in r.stderr, f"unusable cache: run from a temporary folder ({r.stderr!r})")
    check(os.listdir(temp) == [], f"nothing left in the temporary folder ({os.listdir(temp)})")

    # A file-size limit (as a full disk would): a clear error, no signal, no
    # linker crash report, no damaged cache entry.
    cache3 = os.path.join(tmp, "cache3")
    for limit in [4 << 10, 256 << 10]:  # the object file fails; the executable fails
        r = atoll("run", src, env=dict(os.environ, XDG_CACHE_HOME=cache3, TMPDIR=temp),
                  preexec_fn=file_size_limit(limit))
        check(r.returncode == 2 and "atoll: error:" in r.stderr and "File too large" in r.stderr
              and "PLEASE submit" not in r.stderr and "Stack dump" not in r.stderr,
              f"file-size limit {limit}: clear error, exit 2 ({r.returncode}, {r.stderr!r})")
        check(not any(e for e in os.listdir(os.path.join(cache3, "atoll"))), f"limit {limit}: nothing cached")
    limited = os.path.join(tmp, "limited")
    r = atoll("build", src, "-o", limited, env=dict(os.environ, TMPDIR=temp), preexec_fn=file_size_limit(256 << 10))
    check(r.returncode == 2 and "File too large" in r.stderr and not os.path.exists(limited),
          f"a failed link leaves no partial executable ({r.returncode}, {r.stderr!r})")
    check(os.listdir(temp) == [], f"no temporary files left after failed builds ({os.listdir(temp)})")

    # Never write over a source file: by name, through another spelling, a
    # hard link or a symlink, a source without an extension (its default
    # output is itself), or an imported module. Exit 2, nothing written.
    keep = os.path.join(tmp, "keep.atl")
    with open(keep, "w") as f:
        f.write('import Helper\nmain : Effect s Nondeterministic ()\nmain = print (show helper)\n')
    with open(os.path.join(tmp, "Helper.atl"), "w") as f:
        f.write("module Helper where\nhelper : Int\nhelper = 3\n")
    os.link(keep, os.path.join(tmp, "hard.atl"))
    os.symlink("keep.atl", os.path.join(tmp, "soft"))
    with open(os.path.join(tmp, "myprog"), "w") as f:
        f.write('main : Effect s Nondeterministic ()\nmain = print "mine"\n')
    before = {name: open(os.path.join(tmp, name), "rb").read() for name in ["keep.atl", "Helper.atl", "myprog"]}
    for args in [["keep.atl", "-o", "keep.atl"], ["keep.atl", "-o", "./keep.atl"], ["keep.atl", "-o", keep],
                 ["keep.atl", "-o", "hard.atl"], ["keep.atl", "-o", "soft", "--emit=llvm"],
                 ["keep.atl", "-o", "Helper.atl", "--emit=obj"], ["myprog"]]:
        r = atoll("build", *args, cwd=tmp)
        check(r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "is the source file" in r.stderr,
              f"build {' '.join(args)} refuses to overwrite a source ({r.returncode}, {r.stderr!r})")
    after = {name: open(os.path.join(tmp, name), "rb").read() for name in before}
    check(before == after, "the sources are unchanged")
    r = atoll("build", "keep.atl", "-o", "keep", cwd=tmp)
    check(r.returncode == 0, f"another output name still builds ({r.stderr!r})")


sys.exit(1 if failures else 0)
