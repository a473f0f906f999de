// Regions: bump-pointer arenas for mutable data, freed all at once.
//
// Each thread has a stack of open regions (atl_region_open pushes, close
// pops). Allocation is atl_region_alloc_inline from runtime/abi/atoll_region.h
// (inlined by the compiler) or atl_region_alloc below. Chunks are recycled
// through a per-thread pool; objects larger than ATL_REGION_LARGE_OBJECT get
// a chunk of their own. Traced chunks are pushed to the GC as roots.
#ifndef ATOLL_RUNTIME_REGION_REGION_H
#define ATOLL_RUNTIME_REGION_REGION_H

#include "runtime/abi/atoll_region.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  ATL_REGION_CHUNK_BYTES = 64 * 1024,   // standard chunk, header included
  ATL_REGION_LARGE_OBJECT = 16 * 1024,  // larger allocations get their own chunk
};

// Opens a region as a child of this thread's innermost open region and
// makes it the innermost one. `site` names where it was opened (e.g.
// "main.atl:12"; a string with static lifetime, or NULL) for diagnostics.
atl_region* atl_region_open(const char* site);

// Opens a region like atl_region_open whose *logical* parent is `parent`:
// the region the runIO that opens it runs in (it may be an ancestor of the
// innermost one when a parent action runs inside a child under a
// discipline with a covariant Effect token, compiler/check/discipline.h).
atl_region* atl_region_open_in(const char* site, atl_region* parent);

// The logical ancestor `levels` runIO levels above r (r itself for 0).
atl_region* atl_region_ancestor(atl_region* r, uint32_t levels);

// Frees every object of r at once. r should be this thread's innermost open
// region; its chunks go back to the thread's pool (or, with
// ATOLL_REGION_CHECK=1, are protected and never reused).
void atl_region_close(atl_region* r);

// This thread's innermost open region (NULL when none).
atl_region* atl_region_current(void);
atl_region* atl_region_set_current(atl_region* r);  // returns the previous one

// Where "this thread's innermost region" is kept. By default per OS thread;
// a runtime whose threads are fibers that move between OS threads installs
// a hook returning the running thread's slot (or NULL on a thread it does
// not run, which then uses the per-OS-thread slot).
typedef atl_region** (*atl_region_slot_fn)(void);
void atl_region_set_slot_hook(atl_region_slot_fn hook);

// Out-of-line allocation (same contract as the inline fast path; any size,
// rounded up to 8).
void* atl_region_alloc(atl_region* r, uint32_t kind, size_t bytes);

// atl_region_alloc of zero-filled memory. A large object that got a fresh
// mapping (2 MiB or more, runtime/region/chunk.cpp) is not written: the
// kernel's pages are zero, and stay unfaulted until the program uses them.
void* atl_region_alloc_zeroed(atl_region* r, uint32_t kind, size_t bytes);

// Pushes every traced chunk of every open region (all threads) onto the GC
// mark stack. atl_gc_init installs a GC_set_push_other_roots hook that calls
// it and then any hook installed before; a scheduler replacing the hook must
// call this function (or the hook it replaced) from its own.
void atl_region_push_roots(void);

// The same roots for ATOLL_GC=cards: every traced range when `all` (and
// their cards cleared), else only the cards set since they were last
// cleared (each cleared before it is pushed). The caller (runtime/gc)
// decides `all`. `report`, when not NULL, receives the bytes of traced
// chunks in use and the bytes pushed.
typedef struct atl_region_push_report {
  size_t traced_bytes;
  size_t pushed_bytes;
} atl_region_push_report;
void atl_region_push_roots_by_card(int all, atl_region_push_report* report);
// atl_region_push_roots, reporting the bytes pushed (report may be NULL).
void atl_region_push_roots_report(atl_region_push_report* report);

typedef struct atl_region_stats {
  uint64_t bytes_allocated;  // bytes handed out (rounded to 8)
  uint64_t bytes_reserved;   // chunk memory held, headers included
  uint64_t chunks;           // chunks held, large ones included
  uint64_t large_objects;
} atl_region_stats;

void atl_region_get_stats(const atl_region* r, atl_region_stats* out);

typedef struct atl_region_totals {
  uint64_t regions_opened;
  uint64_t regions_closed;
  uint64_t bytes_allocated;      // over closed regions
  uint64_t bytes_reserved;       // chunk memory held by open regions now
  uint64_t peak_bytes_reserved;  // maximum of bytes_reserved so far
  uint64_t chunks_acquired;      // standard chunks handed to regions
  uint64_t chunks_reused;        // ... of which came from a thread's pool
  uint64_t large_objects;
  uint64_t huge_page_objects;  // ... of which got a mapping advised MADV_HUGEPAGE (chunk.cpp)
  uint64_t chunks_protected;   // freed chunks kept PROT_NONE (check mode)
  uint64_t chunks_retired;     // freed traced chunks waiting for the collection under way to end
                               // (incremental modes; runtime/region/chunk.cpp)
  // Only while ATOLL_GC_STATS is set (counted at each close):
  uint64_t peak_live_bytes;  // most bytes allocated in one thread's open regions at once
  uint64_t root_bytes;       // bytes allocated in thread root regions (main's, each thread's),
                             // which hold them until the thread ends
} atl_region_totals;

void atl_region_get_totals(atl_region_totals* out);

// True when ATOLL_REGION_CHECK=1 (freed chunks are protected, never reused).
int atl_region_check_enabled(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_REGION_REGION_H
