// Mutable objects in regions (Ref, MutableArray) and the copies between
// them and immutable arrays (freeze, thaw).
//
// A Ref is a one-field object of kind ATL_KIND_REF; a MutableArray has
// kind ATL_KIND_MUTARRAY and `size` elements. Both live in a region; the
// caller picks the chunk kind: ATL_REGION_TRACED whenever an element may
// ever hold a pointer (boxed values), ATL_REGION_PLAIN only for element
// types that are never pointers (Int, Char, Bool). A MutableArray created
// with a Bool initial value (or thawed from a non-empty Array of Bools) is
// packed: one byte per element (ATL_MUTARRAY_BOOL_BYTES, atoll_abi.h).
#ifndef ATOLL_RUNTIME_VALUE_MUTABLE_H
#define ATOLL_RUNTIME_VALUE_MUTABLE_H

#include "runtime/abi/atoll_abi.h"
#include "runtime/abi/atoll_region.h"

#ifdef __cplusplus
extern "C" {
#endif

atl_value atl_ref_new(atl_region* r, uint32_t kind, atl_value init);

// n elements, each `init`. A negative n, or one that does not fit the
// header's 32-bit size, stops with a runtime error.
atl_value atl_mutarray_new(atl_region* r, uint32_t kind, int64_t n, atl_value init);

// Element i of a MutableArray of either layout, and its update (no bounds
// check: the caller checks; for runtime code and tests).
atl_value atl_mutarray_get(atl_value a, int64_t i);
void atl_mutarray_set(atl_value a, int64_t i, atl_value v);

// Element count of an Array or MutableArray.
int64_t atl_array_length(atl_value a);

// A new immutable Array (GC heap) with the elements of a MutableArray (or
// of an Array). Pointer-free contents go to pointer-free memory.
atl_value atl_freeze(atl_value mutarray);

// A new MutableArray in region r with the elements of an Array.
atl_value atl_thaw(atl_region* r, uint32_t kind, atl_value array);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_MUTABLE_H
