// Boehm set-up and the allocation entry points of runtime/gc/gc.h.
#include "runtime/gc/gc.h"

#include <gc/gc.h>
#include <gc/gc_inline.h>
#include <gc/gc_mark.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "runtime/gc/gc_internal.h"
#include "runtime/region/region.h"
#include "runtime/value/fail.h"
#include "runtime/value/show.h"

// Boehm's binary-compatibility interface (private/gc_alloc_ptrs.h in its
// source, exported by libgc but not installed): the global free lists of
// scanned objects, indexed by size in granules, and the counter of bytes
// allocated since the last collection, which decides when the next one
// starts. Both are used with the allocation lock held (RefillManual).
extern "C" {
extern void** const GC_objfreelist_ptr;
void GC_incr_bytes_allocd(size_t bytes);
// glibc's dynamic linker (a public symbol since 2.1): the stack pointer at
// _start, above which lie only argv, the environment and the aux vector.
// Weak: null where the C library has no such symbol.
extern void* __libc_stack_end __attribute__((weak));
}

namespace atl::gc {
namespace {

std::once_flag init_once;
// atl_gc_init_program asked to defer GC_allow_register_threads, and it has
// not run yet (see InitOnce and MaybeAllowThreads).
bool defer_threads_requested = false;
std::atomic<bool> threads_deferred{false};
constexpr size_t kCachedMax = 64;  // bytes: atl_alloc below this uses CachedAlloc
GC_push_other_roots_proc previous_push_other_roots = nullptr;
GC_on_collection_event_proc previous_event = nullptr;
bool cards_mode = false;
bool verify_mode = false;
bool incremental_mode = false;

// ATOLL_GC=cards (docs/runtime-memory.md, "Region cards"). Boehm calls the
// push-other-roots hook from GC_push_roots(all, ...) without saying `all`;
// the hook must push every traced range whenever ranges pushed before may
// not have been marked from. It pushes only dirty cards exactly when both
//  - no full collection started since the last push (a start clears every
//    mark bit: GC_notify_full_gc runs the start callback just before), and
//  - this is the first push of the current world stop: a second push in one
//    stop, or a push with the world running, is Boehm's recovery from a
//    mark stack overflow (GC_push_roots(TRUE) after entries were dropped,
//    possibly ours) or the end of a full collection's first push that ran
//    out of time. The first push of a stop comes after an empty mark stack
//    (the final step of a cycle, or the first of a partial one), so every
//    range pushed earlier has been marked from.
// All state is changed under the allocation lock.
bool full_pending = true;
bool world_stopped = false;
int pushes_this_stop = 0;
uint64_t card_pushes = 0;
uint64_t card_pushes_all = 0;
uint64_t card_pushed_bytes = 0;

void GC_CALLBACK FullCollectionStarting() {
  full_pending = true;
  if (verify_mode) VerifyFullCollectionStart();
  NoteFullCollectionStart();
}

// ATOLL_GC=manual: Boehm keeps one dirty bit per 4 KiB heap block and clears
// them all when a mark phase starts (GC_read_dirty, in GC_initiate_gc, right
// after the MARK_START event, world stopped). GC_end_stubborn_change sets
// the bit with a locked OR, which also waits for the thread's pending
// stores; after every allocation that was a third of an allocation-bound
// program's time. A thread remembers the block it declared last and the
// mark start it saw before doing so, and skips the call for the same block
// while no mark phase has started since. Sound because the epoch is read
// before the bit is set: if a mark start comes between the last call and
// this one, the thread sees the new epoch (it was stopped for it); if it
// comes after this read, that mark start's GC_read_dirty still finds the
// block's bit set, and the stores made before this call are done by then.
std::atomic<uint64_t> mark_starts{0};
thread_local uintptr_t last_dirty_block = 0;
thread_local uint64_t last_dirty_epoch = ~uint64_t{0};

// Incremental modes: when the next collection starts. Boehm starts one when
// the bytes allocated since the last reach min_bytes_allocd (a third of
// twice the live pointerful data, halved again in incremental mode), and it
// checks at every block an allocation takes (GC_allocobj, when a time limit
// is set); stop-the-world Boehm checks only when the heap is full. Binary
// trees (8 MiB live in a 44 MiB heap) collected every 2.9 MiB in manual
// mode, 318 collections against stw's 54. The floor below, set after every
// collection, lets the program allocate half of the heap's free blocks
// first: 81 collections, the heap no larger (docs/runtime-memory.md,
// "Collection pacing"). Half, not all: allocation goes on during the
// incremental mark, and with the whole free space as budget the heap grew
// to 172 MiB.
constexpr size_t kFreeBudgetDivisor = 2;

void SetAllocationBudget() {
  GC_prof_stats_s s;
  GC_get_prof_stats_unsafe(&s, sizeof s);  // the allocation lock is held
  const size_t budget = s.free_bytes_full / kFreeBudgetDivisor;
  GC_set_min_bytes_allocd(budget > 0 ? budget : 1);
}

void GC_CALLBACK OnCollectionEvent(GC_EventType e) {
  if (e == GC_EVENT_MARK_START) mark_starts.fetch_add(1, std::memory_order_relaxed);
  if (e == GC_EVENT_RECLAIM_END && incremental_mode) SetAllocationBudget();
  if (verify_mode && e == GC_EVENT_MARK_END) VerifyMarks();
  if (e == GC_EVENT_PRE_STOP_WORLD) {
    world_stopped = true;
    pushes_this_stop = 0;
  } else if (e == GC_EVENT_POST_START_WORLD) {
    world_stopped = false;
  }
  if (previous_event != nullptr) previous_event(e);
}

// Returns the bytes pushed; *whole says whether every range was.
uint64_t PushRegionsByCard(bool* whole) {
  const bool all = full_pending || !world_stopped || pushes_this_stop > 0;
  full_pending = false;
  ++pushes_this_stop;
  atl_region_push_report report;
  atl_region_push_roots_by_card(all ? 1 : 0, &report);
  ++card_pushes;
  if (all) ++card_pushes_all;
  card_pushed_bytes += report.pushed_bytes;
  *whole = all;
  return report.pushed_bytes;
}

// Traced region chunks are roots; a hook installed before ours still runs,
// but only with the world stopped in the incremental modes. The hook before
// ours is Boehm's own, which pushes every thread's stack from the stack
// pointer saved at the thread's last stop (or at its GC_do_blocking) to the
// stack bottom it has now. A scheduler moves that bottom at every fiber
// switch (GC_set_stackbottom, runtime/sched/fiber.cpp), so with the world
// running the two ends can lie in different stacks: the range ran from a ws
// worker's native stack up into the fiber stack pool and the marker faulted
// on a stack guard (docs/runtime-memory.md, "Manual dirty bits"). Boehm
// pushes roots with the world running when a time-limited stop ended before
// the roots were pushed; such a push only gets ahead of the final step,
// which is always a complete world-stopped mark from every root.
// The clock readings split a world stop into phases (stats.cpp).
void GC_CALLBACK PushOtherRoots() {
  const uint64_t enter = NowNs();
  bool whole = true;
  uint64_t bytes = 0;
  if (cards_mode) {
    bytes = PushRegionsByCard(&whole);
  } else {
    atl_region_push_report report;
    atl_region_push_roots_report(&report);
    bytes = report.pushed_bytes;
  }
  const uint64_t regions_done = NowNs();
  if (previous_push_other_roots != nullptr && (world_stopped || !incremental_mode)) {
    previous_push_other_roots();
  }
  NoteRootsPushed(enter, regions_done, NowNs(), bytes, whole);
}

// Huge pages for a heap that grows (docs/runtime-memory.md, "Huge pages").
// A program that keeps much alive (a list of 10^6 words, a large tree)
// grows the heap by sections (Boehm maps at most 8 MiB at a time) that it
// then writes for the first time, and the kernel maps each 4 KiB page on
// its first write: on this project's 2-core VM a fault cost about 5 us,
// 16% of the word count's CPU time (17,500 faults). Boehm does not say
// where a new section lies, so after every growth the span between its
// plausible heap bounds is walked block by block: a block that is in the
// heap (GC_is_heap_ptr) but not in an object (GC_base is null) starts a
// free run of GC_size bytes (a new section is one such run). Every 2 MiB-
// aligned piece inside a free run with no page resident yet (mincore) is
// advised MADV_HUGEPAGE, and the kernel then maps it with one 2 MiB page
// on its first write (where transparent huge pages are `madvise` or
// `always`; elsewhere the advice is ignored). A piece already touched is
// left alone (the kernel's khugepaged would otherwise fill in its missing
// pages). The initial heap's first 4 MiB are left to 4 KiB pages (hello
// touches a few of them; AdviseInitialHeap). Runs with the allocation lock
// held; GC_is_heap_ptr, GC_base and GC_size take no lock.
constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
constexpr uintptr_t kHeapBlock = 4096;                  // Boehm's HBLKSIZE
constexpr uintptr_t kHugeSpanMax = uintptr_t{4} << 30;  // at most 1 Mi probes per growth
std::atomic<uint64_t> advised_bytes{0};                 // written with the lock held, read by stats

void AdviseFreeRun(uintptr_t begin, uintptr_t end, bool count = true) {
  for (uintptr_t piece = (begin + kHugePage - 1) & ~(kHugePage - 1); piece + kHugePage <= end;
       piece += kHugePage) {
    unsigned char resident[kHugePage / kHeapBlock];
    if (mincore(reinterpret_cast<void*>(piece), kHugePage, resident) != 0) continue;
    bool touched = false;
    for (const unsigned char r : resident) touched = touched || (r & 1) != 0;
    if (!touched && madvise(reinterpret_cast<void*>(piece), kHugePage, MADV_HUGEPAGE) == 0 &&
        count) {
      advised_bytes.fetch_add(kHugePage, std::memory_order_relaxed);
    }
  }
}

// Walks the heap's free runs (above), skipping the first `skip` bytes of
// each (Boehm allocates from a free run's low end).
void AdviseFreeRuns(uintptr_t skip) {
  const auto lo = reinterpret_cast<uintptr_t>(GC_least_plausible_heap_addr) & ~(kHeapBlock - 1);
  const auto hi = reinterpret_cast<uintptr_t>(GC_greatest_plausible_heap_addr);
  if (hi <= lo || hi - lo > kHugeSpanMax) return;
  for (uintptr_t block = lo; block < hi;) {
    void* p = reinterpret_cast<void*>(block);
    if (GC_is_heap_ptr(p) != 0 && GC_base(p) == nullptr) {
      // A free run's first block has its own header (GC_size is its length).
      const uintptr_t bytes = (GC_size(p) + kHeapBlock - 1) & ~(kHeapBlock - 1);
      if (bytes > skip) AdviseFreeRun(block + skip, block + bytes);
      block += bytes > 0 ? bytes : kHeapBlock;
    } else {
      block += kHeapBlock;
    }
  }
}

void GC_CALLBACK AdviseHugePages(GC_word /*new_heap_size*/) { AdviseFreeRuns(0); }

// A pointer-free object of 2 MiB or more (a file read into a String, a
// large Bytes) is written right after its allocation, by its maker; Boehm
// leaves it untouched (it clears only scanned objects). The pieces inside
// it that no free-run advice reached are advised too, if still untouched
// (mincore): the initial heap's first 4 MiB (kSmallHeap below), where
// bench/codegen/wordfreq's 8 MB text took 1,024 faults of 4 KiB pages,
// about a fifth of the run's (medians of 4 runs: 5,500, then 4,700). No lock:
// mincore and madvise only. Not counted in
// advised_bytes: an untouched piece may have been advised before (a fresh
// section's), and the figure would count it twice.
bool huge_pages_on = false;
void AdviseLargeObject(void* p, size_t bytes) {
  const auto begin = reinterpret_cast<uintptr_t>(p);
  AdviseFreeRun(begin, begin + bytes, /*count=*/false);
}

// The initial heap past its first kSmallHeap bytes: a program that prints
// a line allocates a few KiB, from the low end, and stays on 4 KiB pages;
// one that reads an 8 MB file or builds a long list reaches the huge pages
// before the heap grows at all.
constexpr uintptr_t kSmallHeap = uintptr_t{4} << 20;
void* AdviseInitialHeap(void* /*unused*/) {
  AdviseFreeRuns(kSmallHeap);
  return nullptr;
}

// A runtime error like any other (output flushed, the location of the
// runtime call in progress when generated code set one), not an abort.
[[noreturn]] void OutOfMemory(size_t bytes) {
  atl_runtime_error(atl_rt_where, "out of memory (requested %zu bytes)", bytes);
}

// The cold end of the main thread's stack for Boehm, before GC_INIT, when
// a program's main calls from the process's first thread: glibc's
// __libc_stack_end, the value Boehm itself uses where it is built without
// threads. Otherwise GC_init asks pthread_getattr_np, which for the main
// thread reads and parses /proc/self/maps (and the thread's CPU affinity):
// about 0.2 ms and 10 page faults of a one-line program's 4 ms. Words above
// __libc_stack_end (argv, environment, aux vector) hold no heap pointers.
// Left to Boehm when the value is missing or does not enclose this frame
// (another thread, another stack).
void SetMainStackBottom() {
  if (&__libc_stack_end == nullptr || __libc_stack_end == nullptr) return;
  if (gettid() != getpid()) return;
  const auto bottom = reinterpret_cast<uintptr_t>(__libc_stack_end);
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (here >= bottom || bottom - here > (uintptr_t{1} << 20)) return;
  GC_stack_base sb{};
  sb.mem_base = __libc_stack_end;
  GC_set_stackbottom(nullptr, &sb);
}

// GC_init counts the processors (for its marker threads and whether its
// lock spins) from /proc/stat, which the kernel renders whole, with a line
// of counts per interrupt, for each reader: about 0.1 ms. GC_NPROCS, read
// by GC_init only, skips that; glibc's get_nprocs gives the same count of
// online processors from /sys/devices/system/cpu/online (also what the ws
// scheduler reads for its worker count). Returns whether it set the
// variable, for the caller to remove it after GC_INIT so that the program's
// children do not inherit it. A user's own GC_NPROCS is left alone.
bool PassProcessorCount() {
  if (std::getenv("GC_NPROCS") != nullptr) return false;
  const int n = get_nprocs();
  if (n <= 0) return false;
  return setenv("GC_NPROCS", std::to_string(n).c_str(), /*overwrite=*/0) == 0;
}

void InitOnce() {
  const Options opts = ReadOptions();
  if (opts.markers > 0) GC_set_markers_count(static_cast<unsigned>(opts.markers));
  if (opts.incremental) {
    // Boehm returns a free block to the system after it stayed free through
    // GC_UNMAP_THRESHOLD collections (6), read from the environment only,
    // at GC_INIT. The incremental modes collect more often than stw (81
    // collections against 54 on binary trees, with the budget above), so
    // blocks were unmapped between two uses and faulted back in, zeroed by
    // the kernel: about 5% of binary trees' CPU under manual. Off unless
    // the user set it (docs/runtime-memory.md, "Collection pacing").
    setenv("GC_UNMAP_THRESHOLD", "0", /*overwrite=*/0);
  }
  // No collection inside GC_init: nothing is allocated before it (this is
  // the first call into Boehm, from atl_rt_main), so it would only mark
  // from the roots to set up the black list; 0.8 ms and 40 page faults of
  // a 9 ms start-up. The trade-off is in README.md ("Start-up").
  GC_set_dont_precollect(1);
  GC_INIT();
  if (opts.initial_heap_mb > 0 && std::getenv("GC_INITIAL_HEAP_SIZE") == nullptr) {
    const size_t want = opts.initial_heap_mb << 20;
    if (GC_get_heap_size() < want) GC_expand_hp(want - GC_get_heap_size());
  }
  if (opts.huge_pages) {
    huge_pages_on = true;
    GC_call_with_alloc_lock(AdviseInitialHeap, nullptr);
    GC_set_on_heap_resize(AdviseHugePages);
  }
  // GC_allow_register_threads starts Boehm's marker threads (one per core
  // but this one): 0.4 ms and a thread of a one-line program's start-up.
  // Deferred for a program's main in the stop-the-world mode until another
  // thread is about to start or a collection has run (MaybeAllowThreads);
  // the incremental modes keep the order they were tested with.
  if (defer_threads_requested && !opts.incremental) {
    threads_deferred.store(true, std::memory_order_release);
  } else {
    GC_allow_register_threads();
  }
  previous_push_other_roots = GC_get_push_other_roots();
  GC_set_push_other_roots(PushOtherRoots);
  InstallPauseStatistics(opts);
  GC_set_start_callback(FullCollectionStarting);
  if (opts.cards || opts.verify || opts.incremental) {
    // After the statistics: ours runs first and then theirs (chained).
    cards_mode = opts.cards;
    verify_mode = opts.verify;
    incremental_mode = opts.incremental;
    if (verify_mode) InstallVerifier();
    previous_event = GC_get_on_collection_event();
    GC_set_on_collection_event(OnCollectionEvent);
  }
  if (opts.incremental) {
    const long us = opts.time_limit_us >= 0 ? opts.time_limit_us : (opts.cards ? 500 : 0);
    if (us > 0) {
      GC_timeval_s tv;
      tv.tv_ms = static_cast<unsigned long>(us / 1000);
      tv.tv_nsec = static_cast<unsigned long>(us % 1000) * 1000;
      GC_set_time_limit_tv(tv);
    }
    if (opts.manual) {
      // Before GC_enable_incremental, which picks the dirty-bit source.
      GC_set_manual_vdb_allowed(1);
      atl_gc_dirty_on = 1;
    }
    GC_enable_incremental();
  }
}

}  // namespace

uint64_t HugePageBytes() { return advised_bytes.load(std::memory_order_relaxed); }

Options ReadOptions() {
  Options opts;
  if (const char* mode = std::getenv("ATOLL_GC")) {
    if (std::strcmp(mode, "incremental") == 0) {
      opts.incremental = true;
    } else if (std::strcmp(mode, "cards") == 0) {
      opts.incremental = true;
      opts.cards = true;
    } else if (std::strcmp(mode, "manual") == 0) {
      opts.incremental = true;
      opts.cards = true;
      opts.manual = true;
    } else if (std::strcmp(mode, "stw") != 0 && mode[0] != '\0') {
      std::fprintf(stderr,
                   "atoll: ATOLL_GC=%s not understood (stw|incremental|cards|manual); using stw\n",
                   mode);
    }
  }
  if (const char* us = std::getenv("ATOLL_GC_TIME_LIMIT_US")) {
    char* end = nullptr;
    const long v = std::strtol(us, &end, 10);
    if (end != us && *end == '\0' && v >= 0 && v <= 10000000) {
      opts.time_limit_us = v;
    } else {
      std::fprintf(stderr,
                   "atoll: ATOLL_GC_TIME_LIMIT_US=%s is not a time in microseconds (0..10000000); "
                   "using the mode's default\n",
                   us);
    }
  }
  if (const char* verify = std::getenv("ATOLL_GC_VERIFY")) {
    if (std::strcmp(verify, "1") == 0) {
      opts.verify = true;
    } else if (std::strcmp(verify, "0") != 0 && verify[0] != '\0') {
      std::fprintf(stderr, "atoll: ATOLL_GC_VERIFY=%s not understood (0|1); not verifying\n",
                   verify);
    }
  }
  if (const char* markers = std::getenv("ATOLL_GC_MARKERS")) {
    opts.markers = std::atoi(markers);
  }
  if (const char* mb = std::getenv("ATOLL_GC_INITIAL_MB")) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(mb, &end, 10);
    if (end != mb && *end == '\0' && v <= (1ul << 20)) {
      opts.initial_heap_mb = v;
    } else {
      std::fprintf(stderr, "atoll: ATOLL_GC_INITIAL_MB=%s is not a size in MiB; using %zu\n", mb,
                   opts.initial_heap_mb);
    }
  }
  // Off by default in the incremental modes, which a program picks for
  // short pauses: each growth's advice walks every block of the heap with
  // the allocation lock held, and the gc-latency workload's slowest pushes
  // (a 100,000-slot window, 150 MiB heap) took 4 ms of that instead of 2.4
  // (docs/runtime-memory.md, "Huge pages").
  opts.huge_pages = !opts.incremental;
  if (const char* huge = std::getenv("ATOLL_GC_HUGE_PAGES")) {
    opts.huge_pages = std::strcmp(huge, "0") != 0;
  }
  if (const char* stats = std::getenv("ATOLL_GC_STATS")) {
    if (std::strcmp(stats, "json") == 0) {
      opts.stats = StatsFormat::kJson;
    } else if (std::strcmp(stats, "1") == 0 || std::strcmp(stats, "text") == 0) {
      opts.stats = StatsFormat::kText;
    }
  }
  return opts;
}

// A free list in ascending address order: Boehm links a fresh block's
// objects from the top down, so a descending list is reversed.
auto Ascending(void* list) -> void* {
  if (list == nullptr || GC_NEXT(list) == nullptr || GC_NEXT(list) > list) return list;
  void* ascending = nullptr;
  while (list != nullptr) {
    void* next = GC_NEXT(list);
    GC_NEXT(list) = ascending;
    ascending = list;
    list = next;
  }
  return ascending;
}

// ATOLL_GC=manual: Ascending and the dirty bits of a batch in one pass
// over it (each pass follows the links, one dependent load per object).
// Every block of the batch is declared dirty, relinked or not: GC_free
// links a freed object into the global list while it may still be marked,
// and a marked object is not scanned again unless it is dirty. A block is
// declared when the walk leaves it, after the stores into its objects (the
// objects of a block come one after another; if not, the block is declared
// once per run, each time after that run's stores).
auto AscendingDirty(void* list) -> void* {
  const bool reverse = list != nullptr && GC_NEXT(list) != nullptr && GC_NEXT(list) < list;
  void* ascending = nullptr;
  void* in_block = nullptr;  // the last object seen, in block `block`
  uintptr_t block = 0;
  for (void* q = list; q != nullptr;) {
    void* next = GC_NEXT(q);
    const uintptr_t b = reinterpret_cast<uintptr_t>(q) >> 12;  // Boehm's HBLKSIZE
    if (b != block && in_block != nullptr) atl_gc_dirty(in_block);
    block = b;
    in_block = q;
    if (reverse) {
      GC_NEXT(q) = ascending;
      ascending = q;
    }
    q = next;
  }
  if (in_block != nullptr) atl_gc_dirty(in_block);
  return reverse ? ascending : list;
}

// Small scanned objects (cons cells, closures, tuples: most of what a
// program allocates) come from per-thread lists of GC_malloc_many, handed
// out in ascending address order. Boehm links a fresh block's objects from
// its top down while it takes blocks going up, so consecutive GC_MALLOCs
// run down each 4 KiB block and then jump up to the next one, and a list
// built by consing is walked in a sawtooth the hardware prefetcher does
// not follow. bench/codegen's fold over 10^6 cons cells: C with GC_MALLOC
// 0.43 s of CPU, the same with this order 0.20 s, C with malloc 0.15 s.
// The lists hang off an uncollectable (scanned) per-thread block, so the
// collector sees the objects as live until they are handed out; the
// objects are cleared but for the link word, cleared here.
// After the first collection the marker threads start, so the next ones
// mark in parallel (slow paths only: a refill, a large object).
inline void MaybeAllowThreads() {
  if (threads_deferred.load(std::memory_order_relaxed) && GC_get_gc_no() > 0) {
    atl_gc_allow_threads();
  }
}

void* Refill(void** slot, size_t bytes) {
  MaybeAllowThreads();
  void* list = GC_malloc_many(bytes);
  if (list == nullptr) OutOfMemory(bytes);
  list = Ascending(list);
  *slot = list;
  return list;
}

struct AllocCache {
  void* lists[kCachedMax / 8 + 1];  // by size in words
};
thread_local AllocCache* alloc_cache = nullptr;

// ATOLL_GC=manual. Boehm 8.2.2's GC_generic_malloc_many returns a single
// object when manual dirty bits are on (it would have to declare every
// linked object dirty; mallocx.c leaves that as a TODO), and its own
// thread-local free lists refill through it, so every allocation of
// GC_malloc_many or GC_MALLOC takes the allocation lock: binary trees took
// twice stw's time. Here a refill does what GC_generic_malloc_many does
// for the other modes, from our side: GC_malloc_kind_global returns one
// object and, when the global free list of that size was empty, refills it
// from a swept or a new block (and does the allocating thread's share of
// incremental marking); then, under the allocation lock, a prefix of up to
// a block's worth is cut off the global list and counted as allocated.
// A descending prefix is reversed into ascending order and, as the
// manual-dirty-bit rule asks of every pointer store into a heap object,
// every block of the batch is declared dirty in the same pass
// (AscendingDirty), then the cache block holding the list, with the list
// still held in a local (atl_gc_dirty costs one locked OR per 4 KiB
// block). Returns the single
// object, already unlinked; the rest goes to *slot.
void* RefillManual(AllocCache* cache, void** slot, size_t bytes) {
  void* one = GC_malloc_kind_global(bytes, GC_I_NORMAL);
  if (one == nullptr) OutOfMemory(bytes);
  const size_t size = GC_size(one);
  constexpr size_t kBatchBytes = 4096;  // Boehm's own prefix: one block (HBLKSIZE)
  void* list = nullptr;
  GC_alloc_lock();
  void** head = &GC_objfreelist_ptr[size / GC_GRANULE_BYTES];
  if (*head != nullptr) {
    list = *head;
    void* last = list;
    size_t taken = size;
    while (GC_NEXT(last) != nullptr && taken + size <= kBatchBytes) {
      last = GC_NEXT(last);
      taken += size;
    }
    *head = GC_NEXT(last);
    GC_NEXT(last) = nullptr;  // removing a pointer needs no dirty bit
    GC_incr_bytes_allocd(taken);
  }
  GC_alloc_unlock();
  list = AscendingDirty(list);
  *slot = list;
  atl_gc_dirty(cache);
  // Keep the list in a register or on the stack until the dirty bit is set.
  __asm__ __volatile__("" : : "r"(list) : "memory");
  return one;
}

void* CachedAlloc(size_t bytes) {
  bytes = (bytes + 7) & ~size_t{7};
  AllocCache* c = alloc_cache;
  if (c == nullptr) {
    c = static_cast<AllocCache*>(GC_MALLOC_UNCOLLECTABLE(sizeof(AllocCache)));
    if (c == nullptr) OutOfMemory(sizeof(AllocCache));
    alloc_cache = c;
  }
  void** slot = &c->lists[bytes / 8];
  void* p = *slot;
  if (p == nullptr) {
    if (atl_gc_dirty_on != 0) return RefillManual(c, slot, bytes);
    p = Refill(slot, bytes);
  }
  *slot = GC_NEXT(p);
  GC_NEXT(p) = nullptr;
  return p;
}

}  // namespace atl::gc

extern "C" {

unsigned char atl_gc_dirty_on = 0;

void atl_gc_dirty(const void* object) {
  const uintptr_t block = reinterpret_cast<uintptr_t>(object) >> 12;  // Boehm's HBLKSIZE
  const uint64_t epoch = atl::gc::mark_starts.load(std::memory_order_relaxed);
  if (block == atl::gc::last_dirty_block && epoch == atl::gc::last_dirty_epoch) return;
  GC_end_stubborn_change(object);
  atl::gc::last_dirty_block = block;
  atl::gc::last_dirty_epoch = epoch;
}

void atl_gc_init(void) { std::call_once(atl::gc::init_once, atl::gc::InitOnce); }

void atl_gc_init_program(void) {
  std::call_once(atl::gc::init_once, [] {
    atl::gc::defer_threads_requested = true;
    // Both before GC_INIT; the process has one thread, so the environment
    // may change.
    atl::gc::SetMainStackBottom();
    const bool set_nprocs = atl::gc::PassProcessorCount();
    atl::gc::InitOnce();
    if (set_nprocs) unsetenv("GC_NPROCS");
  });
}

void atl_gc_allow_threads(void) {
  if (atl::gc::threads_deferred.exchange(false, std::memory_order_acq_rel)) {
    GC_allow_register_threads();
  }
}

void* atl_alloc(size_t bytes) {
  if (bytes <= atl::gc::kCachedMax) return atl::gc::CachedAlloc(bytes);
  atl::gc::MaybeAllowThreads();
  void* p = GC_MALLOC(bytes);
  if (p == nullptr) atl::gc::OutOfMemory(bytes);
  return p;
}

void* atl_alloc_atomic(size_t bytes) {
  void* p = GC_MALLOC_ATOMIC(bytes);
  if (p == nullptr) atl::gc::OutOfMemory(bytes);
  if (bytes >= atl::gc::kHugePage && atl::gc::huge_pages_on) atl::gc::AdviseLargeObject(p, bytes);
  return p;
}

void atl_gc_register_thread(void) {
  if (GC_thread_is_registered()) return;
  GC_stack_base base;
  if (GC_get_stack_base(&base) != GC_SUCCESS) {
    std::fprintf(stderr, "atoll: cannot find the stack of a thread to register with the GC\n");
    std::abort();
  }
  GC_register_my_thread(&base);
}

void atl_gc_unregister_thread(void) {
  if (atl::gc::alloc_cache != nullptr) {  // the objects it holds become garbage
    GC_FREE(atl::gc::alloc_cache);
    atl::gc::alloc_cache = nullptr;
  }
  if (GC_thread_is_registered()) GC_unregister_my_thread();
}

void atl_gc_collect(void) { GC_gcollect(); }

void atl_gc_get_card_stats(atl_gc_card_stats* out) {
  out->pushes = atl::gc::card_pushes;
  out->pushes_all = atl::gc::card_pushes_all;
  out->pushed_bytes = atl::gc::card_pushed_bytes;
}

}  // extern "C"
