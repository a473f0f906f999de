// The region layout generated code relies on for its inlined allocation
// fast path. See runtime/region/README.md for the exact instruction sequence.
//
// A region has one bump cursor per chunk kind. Generated code reads and
// writes only `cursor[kind].ptr` and reads `cursor[kind].limit`; everything
// after the cursors is private to the runtime.
//
//   kind 0 ATL_REGION_PLAIN   pointer-free chunks, never scanned by the GC
//   kind 1 ATL_REGION_TRACED  chunks scanned by the GC as roots (mutable data
//                             that may point at immutable GC-heap objects)
//
// Region memory is NOT zeroed; sizes are rounded up to 8 by the caller, and
// every returned address is 8-byte aligned.
#ifndef ATOLL_ABI_REGION_H
#define ATOLL_ABI_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/abi/atoll_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

enum atl_region_kind {
  ATL_REGION_PLAIN = 0,
  ATL_REGION_TRACED = 1,
};

typedef struct atl_region_cursor {
  char* ptr;    // next free byte of the current chunk (8-aligned)
  char* limit;  // end of the current chunk; ptr == limit == NULL before the first chunk
} atl_region_cursor;

typedef struct atl_region {
  atl_region_cursor cursor[2];  // indexed by atl_region_kind
} atl_region;

// Called by the fast path when the current chunk is full: allocates `bytes`
// (a multiple of 8) from a new chunk, or a chunk of its own when large.
void* atl_region_alloc_slow(atl_region* r, uint32_t kind, size_t bytes);

// The fast path, exactly as the compiler emits it: load ptr, add, compare
// with limit, store or call the slow path. `bytes` must be a non-zero
// multiple of 8 (every object has a header word, so this always holds).
static inline void* atl_region_alloc_inline(atl_region* r, uint32_t kind, size_t bytes) {
  atl_region_cursor* c = &r->cursor[kind];
  uintptr_t p = (uintptr_t)c->ptr;
  uintptr_t next = p + bytes;
  if (__builtin_expect(next > (uintptr_t)c->limit, 0)) return atl_region_alloc_slow(r, kind, bytes);
  c->ptr = (char*)next;
  return (void*)p;
}

#ifdef __cplusplus
}  // extern "C"
#endif

// Checked by C++ and C compilers alike (runtime/abi/region_abi_check.c).
ATL_ABI_ASSERT(sizeof(atl_region_cursor) == 16);
ATL_ABI_ASSERT(offsetof(atl_region_cursor, ptr) == 0);
ATL_ABI_ASSERT(offsetof(atl_region_cursor, limit) == 8);
ATL_ABI_ASSERT(offsetof(atl_region, cursor) == 0);
ATL_ABI_ASSERT(sizeof(atl_region) == 32);
ATL_ABI_ASSERT(ATL_REGION_PLAIN == 0 && ATL_REGION_TRACED == 1);

#endif  // ATOLL_ABI_REGION_H
