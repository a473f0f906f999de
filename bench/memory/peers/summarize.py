#!/usr/bin/env python3
"""Table and push-time plot of bench/memory/peers/run.

Input: one JSON line per run (field `peer`, push quantiles in ms, or in us
for the Atoll program), the list of skipped peers, the command line to
quote. Output: a Markdown table (medians over the runs of each peer) and an
SVG plot of the push-time distribution's tail (the median of each quantile
over the runs; x: the share of pushes at least that slow, log scale).

Usage: summarize.py RUNS.jsonl SKIPPED COMMAND OUT.md OUT.svg
"""
import json
import math
import statistics
import sys

QUANTILES = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999), ("p9999", 0.9999), ("max", None)]


def normalise(run):
    """Push quantiles in ms; the Atoll program prints whole microseconds."""
    out = {"peer": run["peer"], "wall_ms": float(run["wall_ms"])}
    for name, _ in QUANTILES:
        if f"push_{name}_ms" in run:
            out[name] = float(run[f"push_{name}_ms"])
        elif f"push_{name}_us" in run:
            out[name] = float(run[f"push_{name}_us"]) / 1000.0
    return out


def main():
    runs_path, skipped_path, command, md_path, svg_path = sys.argv[1:6]
    runs = [normalise(json.loads(l)) for l in open(runs_path) if l.strip()]
    skipped = [l.strip() for l in open(skipped_path) if l.strip()]
    peers = []
    for r in runs:
        if r["peer"] not in peers:
            peers.append(r["peer"])
    med = {}
    for p in peers:
        rs = [r for r in runs if r["peer"] == p]
        med[p] = {"runs": len(rs)}
        for k in ["wall_ms"] + [n for n, _ in QUANTILES]:
            xs = [r[k] for r in rs if k in r]
            if xs:
                med[p][k] = statistics.median(xs)
                if k == "max":
                    med[p]["max_range"] = (min(xs), max(xs))
    go = med.get("go", {}).get("max")
    lines = [
        "# GC latency: Atoll and its peers",
        "",
        f"`{command}`: the gc-latency workload (a 200,000-slot window, fresh 1 KiB pointer-free",
        "messages, every push timed) in each language, all in one invocation on this machine.",
        "Medians over the runs; the worst push's range over the runs in brackets.",
        "",
        "| peer | runs | worst push (ms) | p99.9 (ms) | p99 (ms) | p50 (us) | wall (ms) | worst / Go |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(peers, key=lambda p: med[p].get("max", math.inf)):
        m = med[p]
        lo, hi = m.get("max_range", (0, 0))
        ratio = f"{m['max'] / go:.2f}" if go else "-"
        lines.append(
            f"| {p} | {m['runs']} | {m.get('max', 0):.2f} [{lo:.2f}-{hi:.2f}] | {m.get('p999', 0):.3f} | "
            f"{m.get('p99', 0):.3f} | {1000 * m.get('p50', 0):.2f} | {m['wall_ms']:.0f} | {ratio} |")
    lines.append("")
    if skipped:
        lines.append("Skipped: " + "; ".join(skipped) + ".")
        lines.append("")
    lines.append("The Atoll program reads push times into 1-microsecond buckets and OCaml's clock")
    lines.append("(`Unix.gettimeofday`) has microsecond resolution: their p50 of 0 means under 1 us.")
    lines.append(f"Load average at the end of the run: {open('/proc/loadavg').read().split()[0]} (2 cores).")
    lines.append("")
    lines.append("The plot `gc_peers_cdf.svg` draws each peer's push-time tail (p50 to the worst push).")
    open(md_path, "w").write("\n".join(lines) + "\n")
    write_svg(svg_path, peers, med)


def write_svg(path, peers, med):
    w, h, left, right, top, bottom = 760, 380, 70, 170, 20, 50
    ymax = max((m.get("max", 0) for m in med.values()), default=1) * 1.1 or 1
    ymin = 0.0005
    # x: share of pushes at least this slow, 0.5 .. 1e-6 on a log axis.
    def x_of(share):
        return left + (w - left - right) * (math.log10(0.5) - math.log10(share)) / (math.log10(0.5) + 6)

    def y_of(ms):
        ms = max(ms, ymin)
        return h - bottom - (h - top - bottom) * (math.log10(ms) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin))

    colours = ["#c0392b", "#e67e22", "#2980b9", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400",
               "#2c3e50", "#f1c40f", "#1abc9c"]
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif">']
    svg.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#333"/>')
    svg.append(f'<line x1="{left}" y1="{h - bottom}" x2="{left}" y2="{top}" stroke="#333"/>')
    for share, label in [(0.5, "50%"), (0.1, "10%"), (0.01, "1%"), (0.001, "0.1%"), (1e-4, "0.01%"), (1e-6, "1 push")]:
        x = x_of(share)
        svg.append(f'<text x="{x:.1f}" y="{h - bottom + 14}" font-size="11" text-anchor="middle">{label}</text>')
    ms = ymin
    while ms <= ymax:
        y = y_of(ms)
        svg.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{ms:g}</text>')
        ms *= 10
    svg.append(f'<text x="{(left + w - right) / 2}" y="{h - 8}" font-size="12" text-anchor="middle">'
               'share of pushes at least this slow (log)</text>')
    svg.append(f'<text x="14" y="{(h - bottom + top) / 2}" font-size="12" text-anchor="middle" '
               f'transform="rotate(-90 14 {(h - bottom + top) / 2})">push time (ms, log)</text>')
    for i, p in enumerate(peers):
        m, c = med[p], colours[i % len(colours)]
        pts = []
        for name, q in QUANTILES:
            if name in m:
                share = 1e-6 if q is None else 1 - q
                pts.append(f"{x_of(share):.1f},{y_of(m[name]):.1f}")
        svg.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{" ".join(pts)}"/>')
        svg.append(f'<text x="{w - right + 8}" y="{top + 14 * (i + 1)}" font-size="12" fill="{c}">{p}</text>')
    svg.append("</svg>")
    open(path, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
