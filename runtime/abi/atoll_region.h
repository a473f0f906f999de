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

// Card marking (docs/runtime-memory.md, "Region cards"). Every chunk
// starts at a multiple of ATL_REGION_CHUNK_ALIGN, and every object starts in
// the first ATL_REGION_CHUNK_ALIGN bytes of its chunk, so `object & ~(ALIGN-1)`
// is the chunk. The chunk's first word is its card bias: the card byte of
// address a is bias[a >> ATL_REGION_CARD_SHIFT]. A store of a value into a
// mutable object sets the card of the slot to 1 *after* the store (release),
// so the collector, which clears a card before it reads the card's slots,
// never misses a store (runtime/region/README.md).
enum {
  ATL_REGION_CHUNK_ALIGN = 64 * 1024,
  ATL_REGION_CARD_SHIFT = 9,  // a card covers 512 bytes (64 slots)
};

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

// The card mark of a store into `slot`, a field of the mutable object at
// `object`: exactly what generated code emits after a store of a value into
// a Ref or a MutableArray whose elements may be pointers.
static inline void atl_region_card_mark(const void* object, const void* slot) {
  uint8_t* bias = *(uint8_t* const*)((uintptr_t)object & ~(uintptr_t)(ATL_REGION_CHUNK_ALIGN - 1));
  __atomic_store_n(bias + ((uintptr_t)slot >> ATL_REGION_CARD_SHIFT), (uint8_t)1, __ATOMIC_RELEASE);
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
