// ATOLL_GC_VERIFY: a check of the collector's invariant after every mark
// phase, for the tests of the write barriers (docs/runtime-memory.md,
// "Manual dirty bits").
//
// When a mark phase finishes (GC_EVENT_MARK_END: the world is stopped and
// the allocation lock held), every object the sweep will keep is marked and
// every object it will free is not. A marked object that points to an
// unmarked one is therefore a dangling pointer in the making; with Boehm's
// manual dirty bits that is exactly what a missing atl_gc_written after a
// store produces (the object was marked before the store and never
// re-scanned). The walk visits every marked object of the pointer-holding
// kind and checks the fields of those that carry an Atoll header; objects
// of the runtime's own (MVar cores, Boehm's thread records) have other
// layouts and are skipped, as are freed objects, whose first word is a
// free-list link and never a valid header.
#include <gc/gc.h>
#include <gc/gc_inline.h>
#include <gc/gc_mark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "runtime/abi/atoll_abi.h"
#include "runtime/gc/gc_internal.h"
#include "runtime/value/value.h"

namespace atl::gc {
namespace {

uint64_t phases_checked = 0;

// Fields [first, first+count) of an object of `bytes` (Boehm's size) whose
// header is h, or false when h is not a header of a pointer-holding kind
// that fits the object.
bool ValueFields(uint64_t h, size_t bytes, size_t* first, size_t* count) {
  const uint32_t kind = static_cast<uint32_t>(h & 0xff);
  const uint64_t size = h >> 32;
  switch (kind) {
    case ATL_KIND_CON:
    case ATL_KIND_ARRAY:
      *first = 0;
      *count = size;
      break;
    case ATL_KIND_CLOSURE:  // the code pointer, then size-1 captured values
      if (size == 0) return false;
      *first = 1;
      *count = size - 1;
      break;
    case ATL_KIND_MVAR:  // the core pointer
      *first = 0;
      *count = 1;
      break;
    default:
      return false;
  }
  const uint64_t need = 8 * (1 + (kind == ATL_KIND_MVAR ? 1 : size));
  // Boehm rounds a small object up to 16 bytes and a large one to its blocks.
  return need <= bytes && need + 4096 + 16 > bytes;
}

void GC_CALLBACK CheckObject(void* obj, size_t bytes, void* /*client_data*/) {
  if (GC_get_kind_and_size(obj, nullptr) != GC_I_NORMAL) return;
  const auto* words = static_cast<const uint64_t*>(obj);
  size_t first = 0;
  size_t count = 0;
  if (!ValueFields(words[0], bytes, &first, &count)) return;
  // A record's Float fields may be raw doubles (descriptor raw_fields), not values.
  const uint64_t raw = atl_raw_fields(static_cast<const atl_object*>(obj));
  for (size_t i = first; i < first + count; ++i) {
    if (i < 64 && ((raw >> i) & 1u) != 0) continue;
    const uint64_t v = words[1 + i];
    if (v == 0 || (v & 7) != 0) continue;  // not a pointer (runtime/abi)
    void* target = reinterpret_cast<void*>(v);
    if (GC_base(target) != target) continue;  // static data, a region, not an object
    if (GC_is_marked(target)) continue;
    // snprintf into the stack and write(2): another thread may be stopped
    // holding stdio's lock.
    char line[400];
    const int n = std::snprintf(
        line, sizeof line,
        "atoll: ATOLL_GC_VERIFY: after mark phase %llu, the marked object %p (header "
        "%#llx) points from field %zu to the unmarked object %p (header %#llx): a write "
        "barrier is missing\n",
        static_cast<unsigned long long>(phases_checked), obj,
        static_cast<unsigned long long>(words[0]), i, target,
        static_cast<unsigned long long>(*static_cast<const uint64_t*>(target)));
    if (n > 0) (void)!write(2, line, static_cast<size_t>(n) < sizeof line ? n : sizeof line - 1);
    std::abort();
  }
}

}  // namespace

void VerifyMarks() {
  ++phases_checked;
  GC_enumerate_reachable_objects_inner(CheckObject, nullptr);
}

}  // namespace atl::gc

extern "C" unsigned long long atl_gc_verified_phases(void) { return atl::gc::phases_checked; }
