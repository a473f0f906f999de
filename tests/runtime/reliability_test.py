#!/usr/bin/env python3
"""Runtime behaviour on bad input and hostile conditions, through compiled
programs (the reproducers of the reliability issue):

- output printed before SIGTERM / SIGINT / SIGHUP is not lost;
- writeFile that cannot finish (a full disk: RLIMIT_FSIZE) leaves the old
  contents whole and no temporary file behind;
- invalid UTF-8: arguments and stdin lines keep every byte visible (U+FFFD),
  readFile is an error value naming the first bad byte;
- readFile of a device that never ends (/dev/zero) is an error value;
- out of memory (newArray under an address-space limit) is a runtime error
  naming the location, with earlier output flushed;
- a bad value of an ATOLL_* variable stops the program at start-up with
  status 2; an unknown ATOLL_* variable is warned about;
- a main stack that cannot be reserved (ATOLL_STACK_MB under a limit) is a
  warning and a smaller stack, not a crash.
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

ATOLL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="atoll-reliability-")
failures = []


def build(name, source):
    src = os.path.join(TMP, name + ".atl")
    with open(src, "w") as f:
        f.write(source)
    exe = os.path.join(TMP, name)
    subprocess.run([ATOLL, "build", "-O1", src, "-o", exe], check=True)
    return exe


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(f"{what}\n{detail}")


# ---- signals ---------------------------------------------------------------
sleeper = build("sleeper", """
main : Effect s Nondeterministic ()
main = do
  print "printed before the signal"
  sleep 20000
  print "not reached"
""")
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    proc = subprocess.Popen([sleeper], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    time.sleep(0.5)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    check(f"output is flushed on {sig.name}", out == b"printed before the signal\n" and proc.returncode == -sig,
          f"status {proc.returncode}, stdout {out!r}, stderr {err!r}")

# ---- writeFile on a full disk ---------------------------------------------
writer = build("writer", """
main : Effect s Nondeterministic ()
main = do
  r <- writeFile "victim.txt" (stringFromList (map (\\i -> 'x') (range 0 100000)))
  print (show r)
""")
work = os.path.join(TMP, "disk")
os.makedirs(work)
victim = os.path.join(work, "victim.txt")
with open(victim, "w") as f:
    f.write("old contents\n")
os.chmod(victim, 0o640)
limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
run = subprocess.run([writer], cwd=work, capture_output=True, text=True, preexec_fn=limit, timeout=60)
with open(victim) as f:
    after = f.read()
check("writeFile on a full disk is an error value", run.returncode == 0 and run.stdout.startswith("Err "),
      f"status {run.returncode}, stdout {run.stdout!r}, stderr {run.stderr!r}")
check("writeFile on a full disk keeps the old contents", after == "old contents\n", repr(after[:80]))
check("writeFile leaves no temporary file", sorted(os.listdir(work)) == ["victim.txt"], str(os.listdir(work)))
run = subprocess.run([writer], cwd=work, capture_output=True, text=True, timeout=60)
check("writeFile replaces the contents and keeps the mode",
      run.stdout == "Ok ()\n" and os.path.getsize(victim) == 100000 and (os.stat(victim).st_mode & 0o777) == 0o640,
      f"{run.stdout!r} {run.stderr!r} mode {oct(os.stat(victim).st_mode)}")

# ---- invalid UTF-8 ----------------------------------------------------------
echo = build("echo", """
main : Effect s Nondeterministic ()
main = do
  as <- args
  forEach as (\\a -> print (show (stringLength a)))
  l <- getLine
  print (show (stringLength l))
  r <- readFile "bad.txt"
  print (show r)
  z <- readFile "/dev/zero"
  print (show z)
""")
with open(os.path.join(TMP, "bad.txt"), "wb") as f:
    f.write(b"ok\xc3(")
run = subprocess.run([echo, b"ab\xc3c"], cwd=TMP, input=b"x\xffy\n", capture_output=True, timeout=120)
lines = run.stdout.decode("utf-8", "replace").splitlines()
check("an argument with a stray byte keeps it (as U+FFFD)", lines[:1] == ["4"], repr(lines))
check("a stdin line with a stray byte keeps it (as U+FFFD)", lines[1:2] == ["3"], repr(lines))
check("readFile of invalid UTF-8 is an error naming the byte",
      lines[2:3] == ['Err "bad.txt: not valid UTF-8 (byte 2)"'], repr(lines))
check("readFile of /dev/zero stops at the limit with an error",
      lines[3:4] == ['Err "/dev/zero: larger than the 1 GiB a string may hold"'], repr(lines))

# ---- out of memory -----------------------------------------------------------
hog = build("hog", """
main : Effect s Nondeterministic ()
main = do
  print "before the allocation"
  a <- newArray 2000000000 0
  print (show (sizeArray a))
""")
cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
run = subprocess.run([hog], capture_output=True, text=True, preexec_fn=cap, timeout=60)
check("out of memory is a runtime error with a location, output flushed",
      run.returncode == 1 and run.stdout == "before the allocation\n"
      and "hog.atl:5:8: runtime error: out of memory (requested" in run.stderr,
      f"status {run.returncode}, stdout {run.stdout!r}, stderr {run.stderr!r}")

# ---- environment ------------------------------------------------------------
hello = build("hello", 'main : Effect s Nondeterministic ()\nmain = print "hi"\n')
for var, value, needle in [("ATOLL_SCHED", "bogus", "ATOLL_SCHED=bogus: expected ws, threads or loop"),
                           ("ATOLL_GC_STATS", "yes", "ATOLL_GC_STATS=yes: expected 1, text or json"),
                           ("ATOLL_WORKERS", "0", "ATOLL_WORKERS=0: expected a number of workers"),
                           ("ATOLL_FIBER_STACK_KB", "8", "ATOLL_FIBER_STACK_KB=8: expected a size in KiB")]:
    run = subprocess.run([hello], capture_output=True, text=True, env={**os.environ, var: value}, timeout=30)
    check(f"{var}={value} stops the program at start-up", run.returncode == 2 and needle in run.stderr and
          run.stdout == "", f"status {run.returncode}, stderr {run.stderr!r}")
# The collector reads its variables before the program starts: a bad value
# is one line and exit status 2, not "using the default" and then the stop.
for var, value in [("ATOLL_GC", "bogus"), ("ATOLL_GC_TIME_LIMIT_US", "abc")]:
    run = subprocess.run([hello], capture_output=True, text=True, env={**os.environ, var: value}, timeout=30)
    check(f"{var}={value} is one message", run.returncode == 2 and run.stderr.count("\n") == 1 and
          f"{var}={value}: expected" in run.stderr, f"status {run.returncode}, stderr {run.stderr!r}")
run = subprocess.run([hello], capture_output=True, text=True, env={**os.environ, "ATOLL_SHED": "ws"}, timeout=30)
check("an unknown ATOLL_* variable is warned about",
      run.returncode == 0 and run.stdout == "hi\n" and "ATOLL_SHED is not a variable Atoll reads" in run.stderr,
      run.stderr)
small = lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
run = subprocess.run([hello], capture_output=True, text=True, env={**os.environ, "ATOLL_STACK_MB": "4096"},
                     preexec_fn=small, timeout=30)
check("a main stack that cannot be reserved is a warning, not a crash",
      run.returncode == 0 and run.stdout == "hi\n" and "cannot reserve a stack of 4096 MiB" in run.stderr,
      f"status {run.returncode}, stderr {run.stderr!r}")

for f in failures:
    print("\nFAIL:", f)
sys.exit(1 if failures else 0)
