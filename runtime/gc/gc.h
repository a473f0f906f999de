// The immutable heap: Boehm GC set-up and allocation entry points.
//
// Generated code and every runtime subsystem allocate immutable objects here.
// All functions are extern "C" so the compiler can call them by name.
#ifndef ATOLL_RUNTIME_GC_GC_H
#define ATOLL_RUNTIME_GC_GC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Initialises Boehm once (GC_INIT, thread registration allowed, markers and
// incremental mode from ATOLL_GC / ATOLL_GC_MARKERS, pause statistics).
// Idempotent and thread-safe; call it first from the main thread.
void atl_gc_init(void);

// atl_gc_init for a program's main (atl_rt_main): in the stop-the-world mode
// registering other threads is allowed only when the first one is about to
// start (atl_gc_allow_threads, or the scheduler's AllowGcThreads) or after
// the first collection, and Boehm starts its marker threads then: a program
// that never collects and never forks starts none (docs/runtime-memory.md,
// "Start-up"). Until then the process has this one thread.
void atl_gc_init_program(void);
// Allows other threads to register (and starts the marker threads) if
// atl_gc_init_program deferred it. Call it from a registered thread before
// starting another that will register. Idempotent.
void atl_gc_allow_threads(void);

// Allocates `bytes` on the GC heap. The memory is ZEROED and SCANNED for
// pointers: use it for objects holding atl_values. Never returns NULL (out
// of memory stops the program with a message).
void* atl_alloc(size_t bytes);

// Allocates `bytes` of pointer-free memory (strings, floats, byte buffers).
// The memory is NOT zeroed and never scanned: it must hold no pointer the
// program relies on to keep something alive. Never returns NULL.
void* atl_alloc_atomic(size_t bytes);

// ATOLL_GC=manual: Boehm's manual dirty bits (docs/runtime-memory.md,
// "Manual dirty bits"). The collector learns that a scanned heap object
// changed only from a call of atl_gc_dirty on it, so every writer of a
// scanned GC object calls atl_gc_written after its pointer stores: after the
// last one, before the next allocation, with the stored values still live.
// atl_gc_dirty_on is set once by atl_gc_init (before any other thread runs)
// and never changes; generated code tests it inline.
extern unsigned char atl_gc_dirty_on;
void atl_gc_dirty(const void* object);
static inline void atl_gc_written(const void* object) {
  if (__builtin_expect(atl_gc_dirty_on != 0, 0)) atl_gc_dirty(object);
}

// Registers / unregisters the calling thread with the collector. Threads
// created by the runtime (workers, blocking pool) call these; idempotent.
void atl_gc_register_thread(void);
void atl_gc_unregister_thread(void);

// Forces a full collection (tests, benchmarks).
void atl_gc_collect(void);

// ATOLL_GC=cards: how often the region roots were pushed, how often in full
// (every traced range) rather than by dirty card, and the bytes pushed.
// Read under no lock: for tests and benchmarks, after the work they measure.
typedef struct atl_gc_card_stats {
  unsigned long long pushes;
  unsigned long long pushes_all;
  unsigned long long pushed_bytes;
} atl_gc_card_stats;
void atl_gc_get_card_stats(atl_gc_card_stats* out);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_GC_GC_H
