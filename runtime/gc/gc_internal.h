// Runtime-internal pieces of runtime/gc shared between its files.
#ifndef ATOLL_RUNTIME_GC_GC_INTERNAL_H
#define ATOLL_RUNTIME_GC_GC_INTERNAL_H

#include <cstdint>

namespace atl::gc {

enum class StatsFormat { kNone, kText, kJson };

// Start-up options, read once from the environment (docs/environment.md).
struct Options {
  bool incremental = false;  // ATOLL_GC=incremental or cards
  bool cards = false;        // ATOLL_GC=cards or manual: incremental, regions pushed by card
  bool manual = false;       // ATOLL_GC=manual: cards with Boehm's manual dirty bits
  bool verify = false;       // ATOLL_GC_VERIFY=1: check every finished mark phase (verify.cpp)
  // ATOLL_GC_TIME_LIMIT_US: Boehm's time limit of a world-stopped mark step
  // in incremental modes (GC_set_time_limit_tv); 0 keeps Boehm's (50 ms).
  long time_limit_us = -1;                 // -1: the mode's default (cards: 500 us)
  int markers = 0;                         // ATOLL_GC_MARKERS (0: Boehm's default)
  StatsFormat stats = StatsFormat::kNone;  // ATOLL_GC_STATS=1|text|json
  // ATOLL_GC_INITIAL_MB: the heap the collector starts with. Boehm's own
  // start (a few hundred KiB) makes a program that allocates much but keeps
  // little collect every ~100 KiB (building a 10^5-character string by `++`
  // ran 24,585 collections). 0 leaves Boehm's default (or GC_INITIAL_HEAP_SIZE).
  size_t initial_heap_mb = 16;
  // ATOLL_GC_HUGE_PAGES: MADV_HUGEPAGE on heap sections added by growth
  // (gc.cpp, AdviseHugePages); on by default in the stop-the-world mode only.
  bool huge_pages = true;
};

Options ReadOptions();

// Bytes of the heap advised MADV_HUGEPAGE so far (gc.cpp).
uint64_t HugePageBytes();

// Installs the collection-event callback and, when requested, the at-exit
// printer. Called once from atl_gc_init after GC_INIT.
void InstallPauseStatistics(const Options& opts);

// Per-stop phases (ATOLL_GC_TRACE "stop" lines). The push-other-roots hook
// reports when it ran, how long the region part took and what it pushed;
// the start callback reports the start of a full collection. Both run with
// the allocation lock held; neither allocates.
uint64_t NowNs();
void NoteRootsPushed(uint64_t enter_ns, uint64_t regions_done_ns, uint64_t exit_ns,
                     uint64_t region_bytes, bool whole);
void NoteFullCollectionStart();

// ATOLL_GC_VERIFY (verify.cpp): after every finished mark phase (world
// stopped, lock held), records every marked Atoll object that points to an
// unmarked heap object; the next full collection's mark end stops the
// program if such an object is still marked (reachable after its target was
// freed: a missed write barrier). VerifyMarks is called from the event
// callback, VerifyFullCollectionStart from the start callback (lock held),
// InstallVerifier once at start-up (the summary line at exit).
void VerifyMarks();
void VerifyFullCollectionStart();
void InstallVerifier();
// At exit (atl_gc_print_stats_at_exit, or atexit): settles pending suspects
// with one full collection and prints the counts. Once; nothing unless
// installed.
void VerifyAtExit();

}  // namespace atl::gc

#endif  // ATOLL_RUNTIME_GC_GC_INTERNAL_H
