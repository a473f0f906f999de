#!/usr/bin/env python3
"""Turns the raw outputs of bench/memory/run into bench/results/memory.md."""
import json
import os
import platform
import statistics
import subprocess
import sys


def bench_medians(path, counter):
    """Median of `counter` per benchmark over its repetitions."""
    with open(path) as f:
        data = json.load(f)
    values = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        values.setdefault(b["run_name"], []).append(b[counter])
    return {name: statistics.median(v) for name, v in values.items()}, data.get("context", {})


def go_version():
    try:
        v = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.split()
        return v[2] if len(v) > 2 else "go"
    except OSError:
        return "go"


def language_run(program_line, stats_path, mode):
    """One run of gc_latency.atl as a latency.jsonl record: the program's own
    push figures (microsecond histogram) and the collector's pause figures
    from ATOLL_GC_STATS=json."""
    p = json.loads(program_line)
    with open(stats_path) as f:
        gc = json.load(f)["gc"]
    return {"mode": mode, "messages": p["messages"], "wall_ms": p["wall_ms"],
            "push_p50_ms": p["push_p50_us"] / 1000, "push_p99_ms": p["push_p99_us"] / 1000,
            "push_p999_ms": p["push_p999_us"] / 1000,
            "push_max_ms": p["push_max_us"] / 1000, "gc_no": gc["gc_no"], "pause_count": gc["pause"]["count"],
            "pause_p50_ms": gc["pause"]["p50_ms"], "pause_p99_ms": gc["pause"]["p99_ms"],
            "pause_max_ms": gc["pause"]["max_ms"], "pause_total_ms": gc["pause"]["total_ms"],
            "heap_mib": gc["heap_bytes"] / 2**20, "corrupted": p["corrupted"]}


def main():
    if sys.argv[1] == "--language-run":
        print(json.dumps(language_run(sys.argv[2], sys.argv[3], sys.argv[4])))
        return
    tmp, command = sys.argv[1], sys.argv[2]
    alloc, ctx = bench_medians(os.path.join(tmp, "alloc.json"), "items_per_second")
    copy, _ = bench_medians(os.path.join(tmp, "copy.json"), "bytes_per_second")
    runs = [json.loads(line) for line in open(os.path.join(tmp, "latency.jsonl")) if line.strip()]

    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = []
    out.append("# Memory benchmarks\n")
    out.append(f"Command: `{command}` (also run by `make bench`). Commit {rev}, "
               f"{ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, "
               f"{platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.1f} at the end "
               "(other jobs share the machine). Figures are medians of the runs; "
               "ratios are against baselines measured in the same invocation. The machine is "
               "shared (2 cores), so absolute numbers are noisy; ratios are the figures to quote.\n")

    out.append("## Small-object allocation (32-byte objects, 10^6 per iteration, one word written each)\n")
    out.append("| allocator | Mobj/s | ns/object | vs GC_malloc |")
    out.append("|---|---:|---:|---:|")
    base = alloc.get("BM_GcMalloc")
    labels = [
        ("BM_RegionSmall", "region, 100 regions of 10^4 objects (cache-resident chunks)"),
        ("BM_Region", "region, one region of 10^6 objects (32 MB, memory-bandwidth bound)"),
        ("BM_RegionTraced", "region, traced chunks, one region of 10^6"),
        ("BM_GcMalloc", "GC_malloc (Boehm, thread-local free lists)"),
        ("BM_GcMallocAtomic", "GC_malloc_atomic"),
        ("BM_Malloc", "malloc + free (glibc)"),
    ]
    for key, label in labels:
        if key not in alloc:
            continue
        v = alloc[key]
        ratio = f"{v / base:.1f}x" if base else "-"
        out.append(f"| {label} | {v / 1e6:.0f} | {1e9 / v:.2f} | {ratio} |")
    out.append("\nTarget: region >= 5x GC_malloc.\n")

    out.append("## Deep copy throughput (bytes of the copied graph, headers included)\n")
    out.append("| graph | MB/s |")
    out.append("|---|---:|")
    for key, label in [
        ("BM_CopyIntList/100000", "list of 10^5 Ints (cons cells)"),
        ("BM_CopyFloatList/100000", "list of 10^5 boxed Floats"),
        ("BM_CopyIntArray/1000000", "array of 10^6 Ints (one object)"),
        ("BM_CopyStringArray/100000", "array of 10^5 short strings"),
    ]:
        if key in copy:
            out.append(f"| {label} | {copy[key] / 1e6:.0f} |")
    out.append("")

    out.append("## GC latency: 200,000-slot window (traced region), 1 KiB atomic messages\n")
    out.append("Each push (allocate the message, fill it, store it in the window) is timed with "
               "CLOCK_MONOTONIC; pause figures are the collector's own world-stopped intervals "
               "(GC_EVENT_PRE_STOP_WORLD..POST_START_WORLD). Medians over runs.\n")
    out.append("| mode | runs | messages | wall ms | push p50 us | push p99 us | push max ms | "
               "GCs | pauses | pause p50 ms | pause p99 ms | pause max ms | pause total ms | heap MiB |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    labels = {"stw": "Atoll runtime API, ATOLL_GC=stw", "incremental": "Atoll runtime API, ATOLL_GC=incremental",
              "atl-stw": "Atoll program (gc_latency.atl), stw",
              "atl-incremental": "Atoll program (gc_latency.atl), incremental",
              "atl-cards": "Atoll program (gc_latency.atl), cards",
              "cards": "Atoll runtime API, ATOLL_GC=cards",
              "malloc": "C baseline: malloc/free", "go": f"Go baseline ({go_version()})"}
    for mode in ("atl-stw", "atl-incremental", "atl-cards", "stw", "incremental", "cards", "malloc", "go"):
        rs = [r for r in runs if r["mode"] == mode]
        if not rs:
            continue
        m = lambda k: statistics.median(r[k] for r in rs)
        out.append(f"| {labels[mode]} | {len(rs)} | {rs[0]['messages']} | {m('wall_ms'):.0f} | "
                   f"{m('push_p50_ms') * 1000:.2f} | {m('push_p99_ms') * 1000:.2f} | {m('push_max_ms'):.1f} | "
                   f"{m('gc_no'):.0f} | {m('pause_count'):.0f} | {m('pause_p50_ms'):.1f} | "
                   f"{m('pause_p99_ms'):.1f} | {m('pause_max_ms'):.1f} | {m('pause_total_ms'):.0f} | "
                   f"{m('heap_mib'):.0f} |")
    out.append("\nThe first rows run bench/memory/gc_latency.atl, the workload written in Atoll "
               "(a MutableArray String window in a runIO region; push times in a histogram of "
               "1-microsecond buckets, so its p50/p99 are rounded down to whole microseconds); the "
               "runtime API rows run the same workload from C++ (gc_latency.cpp).")
    out.append("\nPush max is the latency a program sees (it includes the collector's work done "
               "inside the allocating call, lazy sweeping and preemption by other jobs); the C "
               "malloc row shows the machine's noise floor. Go's pauses are the stop-the-world "
               "phases of its concurrent collector (MemStats.PauseNs); Boehm's are whole "
               "stop-the-world marks.")
    bad = sum(r["corrupted"] for r in runs)
    out.append(f"\nWindow contents verified after every run: {bad} corrupted messages.\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
