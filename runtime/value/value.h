// Constructors and structural operations on immutable values.
//
// compare/equal/hash work on any immutable value (Int, Float, Char, Bool and
// other nullary constructors, String, tuples, records, ADTs, Array, List).
// Functions, Ref, MutableArray and MVar contents cannot be compared: doing so
// stops the program with a runtime error naming the kind.
#ifndef ATOLL_RUNTIME_VALUE_VALUE_H
#define ATOLL_RUNTIME_VALUE_VALUE_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// A boxed Float (pointer-free GC object).
atl_value atl_float_new(double d);
double atl_float_get(atl_value v);

// A record's Float fields are stored as raw doubles (atl_descriptor's
// raw_fields). atl_raw_fields(o): that mask for o's descriptor (0 for
// every object but such records); atl_con_field(o, i): field i as a
// uniform value, a raw double boxed.
uint64_t atl_raw_fields(const atl_object* o);
atl_value atl_con_field(const atl_object* o, uint32_t i);
double atl_raw_double(atl_value word);

// An immutable array of n elements on the GC heap, fields zeroed; the caller
// fills every element before the array is published.
atl_object* atl_array_alloc(uint32_t n);
// A constructor object (descriptor desc, n fields zeroed) on the GC heap.
atl_object* atl_con_alloc(uint32_t desc, uint32_t n);

// Pointer-free objects are never scanned by the collector (docs/runtime-
// memory.md): an immutable object whose fields hold no pointer into the GC
// heap is allocated atomic. atl_points_into_heap(v): v is a pointer that is
// not static data (immediates and the read-only static objects keep nothing
// alive).
int atl_points_into_heap(atl_value v);
// An immutable array holding values[0..n): atomic when none points into
// the heap.
atl_object* atl_array_of(const atl_value* values, uint32_t n);
// `bytes` for an immutable object that is filled right after: scanned when
// `pointers` is non-zero, atomic (not zeroed, never scanned) otherwise.
// Generated code calls it when a field's type does not say (runtime check).
void* atl_alloc_object(size_t bytes, uint64_t pointers);

// Total order: -1, 0 or 1. Constructors of one type order by declaration
// index, then fields left to right; strings by bytes (= code points); arrays
// and lists lexicographically; Floats numerically, NaN above everything and
// equal to itself (so sorting is well defined).
int atl_compare(atl_value a, atl_value b);
// The order of the operators < <= > >=: as atl_compare, except that a
// comparison decided by a NaN (IEEE: unordered) returns 2, for which all
// four operators are false.
int atl_compare_partial(atl_value a, atl_value b);

// Structural equality; agrees with atl_compare(a, b) == 0 except that a NaN
// is never equal to anything (IEEE ==). Returns 0 or 1.
int atl_equal(atl_value a, atl_value b);

// A hash consistent with atl_equal (0.0 and -0.0 hash alike).
uint64_t atl_hash(atl_value v);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_VALUE_H
