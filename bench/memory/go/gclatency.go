// Go baseline for the GC-latency workload of bench/memory/gc_latency.cpp:
// a 200,000-slot window receives 1,000,000 messages of 1 KiB; each push is
// timed. Prints one JSON line with push percentiles and Go's own GC pauses.
package main

import (
	"encoding/json"
	"os"
	"runtime"
	"sort"
	"strconv"
	"time"
)

func main() {
	messages, window := 1000000, 200000
	if len(os.Args) > 1 {
		messages, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		window, _ = strconv.Atoi(os.Args[2])
	}
	slots := make([][]byte, window)
	push := make([]time.Duration, messages)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < messages; i++ {
		t0 := time.Now()
		m := make([]byte, 1024)
		for j := range m {
			m[j] = byte('a' + i%26)
		}
		slots[i%window] = m
		push[i] = time.Since(t0)
	}
	wall := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	pauses := []time.Duration{}
	for n := before.NumGC; n < after.NumGC; n++ {
		pauses = append(pauses, time.Duration(after.PauseNs[(n+255)%256]))
	}
	sort.Slice(push, func(a, b int) bool { return push[a] < push[b] })
	sort.Slice(pauses, func(a, b int) bool { return pauses[a] < pauses[b] })
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	pct := func(xs []time.Duration, q float64) time.Duration {
		if len(xs) == 0 {
			return 0
		}
		return xs[int(q*float64(len(xs)-1))]
	}
	var total time.Duration
	for _, p := range pauses {
		total += p
	}
	out := map[string]interface{}{
		"mode": "go", "messages": messages, "window": window, "wall_ms": ms(wall),
		"push_p50_ms": ms(pct(push, 0.5)), "push_p99_ms": ms(pct(push, 0.99)),
		"push_p999_ms": ms(pct(push, 0.999)), "push_max_ms": ms(push[len(push)-1]),
		"collections": after.NumGC - before.NumGC, "gc_no": after.NumGC - before.NumGC,
		"pause_count": len(pauses), "pause_p50_ms": ms(pct(pauses, 0.5)),
		"pause_p99_ms": ms(pct(pauses, 0.99)), "pause_max_ms": ms(pct(pauses, 1.0)),
		"pause_total_ms": ms(total), "heap_mib": float64(after.HeapSys) / 1048576.0,
		"corrupted": 0,
	}
	if len(slots) == 0 {
		out["corrupted"] = 1
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
