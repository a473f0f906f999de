#!/usr/bin/env python3
"""The pause toolkit on a user's program: ATOLL_GC_TRACE writes one JSON line
per collection, and `atoll gc-report TRACE -o page.html` draws it as a
self-contained page (two inline SVG plots and a summary, nothing fetched);
a file that is not a trace is a usage error naming the line."""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.dom.minidom

ATOLL = sys.argv[1]
PROGRAM = """
churn : Int -> Int -> Int
churn n acc = if n == 0 then acc else churn (n - 1) (acc + length (range 0 100))

main : Effect s Nondeterministic ()
main = print (show (churn 20000 0))
"""
failures = []
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "churn.atl")
    with open(src, "w") as f:
        f.write(PROGRAM)
    exe = os.path.join(tmp, "churn")
    subprocess.run([ATOLL, "build", "-O1", src, "-o", exe], check=True)
    trace = os.path.join(tmp, "trace.jsonl")
    run = subprocess.run([exe], capture_output=True, text=True, env={**os.environ, "ATOLL_GC_TRACE": trace})
    if run.stdout != "2000000\n":
        failures.append(f"program printed {run.stdout!r}")
    records = [json.loads(l) for l in open(trace) if l.strip()]
    lines = [r for r in records if "collection" in r]
    stops = [r for r in records if "stop" in r]
    if len(lines) < 2 or [l["collection"] for l in lines] != list(range(1, len(lines) + 1)):
        failures.append(f"trace has {len(lines)} collections: {lines[:2]}")
    # Stop-the-world: one world stop per collection, its phases adding up to
    # its pause (each printed to the microsecond).
    phases = ["suspend_ms", "dirty_ms", "regions_ms", "stacks_ms", "mark_ms", "resume_ms"]
    if len(stops) != len(lines) or not all(s["final"] for s in stops):
        failures.append(f"stw trace: {len(stops)} stops for {len(lines)} collections")
    for s in stops:
        if abs(sum(s[p] for p in phases) - s["pause_ms"]) > 0.01 or s["root_pushes"] != 1:
            failures.append(f"stop phases do not add up to its pause: {s}")
            break
    page = os.path.join(tmp, "page.html")
    rep = subprocess.run([ATOLL, "gc-report", trace, "-o", page], capture_output=True, text=True)
    html = open(page).read() if os.path.exists(page) else ""
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    if rep.returncode != 0 or len(svgs) != 2 or f"<td>{len(lines)}</td><td>{len(stops)}</td>" not in html:
        failures.append(f"gc-report: exit {rep.returncode}, {len(svgs)} plots\n{rep.stderr}")
    # Incremental (cards): no collection lines, several stops, some of them
    # finishing a mark phase; the page draws the stops.
    run = subprocess.run([exe], capture_output=True, text=True,
                         env={**os.environ, "ATOLL_GC_TRACE": trace, "ATOLL_GC": "cards"})
    records = [json.loads(l) for l in open(trace) if l.strip()]
    stops = [r for r in records if "stop" in r]
    if run.stdout != "2000000\n" or len(stops) < 2 or not any(s["final"] for s in stops):
        failures.append(f"cards trace: {run.stdout!r}, {len(stops)} stops")
    rep = subprocess.run([ATOLL, "gc-report", trace, "-o", page], capture_output=True, text=True)
    html = open(page).read() if os.path.exists(page) else ""
    if rep.returncode != 0 or f"<td>{len(stops)}</td>" not in html:
        failures.append(f"gc-report of the cards trace: exit {rep.returncode}\n{rep.stderr}")
    for s in svgs:
        xml.dom.minidom.parseString(s)  # well-formed
    if "http" in html.replace('xmlns="http://www.w3.org/2000/svg"', ""):
        failures.append("the page refers to something on the network")
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w") as f:
        f.write('{"collection":1}\nnot json\n')
    rep = subprocess.run([ATOLL, "gc-report", bad, "-o", page], capture_output=True, text=True)
    if rep.returncode != 2 or "bad.jsonl:1: not a line of an ATOLL_GC_TRACE file" not in rep.stderr:
        failures.append(f"bad trace: exit {rep.returncode}, {rep.stderr!r}")
for f in failures:
    print("FAIL", f)
print("all passed" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
