// ATOLL_GC_VERIFY: a check of the collector's invariant after every mark
// phase, for the tests of the write barriers (docs/runtime-memory.md,
// "Manual dirty bits").
//
// When a mark phase finishes (GC_EVENT_MARK_END: the world is stopped and
// the allocation lock held), every object the sweep will keep is marked and
// every object it will free is not. A marked object that points to an
// unmarked one is a dangling pointer in the making; with Boehm's manual
// dirty bits that is what a missing atl_gc_written after a store produces
// (the object was marked before the store and never re-scanned). The walk
// visits every marked object of the pointer-holding kind and checks the
// fields of those that carry an Atoll header; objects of the runtime's own
// (MVar cores, Boehm's thread records) have other layouts and are skipped,
// as are freed objects, whose first word is a free-list link and never a
// valid header.
//
// Being marked is not being reachable, though. An object can be marked
// without being traced in this phase: Boehm marks the objects of every
// thread-local free list at each world stop, GC_free leaves the mark bit,
// and in a partial collection every object that survived the last one
// stays marked. Such an object that the program fills and drops again
// before the mark ends may point to white objects harmlessly. So a marked
// object with an unmarked target is recorded as a suspect, not reported:
// the next full collection clears every mark and traces from the roots
// again, and its mark end settles each suspect. Still marked, same header,
// same field: the object was reachable after its target had been freed,
// and the program stops with a message naming both. Not marked: the object
// was dead by then, and the suspect is dropped (counted). The recorded
// addresses are stored complemented, so that the table does not keep them
// alive should the collector ever scan it. At exit, pending
// suspects are settled by one more full collection, and a line on stderr
// gives the counts.
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
uint64_t suspects_found = 0;
uint64_t suspects_dead = 0;
bool full_started = false;  // a full collection began since the last mark end

struct Suspect {
  uintptr_t hidden_obj;  // ~address, not a pointer to the collector
  uintptr_t hidden_target;
  uint64_t header;
  uint64_t phase;
  size_t field;
};
constexpr size_t kMaxSuspects = 4096;
// 160 KiB, allocated by InstallVerifier: as static data it was a root that
// every program's first collection read, 40 page faults at start-up
// (docs/runtime-memory.md, "Start-up").
Suspect* suspects = nullptr;
size_t suspect_count = 0;

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

// snprintf into the stack and write(2): another thread may be stopped
// holding stdio's lock.
[[noreturn]] void Report(const Suspect& s) {
  char line[500];
  const int n = std::snprintf(
      line, sizeof line,
      "atoll: ATOLL_GC_VERIFY: the object %p (header %#llx) has pointed from field %zu to %p "
      "since mark phase %llu, which left that object unmarked (freed), and is still reachable "
      "at mark phase %llu (a full collection): a write barrier is missing\n",
      reinterpret_cast<void*>(~s.hidden_obj), static_cast<unsigned long long>(s.header), s.field,
      reinterpret_cast<void*>(~s.hidden_target), static_cast<unsigned long long>(s.phase),
      static_cast<unsigned long long>(phases_checked));
  if (n > 0) (void)!write(2, line, static_cast<size_t>(n) < sizeof line ? n : sizeof line - 1);
  std::abort();
}

// After a full collection's trace: a suspect still marked with the same
// contents was reachable; one not marked was dead.
void SettleSuspects() {
  for (size_t i = 0; i < suspect_count; ++i) {
    const Suspect& s = suspects[i];
    auto* obj = reinterpret_cast<uint64_t*>(~s.hidden_obj);
    if (GC_is_marked(obj) && obj[0] == s.header && obj[1 + s.field] == ~s.hidden_target) Report(s);
    ++suspects_dead;
  }
  suspect_count = 0;
}

bool AlreadySuspect(uintptr_t hidden_obj, size_t field) {
  for (size_t i = 0; i < suspect_count; ++i)
    if (suspects[i].hidden_obj == hidden_obj && suspects[i].field == field) return true;
  return false;
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
    const uintptr_t hidden = ~reinterpret_cast<uintptr_t>(obj);
    if (AlreadySuspect(hidden, i)) continue;
    ++suspects_found;
    if (suspect_count == kMaxSuspects) {  // table full: settle what we have now
      const char msg[] = "atoll: ATOLL_GC_VERIFY: more than 4096 unsettled suspects; stopping\n";
      (void)!write(2, msg, sizeof msg - 1);
      std::abort();
    }
    suspects[suspect_count++] =
        Suspect{hidden, ~static_cast<uintptr_t>(v), words[0], phases_checked, i};
  }
}

bool installed = false;

}  // namespace

void VerifyAtExit() {
  if (!installed) return;
  installed = false;
  if (suspect_count > 0) GC_gcollect();  // a full collection settles them
  char line[300];
  const int n = std::snprintf(
      line, sizeof line,
      "atoll: ATOLL_GC_VERIFY: %llu mark phases checked; %llu marked objects pointed to unmarked "
      "ones, %llu of them dead by the next full collection, %zu unsettled\n",
      static_cast<unsigned long long>(phases_checked),
      static_cast<unsigned long long>(suspects_found),
      static_cast<unsigned long long>(suspects_dead), suspect_count);
  if (n > 0) (void)!write(2, line, static_cast<size_t>(n) < sizeof line ? n : sizeof line - 1);
}

void VerifyFullCollectionStart() { full_started = true; }

void VerifyMarks() {
  ++phases_checked;
  if (full_started) {
    full_started = false;
    SettleSuspects();
  }
  GC_enumerate_reachable_objects_inner(CheckObject, nullptr);
}

void InstallVerifier() {
  suspects = static_cast<Suspect*>(std::calloc(kMaxSuspects, sizeof(Suspect)));
  if (suspects == nullptr) {
    std::fprintf(stderr, "atoll: ATOLL_GC_VERIFY: cannot allocate the table of suspects\n");
    std::abort();
  }
  installed = true;
  std::atexit(VerifyAtExit);  // a return from main; the runtime's exits call it themselves
}

}  // namespace atl::gc

extern "C" unsigned long long atl_gc_verified_phases(void) { return atl::gc::phases_checked; }
