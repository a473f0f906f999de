// Pointer-free immutable objects are allocated atomic (never scanned by the
// collector): arrays of Ints from arrayReplicate, arrayFromList and freeze,
// deep copies of them, and objects built with atl_alloc_object; arrays that
// hold heap pointers stay scanned. Checked with the collector's own record
// of each object's kind.
#include <doctest/doctest.h>
#include <gc/gc.h>
#include <gc/gc_mark.h>

#include "runtime/gc/gc.h"
#include "runtime/mvar/copy.h"
#include "runtime/region/region.h"
#include "runtime/rt/prims.h"
#include "runtime/value/mutable.h"
#include "runtime/value/string.h"
#include "runtime/value/value.h"

namespace {

bool Atomic(atl_value v) {
  size_t size = 0;
  return GC_get_kind_and_size(atl_ptr(v), &size) == 0 /* GC_I_PTRFREE */;
}

atl_value ListOf(std::initializer_list<atl_value> xs) {
  atl_value list = atl_nullary(ATL_DESC_NIL);
  for (auto it = std::rbegin(xs); it != std::rend(xs); ++it) list = atl_rt_cons(*it, list);
  return list;
}

}  // namespace

TEST_CASE("arrays of immediates are atomic; arrays of heap objects are scanned") {
  atl_gc_init();
  const atl_value heap_string = atl_string_new("text", 4);
  CHECK(Atomic(atl_rt_array_replicate(atl_int(128), atl_int(7))));
  CHECK_FALSE(Atomic(atl_rt_array_replicate(atl_int(128), heap_string)));
  CHECK(Atomic(atl_rt_array_from_list(ListOf({atl_int(1), atl_char('x'), atl_bool(1)}))));
  CHECK_FALSE(Atomic(atl_rt_array_from_list(ListOf({atl_int(1), heap_string}))));
  const atl_value ints = atl_rt_array_from_list(ListOf({atl_int(1), atl_int(2)}));
  CHECK(Atomic(atl_deep_copy(atl_rt_pair(atl_int(1), atl_int(2)))));
  CHECK_FALSE(Atomic(atl_deep_copy(atl_rt_pair(atl_int(1), ints))));
  CHECK(Atomic(atl_deep_copy(ints)));
}

TEST_CASE("freeze of a mutable array of Ints makes an atomic array") {
  atl_gc_init();
  atl_region* r = atl_region_open("atomic_test");
  const atl_value m = atl_mutarray_new(r, ATL_REGION_PLAIN, 64, atl_int(3));
  CHECK(Atomic(atl_freeze(m)));
  const atl_value s = atl_mutarray_new(r, ATL_REGION_TRACED, 8, atl_string_new("x", 1));
  CHECK_FALSE(Atomic(atl_freeze(s)));
  atl_region_close(r);
}

TEST_CASE("atl_alloc_object chooses by the run-time test generated code makes") {
  atl_gc_init();
  CHECK(Atomic(atl_from_ptr(atl_alloc_object(24, 0))));
  CHECK_FALSE(Atomic(atl_from_ptr(atl_alloc_object(24, 1))));
}
