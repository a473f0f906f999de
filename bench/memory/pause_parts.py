#!/usr/bin/env python3
"""Where the time of the slowest pushes goes (issue 13, part 2).

Reads an ATOLL_GC_TRACE file (its "stop", "reclaim" and "full_start" lines)
and the slow pushes bench_gc_latency wrote to GC_LATENCY_SLOW, both timed
from the collector's clock origin, and attributes every slow push to:
  suspend, dirty (reading dirty bits, re-marking from marked objects on
  dirty pages, static data), regions (the region roots hook), stacks, mark
  (draining the mark stack), resume   -- the world stops inside the push;
  reclaim    -- GC_finish_collection (after the final stop, world running);
  full_sweep, clear_marks -- a full collection's preparation: sweeping every
                unswept block, then clearing every mark bit;
  other      -- the rest: sweeping on allocation, marking increments with
                the world running, waiting for a core;
  waited     -- the push's wall time less its thread's CPU time (other
                jobs on the machine; included in the parts above).
cpu_ms is the collecting thread's CPU time over the stops (their wall time
less the time other work on the machine took from it).

Prints one JSON object: the worst push's parts, the medians of the parts
over the `top` slowest pushes, and per-phase medians and maxima over final
stops and over all stops.

Usage: pause_parts.py TRACE SLOW [top]
"""
import json
import statistics
import sys

PHASES = ["suspend_ms", "dirty_ms", "regions_ms", "stacks_ms", "mark_ms", "resume_ms"]
STOP_FIELDS = PHASES + ["cpu_ms"]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def parts_of(push, stops, reclaims, fulls):
    begin, end = push["start_ms"], push["start_ms"] + push["ms"]
    parts = {p: 0.0 for p in STOP_FIELDS}
    parts.update(reclaim_ms=0.0, stops=0, final_stops=0, full_start=False, full_sweep_ms=0.0, clear_marks_ms=0.0)
    inside = [s for s in stops if begin - 0.001 <= s["start_ms"] <= end]
    for s in inside:
        if True:
            for p in STOP_FIELDS:
                parts[p] += s[p]
            parts["stops"] += 1
            parts["final_stops"] += 1 if s["final"] else 0
    for r in reclaims:
        if begin - 0.001 <= r["start_ms"] <= end:
            parts["reclaim_ms"] += r["ms"]
    # A full collection starts with a sweep of every unswept block (before
    # the start callback) and clears every mark bit (before its first stop).
    starts = [f["start_ms"] for f in fulls if begin <= f["start_ms"] <= end]
    parts["full_start"] = bool(starts)
    if starts:
        parts["full_sweep_ms"] = starts[0] - begin
        later = [s["start_ms"] for s in inside if s["start_ms"] >= starts[0]]
        parts["clear_marks_ms"] = (later[0] if later else end) - starts[0]
    accounted = sum(parts[p] for p in PHASES) + parts["reclaim_ms"] + parts["full_sweep_ms"] + parts["clear_marks_ms"]
    parts["other_ms"] = max(0.0, push["ms"] - accounted)
    parts["push_ms"] = push["ms"]
    parts["push_cpu_ms"] = push.get("cpu_ms", 0.0)  # the pushing thread's CPU time
    parts["waited_ms"] = max(0.0, push["ms"] - parts["push_cpu_ms"]) if "cpu_ms" in push else 0.0
    # CPU time of the push outside world stops (clearing mark bits, sweeping, increments, reclaim).
    parts["cpu_outside_stops_ms"] = max(0.0, parts["push_cpu_ms"] - parts["cpu_ms"]) if "cpu_ms" in push else 0.0
    return parts


def phase_stats(stops):
    out = {"count": len(stops)}
    if not stops:
        return out
    for p in STOP_FIELDS + ["pause_ms"]:
        xs = [s[p] for s in stops]
        out[p] = {"p50": round(statistics.median(xs), 3), "max": round(max(xs), 3)}
    return out


def main():
    trace, slow = load(sys.argv[1]), load(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    stops = [x for x in trace if "stop" in x]
    reclaims = [x for x in trace if "reclaim" in x]
    fulls = [x for x in trace if "full_start" in x]
    slow.sort(key=lambda p: -p["ms"])
    attributed = [parts_of(p, stops, reclaims, fulls) for p in slow[:top]]
    keys = STOP_FIELDS + ["reclaim_ms", "full_sweep_ms", "clear_marks_ms", "other_ms", "push_ms", "push_cpu_ms", "waited_ms", "cpu_outside_stops_ms"]
    result = {
        "worst": {k: round(v, 3) if isinstance(v, float) else v for k, v in attributed[0].items()} if attributed else {},
        "top": len(attributed),
        "top_p50": {k: round(statistics.median(a[k] for a in attributed), 3) for k in keys} if attributed else {},
        "top_with_full_start": sum(1 for a in attributed if a["full_start"]),
        "final_stops": phase_stats([s for s in stops if s["final"]]),
        "all_stops": phase_stats(stops),
        "reclaim": {"count": len(reclaims),
                    "p50": round(statistics.median(r["ms"] for r in reclaims), 3) if reclaims else 0,
                    "max": round(max((r["ms"] for r in reclaims), default=0), 3)},
        "full_starts": len(fulls),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
