// GC pause statistics, gathered from Boehm's collection events.
//
// For every collection the collector's own clock readings give the
// world-stopped time (PRE_STOP_WORLD .. POST_START_WORLD, summed when a
// collection stops the world more than once), the mark time and the reclaim
// time. The event callback writes into preallocated buffers and never
// allocates. With ATOLL_GC_STATS=1 (text) or =json a summary is printed at
// exit (to stderr, or to the file named by ATOLL_GC_STATS_FILE).
#ifndef ATOLL_RUNTIME_GC_STATS_H
#define ATOLL_RUNTIME_GC_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// count, sum and order statistics of a series of durations (nanoseconds).
typedef struct atl_gc_series {
  uint64_t count;
  uint64_t total_ns;
  uint64_t p50_ns;
  uint64_t p99_ns;
  uint64_t max_ns;
} atl_gc_series;

typedef struct atl_gc_stats {
  uint64_t collections;      // GC_EVENT_START .. GC_EVENT_END pairs seen (stop-the-world
                             // collections; Boehm 8.2.2 emits no START/END for the
                             // increments of incremental mode, only world stops)
  uint64_t gc_no;            // collections completed (GC_get_gc_no) since the last reset
  atl_gc_series pause;       // each world stop, PRE_STOP_WORLD .. POST_START_WORLD
  atl_gc_series stopped;     // world-stopped time per collection
  atl_gc_series mark;        // mark time per collection
  atl_gc_series reclaim;     // reclaim time per collection
  atl_gc_series total;       // START .. END per collection
  uint64_t heap_bytes;       // GC_get_heap_size() now
  uint64_t dropped;          // records beyond the buffers (in count/total/max, not in percentiles)
  uint64_t huge_page_bytes;  // heap advised MADV_HUGEPAGE as it grew (gc.cpp, AdviseHugePages)
} atl_gc_stats;

// A consistent snapshot (taken under the collector's lock).
void atl_gc_get_stats(atl_gc_stats* out);

// The CLOCK_MONOTONIC reading (ns) that ATOLL_GC_TRACE's start_ms count
// from: when the collector was set up.
uint64_t atl_gc_clock_origin_ns(void);

// Forgets every record so far (benchmarks measure phases separately).
void atl_gc_reset_stats(void);

// Writes the summary, with region totals, to file descriptor fd as text
// (json == 0) or as one JSON object (json != 0).
void atl_gc_print_stats(int fd, int json);

// A layer above adds its own section to the summary: text lines, or JSON
// object members (`"name":{...}`, no surrounding braces or commas).
typedef void (*atl_stats_section)(int fd, int json);
void atl_gc_add_stats_section(atl_stats_section section);

// Prints the summary as ATOLL_GC_STATS and ATOLL_GC_STATS_FILE ask, and
// writes the per-collection trace ATOLL_GC_TRACE names (one JSON object per
// line: collection, start_ms, pause_ms, mark_ms, reclaim_ms, total_ms,
// heap_before, heap_after, free_after; then one per world stop split into
// phases, one per reclaim and one per full-collection start: see
// docs/environment.md), once per process (a later call, or
// the atexit handler, does nothing). Programs that end with _exit call it.
void atl_gc_print_stats_at_exit(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_GC_STATS_H
