#!/usr/bin/env python3
"""GC time on an ordinary program: examples/wordfreq.atl (read a text, split
it into words, sort, count) over an 8 MB text generated here with a fixed
seed, with the default settings. Prints a markdown section: medians of RUNS
runs of the wall time, the time in collections and its share, collections,
the largest pause and the heap, from ATOLL_GC_STATS=json.
    bench/memory/wordfreq.py BUILD_DIR [RUNS]"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

build = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
with tempfile.TemporaryDirectory() as tmp:
    rng = random.Random(20261205)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    lines, size = [], 0
    while size < 8_000_000:
        line = " ".join(rng.choice(words) for _ in range(12)) + "\n"
        lines.append(line)
        size += len(line)
    text = os.path.join(tmp, "text.txt")
    with open(text, "w") as f:
        f.write("".join(lines))
    exe = os.path.join(tmp, "wordfreq")
    subprocess.run([os.path.join(build, "bin", "atoll"), "build", "-O2", "examples/wordfreq.atl", "-o", exe], check=True)
    rows = []
    for _ in range(runs):
        stats = os.path.join(tmp, "stats.json")
        subprocess.run([exe, text], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "ATOLL_GC_STATS": "json", "ATOLL_GC_STATS_FILE": stats})
        s = json.load(open(stats))
        rows.append((s["run"]["wall_ms"], s["run"]["gc_ms"], s["run"]["gc_share"], s["gc"]["collections"],
                     s["gc"]["pause"]["max_ms"], s["gc"]["heap_bytes"] / 1048576))
    med = [statistics.median(r[i] for r in rows) for i in range(6)]
    print("## GC time on an ordinary program (wordfreq over 8 MB)\n")
    print(f"examples/wordfreq.atl over an 8 MB generated text (20,000 distinct words), default settings,")
    print(f"medians of {runs} runs (`bench/memory/wordfreq.py`):\n")
    print("| wall | in collections | share | collections | max pause | heap |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {med[0]:.0f} ms | {med[1]:.0f} ms | {100 * med[2]:.1f}% | {med[3]:.0f} | {med[4]:.1f} ms | {med[5]:.0f} MiB |")
