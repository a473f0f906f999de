#!/usr/bin/env python3
"""What a one-line program loads at start-up (docs/runtime-memory.md,
"Start-up"): builds examples/hello.atl and checks its output and that the
executable needs no shared library but the C library's (libc and the
dynamic linker): the runtime's libraries are linked statically, and it
calls nothing in libm (loading libm.so took 0.3 ms of the program's 4 ms
of CPU). A runtime change that calls into libm from code every program
links fails here; a program that computes with libm functions still gets
libm (-lm stays on the link line, with --as-needed)."""
import os
import subprocess
import sys
import tempfile

ALLOWED = {"libc.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}


def needed(exe: str) -> list[str]:
    out = subprocess.run(["readelf", "-d", exe], check=True, capture_output=True, text=True).stdout
    names = []
    for line in out.splitlines():
        if "(NEEDED)" in line:
            names.append(line.split("[", 1)[1].split("]", 1)[0])
    return names


def main() -> int:
    atoll = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "hello")
        subprocess.run([atoll, "build", "-O2", os.path.join(root, "examples", "hello.atl"), "-o", exe],
                       check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        if out != "Hello, world!\n":
            print(f"hello printed {out!r}")
            return 1
        libs = needed(exe)
        print("NEEDED:", " ".join(libs))
        extra = [name for name in libs if name not in ALLOWED]
        if extra or "libc.so.6" not in libs:
            print(f"a one-line program needs {extra} beyond the C library")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
